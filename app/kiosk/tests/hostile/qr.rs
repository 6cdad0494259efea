//! Pre-fill codes, as a camera or a scanner delivers them: the text decoder (with the engine
//! on whatever it accepts), `madoguchi qr decode --text`, and the image decoder on hostile
//! picture files through `madoguchi qr decode FILE`.

use std::path::Path;

use chrono::NaiveDate;
use madoguchi_domain::Case;
use madoguchi_prefill::{Prefill, decode, encode, to_cbor};
use madoguchi_rules::{Catalogue, Engine};

use crate::support::{LIMIT, Madoguchi, Section, within};

const FAMILY: &str = madoguchi_kiosk::samples::FAMILY_OF_FOUR;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// The day the suite decodes on.
pub fn today() -> NaiveDate {
    day(2026, 4, 2)
}

fn family() -> Prefill {
    Prefill {
        issued: day(2026, 3, 30),
        expires: day(2026, 4, 29),
        case: serde_json::from_str(FAMILY).expect("example"),
    }
}

/// A one-symbol code around any CBOR bytes, framed as the format says (raw DEFLATE, CRC-32,
/// base45), so that the decoder meets documents no encoder would write.
pub fn symbol_of(cbor: &[u8]) -> String {
    let mut framed = miniz_oxide::deflate::compress_to_vec(cbor, 10);
    let crc = crc32fast::hash(&framed);
    framed.extend_from_slice(&crc.to_be_bytes());
    format!("MDG2:{}", base45::encode(&framed))
}

/// The CBOR of the family's code with the date `from` (as the format's YYYYMMDD integer)
/// replaced by `to`, wherever it is.
fn with_date(from: u32, to: u32) -> Vec<u8> {
    let cbor = to_cbor(&family()).expect("cbor");
    let old = [&[0x1a][..], &from.to_be_bytes()].concat();
    let new = [&[0x1a][..], &to.to_be_bytes()].concat();
    let mut out = Vec::new();
    let mut rest = &cbor[..];
    while let Some(at) = rest.windows(old.len()).position(|w| w == old) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(&new);
        rest = &rest[at + old.len()..];
    }
    out.extend_from_slice(rest);
    assert_ne!(out, cbor, "{from} is in the document");
    out
}

/// A small, repeatable stream of pseudo-random numbers (xorshift).
pub struct Noise(pub u64);

