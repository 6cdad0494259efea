//! A city's paper form as the form editor's page: the first page of a PDF, or a scanned PNG or
//! JPEG, as grey pixels of an A4 portrait sheet at [`PAGE_DPI`].
//!
//! The file comes from outside (a supervisor's download, a scanner): it is bounded before it
//! is read — its size, the picture's pixels from its header, the page's size — and a page that
//! is not A4 portrait is refused rather than stretched. PDF pages are drawn by `hayro`; since a
//! hostile PDF may still be slow to draw, the kiosk runs this in a child process it can stop
//! (`madoguchi forms page`).

use crate::ruling::Raster;

/// The page's resolution: fine enough to see a form's rules and small print, small enough to
/// keep as a catalogue file (about 200–600 KB as PNG).
pub const PAGE_DPI: f64 = 150.0;

/// The largest file taken: a 600 dpi colour scan of one page.
pub const MAX_FILE_BYTES: usize = 48 * 1024 * 1024;

/// A4 in millimetres, and how far a page may differ from it (a scan's margins, Letter-sized
/// PDFs are refused).
const A4_MM: [f64; 2] = [210.0, 297.0];
const A4_TOLERANCE: f64 = 0.03;

/// The page, `width` × `height` grey pixels (0 black, 255 white), row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedPage {
    pub width: usize,
    pub height: usize,
    pub grey: Vec<u8>,
}

impl ScannedPage {
    pub fn px_per_mm(&self) -> f64 {
        PAGE_DPI / 25.4
    }

    /// The page for finding its rules.
    pub fn raster(&self) -> Raster<'_> {
        Raster {
            width: self.width,
            height: self.height,
            grey: &self.grey,
            px_per_mm: self.px_per_mm(),
        }
    }

    /// The page as a PNG (the template's background).
    pub fn png(&self) -> Result<Vec<u8>, String> {
        let image =
            image::GrayImage::from_raw(self.width as u32, self.height as u32, self.grey.clone())
                .ok_or("the page's pixels do not match its size")?;
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

/// The page of `bytes`: a PDF's first page, or a PNG or JPEG picture. The error is one plain
/// sentence in Japanese saying what to do.
pub fn read_page(bytes: &[u8]) -> Result<ScannedPage, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "ファイルが大きすぎます（{} MB まで）。1ページのPDFか、300 dpi 程度の画像にしてください。",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    if bytes.starts_with(b"%PDF") {
        pdf_page(bytes)
    } else {
        picture_page(bytes)
    }
}

/// The A4 page at [`PAGE_DPI`], in pixels.
fn a4_pixels() -> (usize, usize) {
    let px = |mm: f64| (mm / 25.4 * PAGE_DPI).round() as usize;
    (px(A4_MM[0]), px(A4_MM[1]))
}

fn is_a4_portrait(width: f64, height: f64) -> bool {
    (width / A4_MM[0] - 1.0).abs() <= A4_TOLERANCE
        && (height / A4_MM[1] - 1.0).abs() <= A4_TOLERANCE
}

fn not_a4() -> String {
    "A4縦の様式ではありません。A4縦の1ページ目を、そのまま読み込める形（PDF・PNG・JPEG）にしてください。".into()
}

fn pdf_page(bytes: &[u8]) -> Result<ScannedPage, String> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings, render};

    let unreadable =
        || "PDFを読めません（壊れているか、パスワードで保護されています）。".to_string();
    let pdf = Pdf::new(bytes.to_vec()).map_err(|_| unreadable())?;
    let pages = pdf.pages();
    let page = pages.first().ok_or_else(unreadable)?;
    // Points (1/72 inch) as drawn, rotation applied.
    let (width_pt, height_pt) = page.render_dimensions();
    let mm = |pt: f32| f64::from(pt) / 72.0 * 25.4;
    if !is_a4_portrait(mm(width_pt), mm(height_pt)) {
        return Err(not_a4());
    }
    let (width, height) = a4_pixels();
    let settings = PixmapSettings {
        x_scale: (width as f64 / f64::from(width_pt)) as f32,
        y_scale: (height as f64 / f64::from(height_pt)) as f32,
        bg_color: WHITE,
    };
    let pixmap = render(
        page,
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &settings,
    );
    let png = pixmap.into_png().map_err(|_| unreadable())?;
    let grey = image::load_from_memory(&png)
        .map_err(|_| unreadable())?
        .to_luma8();
    Ok(fit_a4(grey))
}

fn picture_page(bytes: &[u8]) -> Result<ScannedPage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(8000);
    limits.max_image_height = Some(8000);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            "画像が大きすぎます（一辺 8000 ピクセルまで）。300 dpi 程度で読み取ってください。"
                .to_string()
        }
        _ => "PDF・PNG・JPEG のどれでもないか、壊れています。".to_string(),
    })?;
    let (w, h) = (f64::from(picture.width()), f64::from(picture.height()));
    // A scan has no size in millimetres: its shape must be A4 portrait.
    if !is_a4_portrait(w / h * A4_MM[1], A4_MM[1]) {
        return Err(not_a4());
    }
    Ok(fit_a4(picture.to_luma8()))
}

/// The picture scaled to exactly the A4 page's pixels.
fn fit_a4(grey: image::GrayImage) -> ScannedPage {
    let (width, height) = a4_pixels();
    let grey = if (grey.width() as usize, grey.height() as usize) == (width, height) {
        grey
    } else {
        image::imageops::resize(
            &grey,
            width as u32,
            height as u32,
            image::imageops::FilterType::Triangle,
        )
    };
    ScannedPage {
        width,
        height,
        grey: grey.into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruling::find_rules;

    /// The calibration page, drawn by us and read back through hayro: its crosses are found
    /// as rules where they were printed.
    #[test]
    fn a_pdf_page_is_read_and_its_printed_lines_found() {
        let pdf =
            crate::calibration::calibration_page(&crate::Fonts::load(), [0.0, 0.0]).expect("page");
        let page = read_page(&pdf).expect("reads");
        assert_eq!((page.width, page.height), a4_pixels());
        let rules = find_rules(&page.raster());
        let near =
            |rules: &[crate::ruling::Rule], at: f64| rules.iter().any(|r| (r.at - at).abs() < 0.5);
        assert!(near(&rules.horizontal, 20.0), "{:?}", rules.horizontal);
        assert!(near(&rules.vertical, 20.0), "{:?}", rules.vertical);
        assert!(near(&rules.vertical, 190.0), "{:?}", rules.vertical);
        let png = page.png().expect("png");
        assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn what_is_not_an_a4_form_is_refused_in_words() {
        let landscape = image::GrayImage::from_pixel(297, 210, image::Luma([255]));
        let mut png = Vec::new();
        landscape
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        assert!(read_page(&png).expect_err("landscape").contains("A4縦"));
        assert!(
            read_page(b"%PDF-1.7 nothing")
                .expect_err("broken")
                .contains("PDFを読めません")
        );
        assert!(read_page(b"hello").expect_err("text").contains("PNG"));
        assert!(
            read_page(&vec![0u8; MAX_FILE_BYTES + 1])
                .expect_err("huge")
                .contains("大きすぎ")
        );
        let portrait = image::GrayImage::from_pixel(210, 297, image::Luma([255]));
        let mut png = Vec::new();
        portrait
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        assert_eq!(read_page(&png).expect("a4").height, a4_pixels().1);
    }
}
