//! Symbol texts (`docs/qr-format.md` §1-2): framing, parts, checksum and compression.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use madoguchi_domain::Case;
use minicbor::Decoder;

use crate::error::PrefillError;
use crate::render;
use crate::wire::{Document, Invalid};

/// The context: "Madoguchi".
pub const CONTEXT: &str = "MDG";
/// The newest format version this crate writes. It writes `MDG2` for a move, which `MDG2`
/// says as well, so that kiosks not yet upgraded read it; `MDG3` for the other events (§4).
pub const VERSION: &str = "3";
/// The versions this crate reads: `MDG1` wrote 続柄 as a category (`spouse`), which the reader
/// turns into the 住民票's word where the member's sex decides it (§4).
pub const READABLE_VERSIONS: [u8; 3] = [1, 2, 3];
/// At most this many symbols per payload.
pub const MAX_PARTS: u8 = 4;
/// The largest QR version a part may need at ECC M: phones and counter cameras read up to
/// about version 20 reliably.
pub const MAX_QR_VERSION: i16 = 20;
/// Inflating more than this is refused (a damaged or hostile code).
pub const MAX_DOCUMENT_BYTES: usize = 16_384;
/// A code is valid for at most this many days after the day it is made: long enough to
/// make it well before the visit, short enough that stale facts do not reach the counter.
pub const MAX_VALID_DAYS: u64 = 90;
/// The longest symbol text accepted: a QR code of version 40 holds at most 4,296
/// alphanumeric characters. Longer text (a scanner stuck on a key) is refused unread.
pub const MAX_SYMBOL_CHARS: usize = 4_296;

/// What a code carries: the case and its validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefill {
    pub issued: NaiveDate,
    /// The last day the code may be used.
    pub expires: NaiveDate,
    pub case: Case,
}

/// Encodes a pre-fill as one symbol text, or as up to four when one would need a QR version
/// above 20.
pub fn encode(prefill: &Prefill) -> Result<Vec<String>, PrefillError> {
    check_validity(prefill.issued, prefill.expires, None)?;
    prefill
        .case
        .validate()
        .map_err(|e| PrefillError::corrupt(format!("invalid content: {e}")))?;
    let document = Document::from_case(&prefill.case, prefill.issued, prefill.expires);
    let version = if document.event.fits_version_2() {
        "2"
    } else {
        VERSION
    };
    let cbor = minicbor::to_vec(&document)
        .map_err(|e| PrefillError::corrupt(format!("cannot encode: {e}")))?;
    let compressed = miniz_oxide::deflate::compress_to_vec(&cbor, 10);
    let crc = crc32fast::hash(&compressed);
    let mut framed = compressed;
    framed.extend_from_slice(&crc.to_be_bytes());
    for count in 1..=MAX_PARTS {
        let symbols = frame(&framed, count, crc, version);
        let fits = symbols.iter().all(|symbol| {
            render::qr_version(symbol).is_some_and(|version| version <= MAX_QR_VERSION)
        });
        if fits {
            return Ok(symbols);
        }
    }
    Err(PrefillError::TooLarge {
        detail: format!(
            "{} bytes do not fit {MAX_PARTS} symbols of QR version {MAX_QR_VERSION}",
            framed.len()
        ),
    })
}

/// The CBOR document (§3) alone: for interoperability checks against other implementations.
pub fn to_cbor(prefill: &Prefill) -> Result<Vec<u8>, PrefillError> {
    let document = Document::from_case(&prefill.case, prefill.issued, prefill.expires);
    minicbor::to_vec(&document).map_err(|e| PrefillError::corrupt(format!("cannot encode: {e}")))
}

/// A code's days of use: made on a day in the window of `madoguchi_domain::limits`, valid
/// from then for at most [`MAX_VALID_DAYS`], and (when `today` is given) not made later than
/// tomorrow: a home computer's clock may be a day ahead, not more.
fn check_validity(
    issued: NaiveDate,
    expires: NaiveDate,
    today: Option<NaiveDate>,
) -> Result<(), PrefillError> {
    let latest = issued.checked_add_days(chrono::Days::new(MAX_VALID_DAYS));
    let plausible = madoguchi_domain::limits::date_in_window(issued)
        && expires >= issued
        && latest.is_some_and(|latest| expires <= latest)
        && today.is_none_or(|today| today.succ_opt().is_some_and(|tomorrow| issued <= tomorrow));
    if plausible {
        Ok(())
    } else {
        Err(PrefillError::Validity { issued, expires })
    }
}