impl Noise {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Named hostile symbol texts: each alone is one code as a scanner types it.
pub fn named() -> Vec<(String, Vec<String>)> {
    let valid = encode(&family()).expect("the family's code");
    let mut corpus: Vec<(String, Vec<String>)> = Vec::new();
    let mut one = |name: &str, text: String| corpus.push((name.to_string(), vec![text]));
    // The reported crash: a well-formed code whose move date is 262142-12-31.
    one(
        "move date 262142-12-31",
        symbol_of(&with_date(20260328, 2_621_421_231)),
    );
    one("a birth in year 0", symbol_of(&with_date(19910714, 101)));
    one(
        "expires 9999-12-31",
        symbol_of(&with_date(20260429, 99_991_231)),
    );
    one(
        "issued in 2100",
        symbol_of(&with_date(20260330, 21_000_101)),
    );
    one(
        "expires before it was made",
        symbol_of(&with_date(20260429, 20260101)),
    );
    one(
        "visit date 2201-01-01",
        symbol_of(&with_date(20260402, 22_010_101)),
    );
    // A decompression bomb that fits a symbol: 1 MB of zeros.
    one("a DEFLATE bomb", symbol_of(&vec![0u8; 1024 * 1024]));
    one(
        "a CBOR array of 2^64 items",
        symbol_of(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    );
    one(
        "a CBOR string of 2^64 bytes",
        symbol_of(&[0x87, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    );
    one("CBOR nested 10,000 deep", symbol_of(&vec![0x81; 10_000]));
    one("an empty document", symbol_of(&[]));
    one("1 MB of text", "A".repeat(1024 * 1024));
    one(
        "the largest symbol's length of base45",
        "MDG1:".to_string() + &"0".repeat(4291),
    );
    for text in [
        "",
        ":",
        "MDG1",
        "MDG1:",
        "MDG99:0000",
        "MDG:0000",
        "mdg1:%%%%",
        "MDG1-0-2-00000000:00",
        "MDG1-3-2-00000000:00",
        "MDG1-1-255-00000000:00",
        "MDG1-1-2-ZZZZZZZZ:00",
        "MDG1-1-2-0000000:00",
        "MDG1-1-1-00000000:00",
        "MDG1-1-2-3-4:00",
        "\u{0}\u{0}\u{0}",
        "MDG1:\u{1b}[2J",
        "https://example.invalid/",
        "ＭＤＧ１：ＡＢＣ",
    ] {
        one(&format!("{text:.24?}"), text.to_string());
    }
    // Parts that do not belong together, and one part alone.
    let parts = {
        let mut big: Case = serde_json::from_str(FAMILY).expect("example");
        for i in 0..30 {
            big.answers.insert(
                format!("note_{i}"),
                madoguchi_domain::Answer::Choice(format!("{i}{}", "x".repeat(40))),
            );
        }
        encode(&Prefill {
            case: big,
            ..family()
        })
        .expect("a multi-part code")
    };
    corpus.push(("one part of several".into(), vec![parts[0].clone()]));
    corpus.push((
        "parts of two codes".into(),
        vec![parts[0].clone(), valid[0].clone()],
    ));
    corpus.push(("the same part twice".into(), vec![parts[0].clone(); 2]));
    corpus
}

/// The decoder and the engine on one code: `Err` only for a panic or a hang.
fn decode_and_decide(catalogue: &'static Catalogue, symbols: Vec<String>) -> Result<(), String> {
    within(LIMIT, move || {
        if let Ok(prefill) = decode(&symbols, today()) {
            let mut case = prefill.case;
            case.event.set_visit_date(today());
            let _ = Engine::new(catalogue).evaluate(&case, today());
        }
    })
}

/// The text decoder: the named corpus and 2,000 damaged copies of a real code.
pub fn text(catalogue: &'static Catalogue) -> Section {
    let mut section = Section::new("QR symbol text (decode, then the engine)");
    let reported = symbol_of(&with_date(20260328, 2_621_421_231));
    section.check(
        "move date 262142-12-31 is refused",
        match decode(&[reported], today()) {
            Err(error) if error.code() == "corrupt" => None,
            other => Some(format!("{other:?}")),
        },
    );
    for (name, symbols) in named() {
        section.check(&name, decode_and_decide(catalogue, symbols).err());
    }
    let valid = encode(&family()).expect("code")[0].clone();
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for round in 0..2000 {
        let mut bytes = valid.clone().into_bytes();
        match round % 3 {
            0 => {
                for _ in 0..1 + noise.below(4) {
                    let at = noise.below(bytes.len());
                    bytes[at] = ALPHABET[noise.below(ALPHABET.len())];
                }
            }
            1 => bytes.truncate(noise.below(bytes.len())),
            _ => {
                let at = 5 + noise.below(bytes.len() - 5);
                bytes.insert(at, ALPHABET[noise.below(ALPHABET.len())]);
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        section.check(
            &format!("damaged copy {round}"),
            decode_and_decide(catalogue, vec![text]).err(),
        );
    }
    section
}

/// `madoguchi qr decode --text …` on the named corpus: refused in one line, never 101.
pub fn command_line(madoguchi: &Madoguchi) -> Section {
    let mut section = Section::new("QR symbol text (madoguchi qr decode --text)");
    for (name, symbols) in named() {
        let mut args = vec!["qr", "decode", "--today", "2026-04-02"];
        for symbol in &symbols {
            args.push("--text");
            args.push(symbol);
        }
        // A 1 MB argument, or one with a NUL, cannot be given on a command line at all; the
        // decoder's handling of them is checked through the library above.
        if symbols.iter().map(String::len).sum::<usize>() > 100_000
            || symbols.iter().any(|s| s.contains('\0'))
        {
            continue;
        }
        section.check(&name, madoguchi.run(&args).problem());
    }
    section
}

/// Picture files that claim or hold too much, as `qr decode FILE` and camera frames meet them.
pub fn images(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("QR images (madoguchi qr decode FILE: PNG, JPEG, SVG)");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let mut files = vec![
        ("a PNG claiming 20,000 × 20,000", write("huge.png", &huge_png(20_000, 20_000))),
        ("a PNG claiming 4097 × 10", write("wide.png", &huge_png(4097, 10))),
        ("an empty PNG", write("empty.png", b"")),
        ("a truncated PNG", write("cut.png", &huge_png(100, 100)[..40])),
        ("text named .png", write("text.png", b"not a picture")),
        ("a JPEG that is not", write("bad.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J'])),
        (
            "an SVG with a huge blur (1.4 KB)",
            write("blur.svg", blur_svg().as_bytes()),
        ),
        (
            "an SVG image of /dev/zero",
            write(
                "zero.svg",
                br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"><image href="/dev/zero" xlink:href="/dev/zero" width="100" height="100"/></svg>"#,
            ),
        ),
        ("an SVG use-bomb", write("bomb.svg", use_bomb().as_bytes())),
        (
            "an SVG 10^9 wide",
            write(
                "wide.svg",
                br#"<svg xmlns="http://www.w3.org/2000/svg" width="1000000000" height="10"><rect width="10" height="10"/></svg>"#,
            ),
        ),
        (
            "an SVG nested 5,000 deep",
            write(
                "deep.svg",
                format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}{}</svg>"#,
                    "<g>".repeat(5000),
                    "</g>".repeat(5000)
                )
                .as_bytes(),
            ),
        ),
        ("3 MB of SVG", write("big.svg", &vec![b' '; 3 * 1024 * 1024])),
        ("an SVG that is not", write("text.svg", b"<svg")),
    ];
    let folder = dir.join("folder.png");
    std::fs::create_dir_all(&folder).expect("folder");
    files.push(("a folder named .png", folder));
    let zero = dir.join("zero.png");
    let _ = std::fs::remove_file(&zero);
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    files.push(("/dev/zero named .png", zero));
    for (name, path) in files {
        let ran = madoguchi.run(&[
            "qr",
            "decode",
            "--today",
            "2026-04-02",
            &path.to_string_lossy(),
        ]);
        section.check(name, ran.refused());
    }
    section
}

/// A PNG whose header states `width` × `height` pixels, with one tiny compressed row: a few
/// dozen bytes that a careless decoder allocates gigabytes for.
pub fn huge_png(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32fast::hash(&crc_input).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
    chunk(&mut png, b"IHDR", &header);
    let row = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 + width as usize], 9);
    chunk(&mut png, b"IDAT", &row);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn blur_svg() -> String {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1300" height="1300"><defs><filter id="f" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="100000000"/></filter></defs>"#,
    );
    for i in 0..10 {
        svg.push_str(&format!(
            r#"<rect x="{}" y="{}" width="1000" height="1000" filter="url(#f)"/>"#,
            i * 10,
            i * 10
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Ten levels of ten `<use>` each: 10^10 rectangles if expanded.
fn use_bomb() -> String {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"><defs><rect id="l0" width="1" height="1"/>"#,
    );
    for level in 1..=10 {
        svg.push_str(&format!(r#"<g id="l{level}">"#));
        for _ in 0..10 {
            svg.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, level - 1));
        }
        svg.push_str("</g>");
    }
    svg.push_str(r##"</defs><use xlink:href="#l10"/></svg>"##);
    svg
}
