//! The faces forms are printed in, and choosing a glyph for every character.
//!
//! BIZ UDゴシック (SIL OFL, in `assets/fonts`) is built into the binary and prints everything on
//! forms, whose boxes want its even widths; BIZ UDPゴシック, the same family with proportional
//! Latin letters and digits, prints the guidance sheet's running text.
//! IPAmj明朝 (the 58,862 MJ characters of 戸籍 and 住民基本台帳, with IVS) prints names and
//! addresses when it is installed (Debian `fonts-ipamj-mincho`). Each character goes to the
//! first face of the field's chain that has it; an ideographic variation sequence goes to the
//! first face that has that exact variant. What no face can draw is printed as 〓 (the
//! typesetter's mark for a missing character) and reported, so the clerk can write it by hand.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ttf_parser::{Face, GlyphId};

static GOTHIC: &[u8] = include_bytes!("../../../assets/fonts/BIZUDGothic-Regular.ttf");
static GOTHIC_BOLD: &[u8] = include_bytes!("../../../assets/fonts/BIZUDGothic-Bold.ttf");
static PROPORTIONAL: &[u8] = include_bytes!("../../../assets/fonts/BIZUDPGothic-Regular.ttf");
static PROPORTIONAL_BOLD: &[u8] = include_bytes!("../../../assets/fonts/BIZUDPGothic-Bold.ttf");

/// Where Debian's `fonts-ipamj-mincho` puts IPAmj明朝.
pub const DEBIAN_MINCHO: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";

/// The faces, in the order the PDF names them (/F0 … /F4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontKey {
    Gothic,
    GothicBold,
    Mincho,
    Proportional,
    ProportionalBold,
}

impl FontKey {
    pub(crate) const COUNT: usize = 5;

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Which kind of text a field holds; it decides the chain of faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Typeface {
    /// Labels and ordinary values: BIZ UDゴシック, then IPAmj明朝 for what it lacks.
    #[default]
    Gothic,
    /// Headings.
    GothicBold,
    /// Names and addresses: IPAmj明朝 when installed (every MJ character and variant), then
    /// BIZ UDゴシック.
    Names,
    /// Running text a resident reads (the guidance sheet): BIZ UDPゴシック, whose Latin letters
    /// and digits are proportional, then the form faces for what it lacks.
    Proportional,
    ProportionalBold,
}

pub(crate) struct LoadedFace {
    pub(crate) postscript_name: String,
    pub(crate) data: &'static [u8],
    pub(crate) face: Face<'static>,
}

impl LoadedFace {
    fn parse(data: &'static [u8], fallback_name: &str) -> Option<LoadedFace> {
        let face = Face::parse(data, 0).ok()?;
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| fallback_name.to_string());
        Some(LoadedFace {
            postscript_name,
            data,
            face,
        })
    }

    /// Advance of a glyph as a fraction of the em.
    pub(crate) fn advance_em(&self, gid: u16) -> f32 {
        let units = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        f32::from(units) / f32::from(self.face.units_per_em())
    }
}

/// The loaded faces. Load once per process and share: the bytes stay in memory.
pub struct Fonts {
    faces: Vec<Option<LoadedFace>>,
    mincho_path: Option<PathBuf>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("mincho", &self.mincho_path)
            .finish()
    }
}

impl Fonts {
    /// The built-in gothic faces, plus IPAmj明朝 from `$MADOGUCHI_MINCHO_FONT` or Debian's
    /// path when it is there.
    pub fn load() -> Fonts {
        let path = std::env::var_os("MADOGUCHI_MINCHO_FONT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEBIAN_MINCHO));
        Fonts::with_mincho(Some(&path))
    }

    /// The built-in gothic faces, and IPAmj明朝 from `mincho` (`None`: gothic only, as on a
    /// machine without the package).
    pub fn with_mincho(mincho: Option<&Path>) -> Fonts {
        let gothic = LoadedFace::parse(GOTHIC, "BIZUDGothic-Regular");
        let bold = LoadedFace::parse(GOTHIC_BOLD, "BIZUDGothic-Bold");
        let proportional = LoadedFace::parse(PROPORTIONAL, "BIZUDPGothic-Regular");
        let proportional_bold = LoadedFace::parse(PROPORTIONAL_BOLD, "BIZUDPGothic-Bold");
        let loaded = mincho.and_then(|path| read_shared(path).map(|data| (path, data)));
        let (mincho_path, mincho_face) = match loaded {
            Some((path, data)) => match LoadedFace::parse(data, "IPAmjMincho") {
                Some(face) => (Some(path.to_path_buf()), Some(face)),
                None => (None, None),
            },
            None => (None, None),
        };
        Fonts {
            faces: vec![gothic, bold, mincho_face, proportional, proportional_bold],
            mincho_path,
        }
    }

    /// The IPAmj明朝 file in use, if any.
    pub fn mincho(&self) -> Option<&Path> {
        self.mincho_path.as_deref()
    }

    pub(crate) fn face(&self, key: FontKey) -> Option<&LoadedFace> {
        self.faces[key.index()].as_ref()
    }

    fn chain(&self, typeface: Typeface) -> &'static [FontKey] {
        match typeface {
            Typeface::Gothic => &[FontKey::Gothic, FontKey::Mincho],
            Typeface::GothicBold => &[FontKey::GothicBold, FontKey::Gothic, FontKey::Mincho],
            Typeface::Names => &[FontKey::Mincho, FontKey::Gothic],
            Typeface::Proportional => &[FontKey::Proportional, FontKey::Gothic, FontKey::Mincho],
            Typeface::ProportionalBold => &[
                FontKey::ProportionalBold,
                FontKey::GothicBold,
                FontKey::Gothic,
                FontKey::Mincho,
            ],
        }
    }

