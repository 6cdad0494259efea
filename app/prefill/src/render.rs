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

/// The QR version (1-40) the text needs at ECC M, or `None` if none holds it.
pub fn qr_version(text: &str) -> Option<i16> {
    match symbol(text).ok()?.version() {
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
