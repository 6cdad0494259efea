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

/// The most bytes an image file may have: a phone's photo of a code is a few megabytes.
pub const MAX_IMAGE_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// The most bytes an SVG file may have: our own codes are tens of kilobytes.
pub const MAX_SVG_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// The widest and tallest picture decoded or drawn, in pixels (a 4K camera frame fits).
pub const MAX_IMAGE_SIDE: u32 = 4096;
/// The most memory one picture may take while it is decoded.
pub const MAX_IMAGE_ALLOC: u64 = 256 * 1024 * 1024;
/// The most elements an SVG may draw: a version-40 code drawn module by module has 31,329.
pub const MAX_SVG_NODES: usize = 100_000;

/// An image file (PNG, JPEG or SVG) as a greyscale frame. SVG files are drawn with each user
/// unit as three pixels so that thin modules survive.
///
/// Every picture is bounded before it is decoded: its file size, then its width, height and
/// memory as its header states them (a 76 KB PNG can claim 20,000 × 20,000 pixels). An SVG
/// may not load other files (`<image href="/dev/zero">`) and may not use filters (a blur of
/// a huge radius runs for minutes); a QR code needs neither.
pub fn frame_from_file(path: &Path) -> Result<GrayImage, ImageFileError> {
    let error = |message: String| ImageFileError {
        path: path.display().to_string(),
        message,
    };
    let is_svg = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg"));
    let limit = if is_svg {
        MAX_SVG_FILE_BYTES
    } else {
        MAX_IMAGE_FILE_BYTES
    };
    let data = read_at_most(path, limit).map_err(error)?;
    if is_svg {
        rasterise_svg_within(data, SVG_TIME_BUDGET).map_err(error)
    } else {
        decode_bounded(&data).map_err(error)
    }
}

/// The file's bytes, or why not: it is not a regular file, or it is larger than `limit`.
fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    let mut data = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    if data.len() as u64 > limit {
        return Err(format!(
            "larger than {} MB; a picture of a code is smaller",
            limit / (1024 * 1024)
        ));
    }
    Ok(data)
}

/// Decodes PNG or JPEG bytes after checking the size the header states.
fn decode_bounded(data: &[u8]) -> Result<GrayImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => format!(
            "the picture is larger than {MAX_IMAGE_SIDE} × {MAX_IMAGE_SIDE} pixels; take it smaller"
        ),
        other => other.to_string(),
    })?;
    Ok(image.to_luma8())
}

const SVG_SCALE: f32 = 3.0;
/// How long drawing one SVG may take. A drawing still running then is abandoned: the command
/// reports it and ends (the kiosk itself never draws SVG files; frames come from the camera).
pub const SVG_TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Draws the SVG on a worker thread and waits at most `budget` for it.
fn rasterise_svg_within(data: Vec<u8>, budget: std::time::Duration) -> Result<GrayImage, String> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("svg".into())
        .spawn(move || {
            let _ = sender.send(rasterise_svg(&data));
        })
        .map_err(|e| e.to_string())?;
    receiver.recv_timeout(budget).unwrap_or_else(|_| {
        Err(format!(
            "drawing the SVG took longer than {} s; it is not a plain code",
            budget.as_secs()
        ))
    })
}

/// How deep SVG elements may nest: a drawing of a code nests two or three deep, and the
/// SVG parser and renderer recurse once a level.
pub const MAX_SVG_DEPTH: usize = 64;

/// The deepest nesting of elements in the SVG's text, counted before it is parsed.
fn svg_depth(data: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut bytes = data.iter().peekable();
    while let Some(&byte) = bytes.next() {
        if byte != b'<' {
            continue;
        }
        match bytes.peek() {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'!' | b'?') => {}
            Some(_) => {
                // An opening tag: deeper, unless it closes itself (`<rect …/>`).
                let mut previous = 0u8;
                for &inner in bytes.by_ref() {
                    if inner == b'>' {
                        break;
                    }
                    previous = inner;
                }
                if previous != b'/' {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            None => {}
        }
    }
    deepest
}

fn rasterise_svg(data: &[u8]) -> Result<GrayImage, String> {
    use resvg::usvg;
    if svg_depth(data) > MAX_SVG_DEPTH {
        return Err(format!(
            "the SVG nests more than {MAX_SVG_DEPTH} elements deep; it is not a plain code"
        ));
    }
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(data, &options).map_err(|e| e.to_string())?;
    check_svg(tree.root())?;
    let size = tree.size();
    let (width, height) = (
        (size.width() * SVG_SCALE).ceil(),
        (size.height() * SVG_SCALE).ceil(),
    );
    let side = MAX_IMAGE_SIDE as f32;
    if !(width >= 1.0 && height >= 1.0 && width <= side && height <= side) {
        return Err(format!(
            "unusable SVG size {width}×{height} (at most {MAX_IMAGE_SIDE} pixels a side)"
        ));
    }
    let (width, height) = (width as u32, height as u32);
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

/// Refuses what a drawing of a QR code never has and what makes drawing unbounded: filters,
/// and more than [`MAX_SVG_NODES`] elements.
fn check_svg(root: &resvg::usvg::Group) -> Result<(), String> {
    let mut stack = vec![root];
    let mut nodes = 0usize;
    while let Some(group) = stack.pop() {
        if !group.filters().is_empty() {
            return Err("an SVG with filters is not a code; draw the code without effects".into());
        }
        for node in group.children() {
            nodes += 1;
            if nodes > MAX_SVG_NODES {
                return Err(format!("more than {MAX_SVG_NODES} elements in the SVG"));
            }
            if let resvg::usvg::Node::Group(child) = node {
                stack.push(child);
            }
        }
    }
    Ok(())
}