fn frame(framed: &[u8], count: u8, crc: u32, version: &str) -> Vec<String> {
    if count == 1 {
        return vec![format!("{CONTEXT}{version}:{}", base45::encode(framed))];
    }
    let piece = framed.len().div_ceil(usize::from(count));
    framed
        .chunks(piece.max(1))
        .enumerate()
        .map(|(i, chunk)| {
            format!(
                "{CONTEXT}{version}-{}-{count}-{crc:08X}:{}",
                i + 1,
                base45::encode(chunk)
            )
        })
        .collect()
}

/// Decodes the symbols of one code, in any order, checking its expiry against `today`.
pub fn decode<S: AsRef<str>>(symbols: &[S], today: NaiveDate) -> Result<Prefill, PrefillError> {
    let mut assembler = Assembler::default();
    for symbol in symbols {
        assembler.add(symbol.as_ref())?;
    }
    assembler.finish(today)
}

/// Collects symbols as they are read (a camera may see the parts one at a time) until the code
/// is whole.
#[derive(Debug, Default)]
pub struct Assembler {
    /// The format version of the symbols read so far.
    version: Option<u8>,
    single: Option<Vec<u8>>,
    /// Parts by their payload's CRC; each holds its count and its pieces by index.
    parts: BTreeMap<u32, (u8, BTreeMap<u8, Vec<u8>>)>,
}

/// Where an assembler stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Nothing,
    Waiting { missing: Vec<u8>, count: u8 },
    Complete,
}

struct Header {
    version: u8,
    part: Option<(u8, u8, u32)>,
}

impl Assembler {
    /// Adds one symbol's text (as a camera decodes it or a scanner types it).
    pub fn add(&mut self, text: &str) -> Result<Progress, PrefillError> {
        // Scanners end with Enter (and sometimes Tab); Caps Lock makes letters lower case,
        // and the format has none. Spaces belong to base45 and stay.
        if text.len() > MAX_SYMBOL_CHARS + 2 {
            return Err(PrefillError::TooLarge {
                detail: format!("a symbol of {} characters", text.len()),
            });
        }
        let text = text.trim_matches(['\r', '\n', '\t']).to_ascii_uppercase();
        let (header, data) = text.split_once(':').ok_or(PrefillError::WrongPrefix)?;
        let header = parse_header(header)?;
        if self.version.is_some_and(|known| known != header.version) {
            return Err(PrefillError::MixedPayloads);
        }
        self.version = Some(header.version);
        let bytes = base45::decode(data)
            .map_err(|_| PrefillError::corrupt("not base45 after the header"))?;
        match header.part {
            None => {
                if !self.parts.is_empty() || self.single.as_ref().is_some_and(|s| *s != bytes) {
                    return Err(PrefillError::MixedPayloads);
                }
                self.single = Some(bytes);
            }
            Some((index, count, crc)) => self.add_part(index, count, crc, bytes)?,
        }
        Ok(self.progress())
    }

    fn add_part(
        &mut self,
        index: u8,
        count: u8,
        crc: u32,
        bytes: Vec<u8>,
    ) -> Result<(), PrefillError> {
        if self.single.is_some() || self.parts.keys().any(|known| *known != crc) {
            return Err(PrefillError::MixedPayloads);
        }
        let (known_count, pieces) = self.parts.entry(crc).or_insert((count, BTreeMap::new()));
        if *known_count != count {
            return Err(PrefillError::corrupt(
                "parts disagree on how many there are",
            ));
        }
        if pieces.get(&index).is_some_and(|known| *known != bytes) {
            return Err(PrefillError::corrupt(format!(
                "two different parts {index}"
            )));
        }
        pieces.insert(index, bytes);
        Ok(())
    }

    pub fn progress(&self) -> Progress {
        if self.single.is_some() {
            return Progress::Complete;
        }
        match self.parts.values().next() {
            None => Progress::Nothing,
            Some((count, pieces)) => {
                let missing: Vec<u8> = (1..=*count).filter(|i| !pieces.contains_key(i)).collect();
                if missing.is_empty() {
                    Progress::Complete
                } else {
                    Progress::Waiting {
                        missing,
                        count: *count,
                    }
                }
            }
        }
    }

    /// The decoded code, once every part is in, checked for use on `today`.
    pub fn finish(&self, today: NaiveDate) -> Result<Prefill, PrefillError> {
        let prefill = self.open()?;
        prefill.check_day(today)?;
        Ok(prefill)
    }