    /// Chooses a face and glyph for every character cluster of `text`.
    pub(crate) fn shape(&self, text: &str, typeface: Typeface) -> Shaped {
        let mut shaped = Shaped::default();
        for cluster in clusters(text) {
            if cluster == "\n" {
                shaped.glyphs.push(Glyph::hard_break());
                continue;
            }
            match self.glyph_for(&cluster, typeface) {
                Found::Exact(key, gid) => shaped.glyphs.push(self.glyph(cluster, key, gid)),
                Found::BaseOnly(key, gid) => {
                    shaped.problems.push(GlyphProblem {
                        text: cluster.clone(),
                        kind: ProblemKind::VariantUnavailable,
                    });
                    let base: String = cluster.chars().take(1).collect();
                    shaped.glyphs.push(self.glyph(base, key, gid));
                }
                Found::Nothing => {
                    shaped.problems.push(GlyphProblem {
                        text: cluster,
                        kind: ProblemKind::Missing,
                    });
                    let (key, gid) = self.geta();
                    shaped.glyphs.push(self.glyph(GETA.to_string(), key, gid));
                }
            }
        }
        shaped
    }

    fn glyph(&self, text: String, key: FontKey, gid: u16) -> Glyph {
        let advance = self.face(key).map_or(1.0, |face| face.advance_em(gid));
        Glyph {
            text,
            font: key,
            gid,
            advance,
        }
    }

    fn geta(&self) -> (FontKey, u16) {
        let gid = self
            .face(FontKey::Gothic)
            .and_then(|f| f.face.glyph_index(GETA))
            .map_or(0, |g| g.0);
        (FontKey::Gothic, gid)
    }

    fn glyph_for(&self, cluster: &str, typeface: Typeface) -> Found {
        let mut chars = cluster.chars();
        let Some(base) = chars.next() else {
            return Found::Nothing;
        };
        let selector = chars.find(|c| is_variation_selector(*c));
        let chain = self.chain(typeface);
        let faces = || {
            chain
                .iter()
                .filter_map(|key| self.face(*key).map(|face| (*key, face)))
        };
        if let Some(selector) = selector {
            for (key, face) in faces() {
                if let Some(gid) = face.face.glyph_variation_index(base, selector) {
                    return Found::Exact(key, gid.0);
                }
            }
            return faces()
                .find_map(|(key, face)| face.face.glyph_index(base).map(|g| (key, g.0)))
                .map_or(Found::Nothing, |(key, gid)| Found::BaseOnly(key, gid));
        }
        faces()
            .find_map(|(key, face)| face.face.glyph_index(base).map(|g| (key, g.0)))
            .map_or(Found::Nothing, |(key, gid)| Found::Exact(key, gid))
    }
}

enum Found {
    Exact(FontKey, u16),
    BaseOnly(FontKey, u16),
    Nothing,
}

/// 〓 (ゲタ), printed where no face has the character.
pub(crate) const GETA: char = '〓';

/// One drawable unit: a character with its variation selector, in the face chosen for it.
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    /// What the glyph stands for (copied out by `pdftotext`).
    pub(crate) text: String,
    pub(crate) font: FontKey,
    pub(crate) gid: u16,
    /// Advance in ems.
    pub(crate) advance: f32,
}

impl Glyph {
    fn hard_break() -> Glyph {
        Glyph {
            text: "\n".into(),
            font: FontKey::Gothic,
            gid: 0,
            advance: 0.0,
        }
    }

    pub(crate) fn is_hard_break(&self) -> bool {
        self.text == "\n"
    }

    pub(crate) fn is_space(&self) -> bool {
        self.text == " " || self.text == "\u{3000}"
    }
}

/// The glyphs of a text and what could not be drawn as written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shaped {
    pub(crate) glyphs: Vec<Glyph>,
    pub(crate) problems: Vec<GlyphProblem>,
}

/// A character (or variation sequence) that did not print as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlyphProblem {
    /// The character, with its variation selector if any.
    pub text: String,
    pub kind: ProblemKind,
}

