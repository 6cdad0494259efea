//! Finding and reading symbols in camera frames and image files (PNG, JPEG, SVG).

use std::path::Path;

use image::GrayImage;

/// The texts of every QR symbol rqrr finds in a greyscale frame, in no particular order.
/// Symbols that are found but cannot be read are skipped.
pub fn symbols_in(frame: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(frame.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut bytes = Vec::new();
            // decode_to, not decode: our symbols are ASCII, but a foreign code may not be UTF-8.
            grid.decode_to(&mut bytes).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

/// Why an image file could not be looked at.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImageFileError {
    path: String,
    message: String,
}

/// Reads an image file and returns the texts of the symbols in it. SVG files are drawn first,
/// with each user unit as three pixels so that thin modules survive.
pub fn symbols_in_file(path: &Path) -> Result<Vec<String>, ImageFileError> {
    let error = |message: String| ImageFileError {
        path: path.display().to_string(),
        message,
    };
    let is_svg = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg"));
    let frame = if is_svg {
        let data = std::fs::read(path).map_err(|e| error(e.to_string()))?;
        rasterise_svg(&data).map_err(error)?
    } else {
        image::open(path)
            .map_err(|e| error(e.to_string()))?
            .to_luma8()
    };
    Ok(symbols_in(&frame))
}

const SVG_SCALE: f32 = 3.0;

fn rasterise_svg(data: &[u8]) -> Result<GrayImage, String> {
    let tree = resvg::usvg::Tree::from_data(data, &resvg::usvg::Options::default())
        .map_err(|e| e.to_string())?;
    let size = tree.size();
    let (width, height) = (
        (size.width() * SVG_SCALE).ceil() as u32,
        (size.height() * SVG_SCALE).ceil() as u32,
    );
    if width == 0 || height == 0 || width > 8000 || height > 8000 {
        return Err(format!("unusable SVG size {width}×{height}"));
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| "cannot allocate".to_string())?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(SVG_SCALE, SVG_SCALE),
        &mut pixmap.as_mut(),
    );
    let rgba = image::RgbaImage::from_raw(width, height, pixmap.take())
        .ok_or_else(|| "pixel buffer size".to_string())?;
    Ok(image::DynamicImage::ImageRgba8(rgba).to_luma8())
}
