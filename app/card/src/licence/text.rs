//! The driving licence's text: JIS X 0208 as bare two-byte codes (no escape sequences), and
//! its dates as an era digit and YYMMDD.
//!
//! Decoding is exact: only the rows JIS X 0208 assigns (1–8 and 16–84) are characters. A code
//! in any other row, or an unassigned cell, is a 外字 — a character the licence prints but JIS
//! X 0208 lacks. It is never guessed: it becomes 〓 and is counted, so the clerk copies it from
//! the licence itself. (Decoders for web text map rows 13 and 89–92 to NEC and IBM
//! extensions; on a licence those rows are not JIS X 0208, so they are refused here first.)

use chrono::NaiveDate;
use madoguchi_domain::wareki::{Era, WarekiDate};
use serde::Serialize;

/// What stands in for a 外字 (〓, GETA MARK, as Japanese typesetting does).
pub const GAIJI_MARK: char = '〓';

/// Text read from the licence, and how many of its characters are 外字.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct LicenceText {
    pub text: String,
    /// 外字 shown as [`GAIJI_MARK`]: the clerk copies them from the licence.
    pub gaiji: usize,
}

impl std::fmt::Debug for LicenceText {
    // Names and addresses: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LicenceText(…, {} 外字)", self.gaiji)
    }
}

/// Whether a row (the first byte, `0x21` = row 1) is one JIS X 0208 assigns characters in.
fn assigned_row(first: u8) -> bool {
    matches!(first, 0x21..=0x28 | 0x30..=0x74)
}

/// Decodes bare JIS X 0208 codes. An odd trailing byte is an error (the value is cut).
pub fn decode(bytes: &[u8]) -> Result<LicenceText, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(format!(
            "{} bytes is not whole two-byte characters",
            bytes.len()
        ));
    }
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut gaiji = 0;
    for pair in bytes.chunks_exact(2) {
        match decode_pair(pair[0], pair[1]) {
            Some(character) => text.push(character),
            None => {
                text.push(GAIJI_MARK);
                gaiji += 1;
            }
        }
    }
    Ok(LicenceText { text, gaiji })
}

fn decode_pair(first: u8, second: u8) -> Option<char> {
    if !assigned_row(first) || !(0x21..=0x7E).contains(&second) {
        return None;
    }
    let mut framed = [0x1B, b'$', b'B', first, second, 0x1B, b'(', b'B'];
    let (decoded, errors) = encoding_rs::ISO_2022_JP.decode_without_bom_handling(&framed);
    let mut chars = decoded.chars();
    let character = match (errors, chars.next(), chars.next()) {
        (false, Some(character), None) => Some(character),
        _ => None,
    };
    framed.fill(0);
    character
}

/// Encodes text as the licence stores it, for the emulator: a character JIS X 0208 lacks
/// becomes a code in row 87 (unassigned), as a 外字 would.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut gaiji_cell = 0x21u8;
    for character in text.chars() {
        match encode_char(character) {
            Some([first, second]) => out.extend_from_slice(&[first, second]),
            None => {
                out.extend_from_slice(&[0x77, gaiji_cell]);
                gaiji_cell = gaiji_cell.saturating_add(1).min(0x7E);
            }
        }
    }
    out
}

fn encode_char(character: char) -> Option<[u8; 2]> {
    let mut buffer = [0u8; 4];
    let (bytes, _, unmappable) =
        encoding_rs::ISO_2022_JP.encode(character.encode_utf8(&mut buffer));
    if unmappable {
        return None;
    }
    // ESC $ B, two bytes, ESC ( B — anything else (ASCII, half-width kana) is not stored as
    // JIS X 0208.
    match bytes.as_ref() {
        [0x1B, b'$', b'B', first, second, 0x1B, b'(', b'B'] if assigned_row(*first) => {
            (decode_pair(*first, *second) == Some(character)).then_some([*first, *second])
        }
        _ => None,
    }
}

/// A licence date: an era digit (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和) and YYMMDD, seven
/// ASCII digits. `None` when it is not a date (or the field is empty).
pub fn era_date(bytes: &[u8]) -> Option<NaiveDate> {
    let [era, digits @ ..] = bytes else {
        return None;
    };
    if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let era = match era {
        b'1' => Era::Meiji,
        b'2' => Era::Taisho,
        b'3' => Era::Showa,
        b'4' => Era::Heisei,
        b'5' => Era::Reiwa,
        _ => return None,
    };
    let number = |at: usize| u32::from(digits[at] - b'0') * 10 + u32::from(digits[at + 1] - b'0');
    WarekiDate {
        era,
        year: number(0),
        month: number(2),
        day: number(4),
    }
    .to_date()
}

/// The emulator's side: a date as the licence stores it.
pub fn encode_era_date(date: NaiveDate) -> Option<Vec<u8>> {
    let wareki = WarekiDate::from_date(date).ok()?;
    let era = match wareki.era {
        Era::Meiji => '1',
        Era::Taisho => '2',
        Era::Showa => '3',
        Era::Heisei => '4',
        Era::Reiwa => '5',
    };
    (wareki.year < 100).then(|| {
        format!(
            "{era}{:02}{:02}{:02}",
            wareki.year, wareki.month, wareki.day
        )
        .into_bytes()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jis_x_0208_round_trips_and_a_gaiji_is_counted_not_guessed() {
        let name = "渡邊　太郎";
        let encoded = encode(name);
        assert_eq!(encoded.len(), 10);
        // 渡 is 0x454F in JIS X 0208; the ideographic space 0x2121.
        assert_eq!(&encoded[..2], &[0x45, 0x4F]);
        assert_eq!(&encoded[4..6], &[0x21, 0x21]);
        let decoded = decode(&encoded).expect("decodes");
        assert_eq!(decoded.text, name);
        assert_eq!(decoded.gaiji, 0);
        // 髙 and 𠮷 are not JIS X 0208: 外字 on a licence.
        let rare = decode(&encode("髙橋　𠮷男")).expect("decodes");
        assert_eq!(rare.text, "〓橋　〓男");
        assert_eq!(rare.gaiji, 2);
    }

    #[test]
    fn rows_outside_jis_x_0208_are_gaiji_even_where_web_decoders_map_them() {
        // Row 13 (NEC specials: ① at 0x2D21) and row 89 (IBM extensions) decode on the web;
        // on a licence they are not JIS X 0208.
        for pair in [
            [0x2D, 0x21],
            [0x79, 0x21],
            [0x77, 0x21],
            [0x29, 0x21],
            [0x7F, 0x21],
        ] {
            assert_eq!(decode(&pair).expect("decodes").gaiji, 1, "{pair:02X?}");
        }
        // An unassigned cell in an assigned row.
        assert_eq!(decode(&[0x22, 0x2F]).expect("decodes").gaiji, 1);
        assert!(decode(&[0x30]).is_err());
    }

    #[test]
    fn era_dates_are_read_and_refused() {
        assert_eq!(era_date(b"3600412"), NaiveDate::from_ymd_opt(1985, 4, 12));
        assert_eq!(era_date(b"5080401"), NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(era_date(b"4310430"), NaiveDate::from_ymd_opt(2019, 4, 30));
        for bad in [
            &b""[..],
            b"6600412",
            b"3601312",
            b"360041",
            b"36004123",
            b"4320101",
        ] {
            assert_eq!(era_date(bad), None, "{bad:?}");
        }
        let date = NaiveDate::from_ymd_opt(1962, 11, 3).expect("date");
        assert_eq!(
            era_date(&encode_era_date(date).expect("encodes")),
            Some(date)
        );
    }
}
