//! Drawing symbols: the QR version a symbol text needs, and PNG or SVG images of it.
//!
//! Symbols are made at error correction level M. The `qrcode` crate picks the segments; a
//! base45 text is all alphanumeric (with numeric runs), so no byte or kanji mode appears.

use std::io::Cursor;

use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode, Version};

use crate::error::PrefillError;

fn symbol(text: &str) -> Result<QrCode, PrefillError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        PrefillError::TooLarge {
            detail: format!("no QR symbol holds it: {e}"),
        }
    })
}

/// The QR version (1-40) the text needs at ECC M, or `None` if none holds it. Only the segments
/// are worked out — the version the symbol will have — not the symbol itself: choosing its mask
/// is most of the work of drawing one, and a form's parts are sized many times over.
pub fn qr_version(text: &str) -> Option<i16> {
    match qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M)
        .ok()?
        .version()
    {
        Version::Normal(version) => Some(version),
        Version::Micro(_) => None,
    }
}

/// A PNG of one symbol, `module_px` pixels per module, with the standard 4-module quiet zone.
pub fn png(text: &str, module_px: u32) -> Result<Vec<u8>, PrefillError> {
    let image = symbol(text)?
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(module_px, module_px)
        .build();
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| PrefillError::corrupt(format!("PNG: {e}")))?;
    Ok(bytes)
}

/// An SVG of one symbol, at least `min_px` wide, for printing at any size.
pub fn svg(text: &str, min_px: u32) -> Result<String, PrefillError> {
    Ok(symbol(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(min_px, min_px)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version worked out without drawing is the version of the symbol drawn, from the
    /// smallest text to one no symbol holds.
    #[test]
    fn the_version_is_the_drawn_symbols() {
        for length in [1, 20, 100, 400, 1_000, 2_000, 3_000, 4_296, 4_297, 6_000] {
            // A base45-like text: alphanumerics with numeric runs, as the symbols carry.
            let text: String = "MDG3:0A9Z 12345$%*+-./:"
                .chars()
                .cycle()
                .take(length)
                .collect();
            let drawn = symbol(&text).ok().map(|code| match code.version() {
                Version::Normal(version) => version,
                Version::Micro(_) => panic!("no micro symbols at ECC M"),
            });
            assert_eq!(qr_version(&text), drawn, "{length} characters");
        }
    }
}
