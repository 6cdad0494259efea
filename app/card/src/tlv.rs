//! BER-TLV as the My Number card's files use it: tags of one to three bytes, lengths in the
//! short form or as `81 xx` / `82 xx xx`, and filler (`FF` or `00` bytes) after the last object.
//!
//! The parser borrows from its input and never panics: anything it does not understand is an
//! error naming the offset, because a wrong guess here would put the wrong name on a form.

use std::fmt;

/// One parsed object: its tag (the tag bytes read as a big-endian number, so `DF 22` is
/// `0xDF22`) and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
}

/// Where an object starts and how long it is, read from its first bytes alone: what a reader
/// needs to know how much more of a file to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub tag: u32,
    /// Bytes of tag and length.
    pub header_len: usize,
    pub value_len: usize,
}

impl Header {
    /// Header plus value.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlvError {
    /// The input ended inside a tag or a length.
    Truncated { offset: usize },
    /// A tag longer than three bytes.
    TagTooLong { offset: usize },
    /// The indefinite form (`80`) or a length of more than two bytes (`83` and up).
    UnsupportedLength { offset: usize, first_byte: u8 },
    /// The length says more bytes follow than there are.
    ValuePastEnd {
        offset: usize,
        declared: usize,
        available: usize,
    },
}

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlvError::Truncated { offset } => {
                write!(f, "data ends inside a header at byte {offset}")
            }
            TlvError::TagTooLong { offset } => {
                write!(f, "tag longer than 3 bytes at byte {offset}")
            }
            TlvError::UnsupportedLength { offset, first_byte } => {
                write!(
                    f,
                    "unsupported length form {first_byte:02X} at byte {offset}"
                )
            }
            TlvError::ValuePastEnd {
                offset,
                declared,
                available,
            } => write!(
                f,
                "object at byte {offset} declares {declared} bytes but only {available} follow"
            ),
        }
    }
}

impl std::error::Error for TlvError {}

const MAX_TAG_BYTES: usize = 3;

/// How a file's tags are spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tags {
    /// ISO/IEC 8825 BER: a tag continues while bit 8 of its next byte is set (the My Number
    /// card).
    Ber,
    /// A first byte with its low five bits set is followed by exactly one more, whatever that
    /// byte's bit 8: the 在留カード's `DF D1` is a two-byte tag.
    AtMostTwoBytes,
    /// Every tag is one byte (the driving licence numbers its fields `11` to `33`, and `1F`
    /// is one of them).
    OneByte,
}

/// Reads the tag and length at the start of `bytes`.
pub fn read_header(bytes: &[u8]) -> Result<Header, TlvError> {
    read_header_at(bytes, 0, Tags::Ber)
}

fn read_header_at(bytes: &[u8], start: usize, tags: Tags) -> Result<Header, TlvError> {
    let (tag, tag_len) = read_tag(bytes, start, tags)?;
    let (value_len, len_len) = read_length(bytes, start + tag_len)?;
    Ok(Header {
        tag,
        header_len: tag_len + len_len,
        value_len,
    })
}

fn byte_at(bytes: &[u8], offset: usize) -> Result<u8, TlvError> {
    bytes
        .get(offset)
        .copied()
        .ok_or(TlvError::Truncated { offset })
}