impl GlyphProblem {
    /// The code points, e.g. `U+845B U+E0100`, for messages that must not show the name.
    pub fn code_points(&self) -> String {
        self.text
            .chars()
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// No face has the character: 〓 was printed.
    Missing,
    /// No face has this variant: the base character was printed.
    VariantUnavailable,
}

pub(crate) fn is_variation_selector(c: char) -> bool {
    matches!(u32::from(c), 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

fn is_combining(c: char) -> bool {
    is_variation_selector(c) || matches!(u32::from(c), 0x0300..=0x036F | 0x3099..=0x309A | 0x200D)
}

/// Splits text into characters with their selectors and combining marks. CR/LF become one
/// "\n"; other control characters and tabs are dropped.
fn clusters(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    for c in normalised.chars() {
        if c == '\n' {
            out.push("\n".into());
        } else if c.is_control() {
            continue;
        } else if is_combining(c) && out.last().is_some_and(|last| last != "\n") {
            if let Some(last) = out.last_mut() {
                last.push(c);
            }
        } else {
            out.push(c.to_string());
        }
    }
    out
}

/// Font files read once per process: the faces borrow them for as long as it runs.
fn read_shared(path: &Path) -> Option<&'static [u8]> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, &'static [u8]>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(bytes) = cache.get(path) {
        return Some(bytes);
    }
    let bytes: &'static [u8] = Box::leak(std::fs::read(path).ok()?.into_boxed_slice());
    cache.insert(path.to_path_buf(), bytes);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_keep_selectors_with_their_base() {
        assert_eq!(
            clusters("葛\u{E0100}城\r\nA"),
            vec!["葛\u{E0100}", "城", "\n", "A"]
        );
    }

    fn mincho() -> Option<Fonts> {
        let fonts = Fonts::with_mincho(Some(Path::new(DEBIAN_MINCHO)));
        fonts.mincho().is_some().then_some(fonts)
    }

    #[test]
    fn the_gothic_face_has_hashigo_taka_and_tatsu_saki_but_not_tsuchi_yoshi() {
        let fonts = Fonts::with_mincho(None);
        for name in ["髙橋", "山﨑"] {
            let shaped = fonts.shape(name, Typeface::Names);
            assert!(shaped.problems.is_empty(), "{name}: {:?}", shaped.problems);
        }
        let shaped = fonts.shape("𠮷田", Typeface::Names);
        assert_eq!(shaped.problems.len(), 1);
        assert_eq!(shaped.problems[0].code_points(), "U+20BB7");
    }

    #[test]
    fn ipamj_mincho_prints_every_name_character_and_its_variants() {
        let Some(fonts) = mincho() else {
            panic!("IPAmj明朝 is missing: scripts/setup installs fonts-ipamj-mincho");
        };
        // 葛+E0102 is in the Moji_Joho collection that IPAmj明朝 implements.
        for name in ["𠮷田", "髙橋", "山﨑", "葛\u{E0102}城"] {
            let shaped = fonts.shape(name, Typeface::Names);
            assert!(shaped.problems.is_empty(), "{name}: {:?}", shaped.problems);
            assert!(
                shaped.glyphs.iter().all(|g| g.font == FontKey::Mincho),
                "{name}: {:?}",
                shaped.glyphs
            );
        }
        // The variant is its own glyph, not the base character's.
        let plain = fonts.shape("葛", Typeface::Names).glyphs[0].gid;
        let variant = fonts.shape("葛\u{E0102}", Typeface::Names).glyphs[0].gid;
        assert_ne!(plain, variant);
        // 葛+E0100 is an Adobe-Japan1 sequence: IPAmj明朝 lacks it, BIZ UDゴシック has it.
        let adobe = fonts.shape("葛\u{E0100}", Typeface::Names);
        assert!(adobe.problems.is_empty());
        assert_eq!(adobe.glyphs[0].font, FontKey::Gothic);
    }

    #[test]
    fn a_variant_no_face_has_prints_its_base_and_is_reported() {
        let fonts = Fonts::with_mincho(None);
        let shaped = fonts.shape("葛\u{E01EF}", Typeface::Names);
        assert_eq!(shaped.problems[0].kind, ProblemKind::VariantUnavailable);
        assert_eq!(shaped.glyphs[0].text, "葛");
    }

    #[test]
    fn an_unknown_character_is_reported_and_printed_as_geta() {
        let fonts = Fonts::with_mincho(None);
        let shaped = fonts.shape("田\u{2EBF0}", Typeface::Names);
        assert_eq!(shaped.problems.len(), 1);
        assert_eq!(shaped.problems[0].kind, ProblemKind::Missing);
        assert_eq!(shaped.problems[0].code_points(), "U+2EBF0");
        assert_eq!(shaped.glyphs[1].text, "〓");
    }
}