    /// The decoded code, once every part is in, with its dates checked for plausibility but
    /// not against a day: whoever holds the date (the kiosk's session) calls
    /// [`Prefill::check_day`].
    pub fn open(&self) -> Result<Prefill, PrefillError> {
        let (framed, header_crc) = match (&self.single, self.parts.iter().next()) {
            (Some(bytes), _) => (bytes.clone(), None),
            (None, Some((crc, (count, pieces)))) => {
                if let Progress::Waiting { missing, count } = self.progress() {
                    return Err(PrefillError::MissingParts { missing, count });
                }
                let joined: Vec<u8> = (1..=*count)
                    .filter_map(|i| pieces.get(&i))
                    .flatten()
                    .copied()
                    .collect();
                (joined, Some(*crc))
            }
            (None, None) => return Err(PrefillError::Empty),
        };
        open_framed(&framed, header_crc, self.version.unwrap_or(1))
    }
}

impl Prefill {
    /// Whether the code may be used on `today`: not made after tomorrow (a home computer's
    /// clock may be a day ahead, not more), and not expired.
    pub fn check_day(&self, today: NaiveDate) -> Result<(), PrefillError> {
        check_validity(self.issued, self.expires, Some(today))?;
        if today > self.expires {
            return Err(PrefillError::Expired {
                expired_on: self.expires,
            });
        }
        Ok(())
    }
}

fn parse_header(header: &str) -> Result<Header, PrefillError> {
    let rest = header
        .strip_prefix(CONTEXT)
        .ok_or(PrefillError::WrongPrefix)?;
    let mut fields = rest.split('-');
    let version = fields.next().unwrap_or_default();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PrefillError::WrongPrefix);
    }
    let version = version
        .parse::<u8>()
        .ok()
        .filter(|v| READABLE_VERSIONS.contains(v))
        .ok_or_else(|| PrefillError::UnsupportedVersion {
            version: format!("{CONTEXT}{}", version.chars().take(8).collect::<String>()),
        })?;
    let fields: Vec<&str> = fields.collect();
    match fields.as_slice() {
        [] => Ok(Header {
            version,
            part: None,
        }),
        [index, count, crc] => {
            let bad = || PrefillError::corrupt("malformed part header");
            let index: u8 = index.parse().map_err(|_| bad())?;
            let count: u8 = count.parse().map_err(|_| bad())?;
            if crc.len() != 8 {
                return Err(bad());
            }
            let crc = u32::from_str_radix(crc, 16).map_err(|_| bad())?;
            if count > MAX_PARTS {
                return Err(PrefillError::TooLarge {
                    detail: format!("{count} parts"),
                });
            }
            if index == 0 || count < 2 || index > count {
                return Err(bad());
            }
            Ok(Header {
                version,
                part: Some((index, count, crc)),
            })
        }
        _ => Err(PrefillError::corrupt("malformed part header")),
    }
}

/// Checks the CRC, inflates, decodes the document and validates the case.
fn open_framed(
    framed: &[u8],
    header_crc: Option<u32>,
    version: u8,
) -> Result<Prefill, PrefillError> {
    if framed.len() < 5 {
        return Err(PrefillError::corrupt("too short"));
    }
    let (compressed, crc_bytes) = framed.split_at(framed.len() - 4);
    let crc = crc32fast::hash(compressed);
    let stated = u32::from_be_bytes([crc_bytes[0], crc_bytes[1], crc_bytes[2], crc_bytes[3]]);
    if crc != stated || header_crc.is_some_and(|h| h != crc) {
        return Err(PrefillError::corrupt("checksum mismatch"));
    }
    let cbor = miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, MAX_DOCUMENT_BYTES)
        .map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => PrefillError::TooLarge {
            detail: format!("document over {MAX_DOCUMENT_BYTES} bytes"),
        },
        _ => PrefillError::corrupt("not DEFLATE data"),
    })?;
    let mut decoder = Decoder::new(&cbor);
    let document: Document = decoder
        .decode()
        .map_err(|e| PrefillError::corrupt(format!("CBOR: {e}")))?;
    if decoder.position() != cbor.len() {
        return Err(PrefillError::corrupt("bytes after the document"));
    }
    let case = document.to_case(version).map_err(|invalid| match invalid {
        Invalid::Content(e) => PrefillError::corrupt(format!("invalid content: {e}")),
        Invalid::OlderFormat(detail) => PrefillError::OlderFormat { detail },
    })?;
    Ok(Prefill {
        issued: document.issued.0,
        expires: document.expires.0,
        case,
    })
}