fn read_tag(bytes: &[u8], start: usize, tags: Tags) -> Result<(u32, usize), TlvError> {
    let first = byte_at(bytes, start)?;
    let mut tag = u32::from(first);
    let mut len = 1;
    if tags == Tags::OneByte {
        return Ok((tag, 1));
    }
    if tags == Tags::AtMostTwoBytes && first & 0x1F == 0x1F {
        let next = byte_at(bytes, start + 1)?;
        return Ok(((tag << 8) | u32::from(next), 2));
    }
    // Low five bits all set: the tag number continues in following bytes while bit 8 is set.
    if first & 0x1F == 0x1F {
        loop {
            if len == MAX_TAG_BYTES {
                return Err(TlvError::TagTooLong { offset: start });
            }
            let next = byte_at(bytes, start + len)?;
            tag = (tag << 8) | u32::from(next);
            len += 1;
            if next & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((tag, len))
}

fn read_length(bytes: &[u8], start: usize) -> Result<(usize, usize), TlvError> {
    let first = byte_at(bytes, start)?;
    match first {
        0x00..=0x7F => Ok((usize::from(first), 1)),
        0x81 => Ok((usize::from(byte_at(bytes, start + 1)?), 2)),
        0x82 => {
            let high = usize::from(byte_at(bytes, start + 1)?);
            let low = usize::from(byte_at(bytes, start + 2)?);
            Ok(((high << 8) | low, 3))
        }
        _ => Err(TlvError::UnsupportedLength {
            offset: start,
            first_byte: first,
        }),
    }
}

/// True when everything from here on is filler: unused file space reads as `FF` (or `00` on
/// some cards).
fn is_filler(rest: &[u8]) -> bool {
    rest.iter().all(|&b| b == 0xFF) || rest.iter().all(|&b| b == 0x00)
}

/// Parses a sequence of objects, stopping at filler. The objects' values are not parsed: call
/// again on a constructed object's value to read its children.
pub fn parse(bytes: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    parse_with(bytes, Tags::Ber)
}

/// [`parse`] for a file whose tags are spelled as `tags` says.
pub fn parse_with(bytes: &[u8], tags: Tags) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut objects = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() && !is_filler(&bytes[offset..]) {
        let header = read_header_at(bytes, offset, tags)?;
        let value_start = offset + header.header_len;
        let available = bytes.len() - value_start;
        if header.value_len > available {
            return Err(TlvError::ValuePastEnd {
                offset,
                declared: header.value_len,
                available,
            });
        }
        let value_end = value_start + header.value_len;
        objects.push(Tlv {
            tag: header.tag,
            value: &bytes[value_start..value_end],
        });
        offset = value_end;
    }
    Ok(objects)
}

/// Appends one object with the shortest length form. Used by the card emulator to build files.
pub fn encode(tag: u32, value: &[u8], out: &mut Vec<u8>) {
    let tag_bytes = tag.to_be_bytes();
    let first = tag_bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(tag_bytes.len() - 1);
    out.extend_from_slice(&tag_bytes[first..]);
    encode_length(value.len(), out);
    out.extend_from_slice(value);
}

fn encode_length(len: usize, out: &mut Vec<u8>) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => {
            let len = u16::try_from(len).unwrap_or(u16::MAX);
            out.push(0x82);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public fixture from the research notes (a fictional person).
    fn fixture() -> Vec<u8> {
        let mut name = Vec::new();
        encode(0xDF22, "黒桐　幹也".as_bytes(), &mut name);
        let mut content = vec![0xDF, 0x21, 0x08, 0, 0x0E, 0, 0x20, 0, 0x59, 0, 0x64];
        content.extend_from_slice(&name);
        encode(
            0xDF23,
            "東京都清瀬市観布子南１２－７－２０２".as_bytes(),
            &mut content,
        );
        encode(0xDF24, b"19800217", &mut content);
        encode(0xDF25, b"1", &mut content);
        let mut file = Vec::new();
        encode(0xFF20, &content, &mut file);
        file.extend_from_slice(&[0xFF; 20]);
        file
    }

    #[test]
    fn reads_the_public_fixture_header_as_published() {
        let file = fixture();
        assert_eq!(&file[..3], &[0xFF, 0x20, 0x65]);
        assert_eq!(&file[3..5], &[0xDF, 0x21]);
        let top = parse(&file).expect("parses");
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].tag, 0xFF20);
        let children = parse(top[0].value).expect("children parse");
        let tags: Vec<u32> = children.iter().map(|t| t.tag).collect();
        assert_eq!(tags, [0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25]);
        assert_eq!(children[1].value, "黒桐　幹也".as_bytes());
    }

    #[test]
    fn accepts_every_length_form() {
        for (encoded, len) in [
            (vec![0xDF, 0x22, 0x03], 3usize),
            (vec![0xDF, 0x22, 0x81, 0x03], 3),
            (vec![0xDF, 0x22, 0x82, 0x00, 0x03], 3),
            (vec![0xDF, 0x22, 0x81, 0xC8], 200),
            (vec![0xDF, 0x22, 0x82, 0x01, 0x2C], 300),
        ] {
            let header = read_header(&encoded).expect("header");
            assert_eq!(header.value_len, len);
            assert_eq!(header.header_len, encoded.len());
            let mut whole = encoded.clone();
            whole.extend(std::iter::repeat_n(b'x', len));
            let parsed = parse(&whole).expect("parses");
            assert_eq!(parsed[0].value.len(), len);
        }
    }

    #[test]
    fn encodes_the_shortest_length_form() {
        for (len, header) in [
            (0x7F, vec![0xDF, 0x23, 0x7F]),
            (0x80, vec![0xDF, 0x23, 0x81, 0x80]),
            (0x100, vec![0xDF, 0x23, 0x82, 0x01, 0x00]),
        ] {
            let mut out = Vec::new();
            encode(0xDF23, &vec![0; len], &mut out);
            assert_eq!(&out[..header.len()], &header[..]);
        }
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(
            parse(&[0xDF, 0x22, 0x80, 0x00]),
            Err(TlvError::UnsupportedLength {
                offset: 2,
                first_byte: 0x80
            })
        );
        assert!(matches!(
            parse(&[0xDF, 0x22, 0x83, 0, 0, 1, 0]),
            Err(TlvError::UnsupportedLength { .. })
        ));
        assert!(matches!(
            parse(&[0xDF, 0x22, 0x05, b'a']),
            Err(TlvError::ValuePastEnd {
                declared: 5,
                available: 1,
                ..
            })
        ));
        assert!(matches!(
            parse(&[0xDF, 0xA2, 0x81, 0x82, 0x01]),
            Err(TlvError::TagTooLong { .. })
        ));
        assert!(matches!(
            parse(&[0xDF, 0x22, 0x82, 0x01]),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(parse(&[0xDF]), Err(TlvError::Truncated { .. })));
    }

    #[test]
    fn filler_ends_the_sequence_but_garbage_does_not() {
        assert_eq!(parse(&[0xFF; 8]).expect("all filler"), vec![]);
        assert_eq!(parse(&[0x00; 8]).expect("all zero filler"), vec![]);
        let mut file = vec![0xDF, 0x25, 0x01, b'2'];
        file.extend_from_slice(&[0xFF, 0xFF, 0xFF]);
        assert_eq!(parse(&file).expect("parses").len(), 1);
        file.push(0x12);
        assert!(
            parse(&file).is_err(),
            "filler followed by data is not filler"
        );
    }
}
