//! The chip's pictures (the name and address of a second-generation card, the whole front of a
//! first-generation one) made viewable: the card stores them as black-and-white TIFF files
//! compressed by CCITT Group 4 (MMR), which no screen toolkit draws.
//!
//! Decoding is bounded: the file by the specification's largest picture, the picture by a size
//! no card image approaches, so a damaged or hostile file is refused, never decoded into
//! unbounded memory. The pictures are shown to the clerk as they are, never read by OCR.

use std::io::Cursor;

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::{PhotometricInterpretation, Tag};

use crate::error::CardError;

/// The widest and tallest picture accepted. The first generation's front image, the largest, is
/// the card's face at about 200 dpi (under 1000 × 700).
pub const MAX_SIDE: u32 = 4096;

/// A picture as 8-bit grey levels, row by row, 0 black and 255 white.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitmap({}×{})", self.width, self.height)
    }
}

impl Bitmap {
    /// How many pixels are black: the tests tell a picture from its negative by it.
    pub fn black_pixels(&self) -> usize {
        self.luma.iter().filter(|&&level| level < 128).count()
    }
}

/// Decodes one of the chip's pictures.
pub fn decode(file: &[u8]) -> Result<Bitmap, CardError> {
    let damaged = |detail: &str| CardError::BadCardData {
        detail: format!("the card's picture cannot be shown: {detail}"),
    };
    let mut limits = Limits::default();
    limits.decoding_buffer_size = (MAX_SIDE as usize * MAX_SIDE as usize) / 8;
    limits.ifd_value_size = 64 * 1024;
    limits.intermediate_buffer_size = 1024 * 1024;
    let mut decoder = Decoder::new(Cursor::new(file))
        .map_err(|_| damaged("not a TIFF file"))?
        .with_limits(limits);
    let (width, height) = decoder.dimensions().map_err(|_| damaged("no dimensions"))?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(damaged("its size is out of range"));
    }
    // WhiteIsZero (the fax convention) marks black with a set bit; BlackIsZero the reverse.
    let set_bit_is_black = !matches!(
        decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation),
        Ok(Some(value)) if value == PhotometricInterpretation::BlackIsZero.to_u16()
    );
    let packed = match decoder.read_image() {
        Ok(DecodingResult::U8(bytes)) => bytes,
        Ok(_) => return Err(damaged("not a black-and-white picture")),
        Err(_) => return Err(damaged("its compressed data is damaged")),
    };
    unpack(&packed, width, height, set_bit_is_black).ok_or_else(|| damaged("it is cut short"))
}

/// One bit per pixel, each row starting on a byte, into one byte per pixel.
fn unpack(packed: &[u8], width: u32, height: u32, set_bit_is_black: bool) -> Option<Bitmap> {
    let row_bytes = (width as usize).div_ceil(8);
    if packed.len() < row_bytes * height as usize {
        return None;
    }
    let mut luma = Vec::with_capacity(width as usize * height as usize);
    for row in packed.chunks_exact(row_bytes).take(height as usize) {
        for x in 0..width as usize {
            let set = row[x / 8] & (0x80 >> (x % 8)) != 0;
            luma.push(if set == set_bit_is_black { 0 } else { 255 });
        }
    }
    Some(Bitmap {
        width,
        height,
        luma,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn persona_picture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../assets/personas/zairyu/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).expect("the persona's picture")
    }

    #[test]
    fn a_name_picture_is_dark_writing_on_white() {
        let bitmap = decode(&persona_picture("nguyen-name.tif")).expect("decoded");
        assert_eq!((bitmap.width, bitmap.height), (640, 56));
        let black = bitmap.black_pixels();
        assert!(black > 100, "the name is written: {black} black pixels");
        assert!(black < bitmap.luma.len() / 3, "on white: {black} black");
    }

    #[test]
    fn the_first_generation_front_decodes() {
        let bitmap = decode(&persona_picture("santos-front.tif")).expect("decoded");
        assert_eq!((bitmap.width, bitmap.height), (860, 320));
        assert!(bitmap.black_pixels() > 1000);
    }

    #[test]
    fn damaged_pictures_are_refused() {
        let picture = persona_picture("kim-name.tif");
        assert!(decode(b"").is_err());
        assert!(decode(b"II*\0garbage").is_err());
        assert!(decode(&picture[..picture.len() / 2]).is_err());
        let mut flipped = picture.clone();
        for byte in flipped.iter_mut().skip(16) {
            *byte ^= 0x5a;
        }
        assert!(decode(&flipped).is_err());
    }

    #[test]
    fn short_pixel_data_is_refused() {
        assert!(unpack(&[0; 3], 16, 2, true).is_none());
        let bitmap = unpack(&[0x80, 0, 0, 0], 16, 2, true).expect("unpacked");
        assert_eq!(bitmap.luma[0], 0);
        assert_eq!(bitmap.luma[1], 255);
    }
}
