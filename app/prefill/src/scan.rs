//! Finding and reading symbols in camera frames and image files (PNG, JPEG, SVG).

use std::path::Path;

use image::GrayImage;

/// Which decoder reads a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// rqrr: pure Rust, quick on small symbols, weak on large damaged ones.
    Rqrr,
    /// rxing, a Rust port of ZXing: slower to start, much stronger on degraded frames.
    Rxing,
    /// rqrr, and on a frame where it reads nothing, rqrr again on the contrast-stretched frame.
    RqrrStretched,
    /// What the kiosk uses: rxing; where it reads nothing, rxing on the contrast-stretched
    /// frame; then rqrr on each. Each step runs only when the ones before read nothing.
    Cascade,
}

impl Engine {
    pub const ALL: [Engine; 4] = [
        Engine::Rqrr,
        Engine::RqrrStretched,
        Engine::Rxing,
        Engine::Cascade,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Rqrr => "rqrr",
            Engine::RqrrStretched => "rqrr + stretch",
            Engine::Rxing => "rxing",
            Engine::Cascade => "cascade",
        }
    }
}

/// The engine the kiosk uses.
pub const DEFAULT_ENGINE: Engine = Engine::Cascade;

/// The texts of every QR symbol found in a greyscale frame, in no particular order, with the
/// kiosk's engine. Symbols that are found but cannot be read are skipped.
pub fn symbols_in(frame: &GrayImage) -> Vec<String> {
    symbols_with(frame, DEFAULT_ENGINE)
}

pub fn symbols_with(frame: &GrayImage, engine: Engine) -> Vec<String> {
    match engine {
        Engine::Rqrr => rqrr_symbols(frame),
        Engine::Rxing => rxing_symbols(frame),
        Engine::RqrrStretched => first_found(frame, &[rqrr_symbols], true),
        Engine::Cascade => first_found(frame, &[rxing_symbols, rqrr_symbols], true),
    }
}

type Reader = fn(&GrayImage) -> Vec<String>;

/// Tries each reader on the frame, then (with `stretch`) on the contrast-stretched frame, and
/// returns the first non-empty result.
fn first_found(frame: &GrayImage, readers: &[Reader], stretch: bool) -> Vec<String> {
    let mut stretched = None;
    for reader in readers {
        let found = reader(frame);
        if !found.is_empty() {
            return found;
        }
        if stretch {
            let image = stretched.get_or_insert_with(|| stretch_contrast(frame));
            let found = reader(image);
            if !found.is_empty() {
                return found;
            }
        }
    }
    Vec::new()
}

/// Maps the 1st to 99th percentile of brightness onto the full range: faded print and dim
/// screens then clear the binarisers' minimum contrast.
pub fn stretch_contrast(frame: &GrayImage) -> GrayImage {
    let mut histogram = [0u32; 256];
    for pixel in frame.as_raw() {
        histogram[usize::from(*pixel)] += 1;
    }
    let total: u32 = histogram.iter().sum();
    let level_at = |share: f64| {
        let target = (f64::from(total) * share) as u32;
        let mut seen = 0;
        for (level, count) in histogram.iter().enumerate() {
            seen += count;
            if seen > target {
                return level as f32;
            }
        }
        255.0
    };
    let (low, high) = (level_at(0.01), level_at(0.99));
    let scale = if high > low {
        255.0 / (high - low)
    } else {
        1.0
    };
    let mut out = frame.clone();
    for pixel in out.iter_mut() {
        *pixel = ((f32::from(*pixel) - low) * scale).clamp(0.0, 255.0) as u8;
    }
    out
}

fn rxing_symbols(frame: &GrayImage) -> Vec<String> {
    let mut hints = rxing::DecodeHints {
        PossibleFormats: Some(std::collections::HashSet::from([
            rxing::BarcodeFormat::QR_CODE,
        ])),
        TryHarder: Some(true),
        ..Default::default()
    };
    rxing::helpers::detect_multiple_in_luma_with_hints(
        frame.as_raw().clone(),
        frame.width(),
        frame.height(),
        &mut hints,
    )
    .map(|results| {
        results
            .iter()
            .map(|result| result.getText().to_owned())
            .collect()
    })
    .unwrap_or_default()
}

fn rqrr_symbols(frame: &GrayImage) -> Vec<String> {
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

/// Reads an image file and returns the texts of the symbols in it.
pub fn symbols_in_file(path: &Path) -> Result<Vec<String>, ImageFileError> {
    Ok(symbols_in(&frame_from_file(path)?))
}

/// An image file (PNG, JPEG or SVG) as a greyscale frame. SVG files are drawn with each user
/// unit as three pixels so that thin modules survive.
pub fn frame_from_file(path: &Path) -> Result<GrayImage, ImageFileError> {
    let error = |message: String| ImageFileError {
        path: path.display().to_string(),
        message,
    };
    let is_svg = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg"));
    if is_svg {
        let data = std::fs::read(path).map_err(|e| error(e.to_string()))?;
        rasterise_svg(&data).map_err(error)
    } else {
        Ok(image::open(path)
            .map_err(|e| error(e.to_string()))?
            .to_luma8())
    }
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
