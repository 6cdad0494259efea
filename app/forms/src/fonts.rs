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
//!
//! A guidance sheet in a resident's language prints in Noto, from Debian, read when first
//! needed: Noto Sans (`fonts-noto-core`) for Tiếng Việt's stacked diacritics, Filipino,
//! Português and Bahasa Indonesia; Noto Sans Devanagari (`fonts-noto-core`) for नेपाली; Noto Sans
//! CJK SC and KR (`fonts-noto-cjk`, faces 2 and 1 of the collection) for 中文 and 한국어, whose
//! letters BIZ UD lacks (Hangul) or draws the Japanese way (简体字). Runs in these faces are
//! shaped by HarfRust (the HarfBuzz port Slint uses too): Devanagari's conjuncts and
//! reordered vowel signs and Vietnamese marks need a shaping engine, never glyph by glyph.

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

/// Where Debian's `fonts-noto-core` and `fonts-noto-cjk` put their faces.
pub const DEBIAN_NOTO_CORE: &str = "/usr/share/fonts/truetype/noto";
pub const DEBIAN_NOTO_CJK: &str = "/usr/share/fonts/opentype/noto";

/// The faces, in the order the PDF names them (/F0 … /F12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontKey {
    Gothic,
    GothicBold,
    Mincho,
    Proportional,
    ProportionalBold,
    /// Noto Sans: Latin with every Vietnamese letter.
    Latin,
    LatinBold,
    Devanagari,
    DevanagariBold,
    /// Noto Sans CJK SC.
    Chinese,
    ChineseBold,
    /// Noto Sans CJK KR.
    Korean,
    KoreanBold,
}

impl FontKey {
    pub(crate) const COUNT: usize = 13;

    /// The Noto faces a resident's language prints in, read on first use.
    const RESIDENT: [FontKey; 8] = [
        FontKey::Latin,
        FontKey::LatinBold,
        FontKey::Devanagari,
        FontKey::DevanagariBold,
        FontKey::Chinese,
        FontKey::ChineseBold,
        FontKey::Korean,
        FontKey::KoreanBold,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The file (under Debian's Noto folders) and collection index of a resident face.
    fn noto_file(self) -> Option<(&'static str, &'static str, u32)> {
        let core = DEBIAN_NOTO_CORE;
        let cjk = DEBIAN_NOTO_CJK;
        Some(match self {
            FontKey::Latin => (core, "NotoSans-Regular.ttf", 0),
            FontKey::LatinBold => (core, "NotoSans-Bold.ttf", 0),
            FontKey::Devanagari => (core, "NotoSansDevanagari-Regular.ttf", 0),
            FontKey::DevanagariBold => (core, "NotoSansDevanagari-Bold.ttf", 0),
            FontKey::Chinese => (cjk, "NotoSansCJK-Regular.ttc", 2),
            FontKey::ChineseBold => (cjk, "NotoSansCJK-Bold.ttc", 2),
            FontKey::Korean => (cjk, "NotoSansCJK-Regular.ttc", 1),
            FontKey::KoreanBold => (cjk, "NotoSansCJK-Bold.ttc", 1),
            _ => return None,
        })
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
    /// Running text in a resident's language: its Noto face first (shaped), then the
    /// proportional chain for the Japanese beside it.
    Resident(madoguchi_domain::Language, Weight),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Typeface {
    /// The running-text face of a guidance sheet in `language`.
    pub fn running(language: madoguchi_domain::Language, weight: Weight) -> Typeface {
        match (language.is_translated(), weight) {
            (true, _) => Typeface::Resident(language, weight),
            (false, Weight::Regular) => Typeface::Proportional,
            (false, Weight::Bold) => Typeface::ProportionalBold,
        }
    }
}

pub(crate) struct LoadedFace {
    pub(crate) postscript_name: String,
    pub(crate) data: &'static [u8],
    /// The face's index in its file (a collection holds several).
    pub(crate) index: u32,
    pub(crate) face: Face<'static>,
    /// Outlines in CFF (Noto CJK): embedded as an OpenType font program, not TrueType.
    pub(crate) cff: bool,
    /// Set for faces whose runs are shaped (the Noto faces).
    shaping: Option<Shaping>,
}

/// What HarfRust keeps of a face between runs.
struct Shaping {
    font: harfrust::FontRef<'static>,
    data: harfrust::ShaperData,
}

impl LoadedFace {
    fn parse(data: &'static [u8], fallback_name: &str) -> Option<LoadedFace> {
        LoadedFace::parse_index(data, 0, fallback_name)
    }

    fn parse_index(data: &'static [u8], index: u32, fallback_name: &str) -> Option<LoadedFace> {
        let face = Face::parse(data, index).ok()?;
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| fallback_name.to_string());
        let cff = face.tables().cff.is_some();
        Some(LoadedFace {
            postscript_name,
            data,
            index,
            face,
            cff,
            shaping: None,
        })
    }

    /// A Noto face, ready to shape.
    fn shaped(data: &'static [u8], index: u32, fallback_name: &str) -> Option<LoadedFace> {
        let mut face = LoadedFace::parse_index(data, index, fallback_name)?;
        let font = harfrust::FontRef::from_index(data, index).ok()?;
        let shaper_data = harfrust::ShaperData::new(&font);
        face.shaping = Some(Shaping {
            font,
            data: shaper_data,
        });
        Some(face)
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
    /// The Noto faces, each read the first time a sheet needs it (`None`: not installed).
    resident: [OnceLock<Option<LoadedFace>>; 8],
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
            resident: Default::default(),
        }
    }

    /// The IPAmj明朝 file in use, if any.
    pub fn mincho(&self) -> Option<&Path> {
        self.mincho_path.as_deref()
    }

    pub(crate) fn face(&self, key: FontKey) -> Option<&LoadedFace> {
        if let Some(slot) = FontKey::RESIDENT.iter().position(|k| *k == key) {
            return self.resident[slot]
                .get_or_init(|| {
                    let (folder, file, index) = key.noto_file()?;
                    let data = read_shared(&Path::new(folder).join(file))?;
                    LoadedFace::shaped(data, index, file)
                })
                .as_ref();
        }
        self.faces.get(key.index())?.as_ref()
    }

    /// Whether the faces a resident's language prints in are installed (a sheet in it would
    /// otherwise print 〓 for every letter BIZ UD lacks).
    pub fn has_faces_for(&self, language: madoguchi_domain::Language) -> bool {
        self.chain(Typeface::Resident(language, Weight::Regular))
            .first()
            .is_some_and(|key| self.face(*key).is_some())
    }

    fn chain(&self, typeface: Typeface) -> &'static [FontKey] {
        use madoguchi_domain::Language;
        const PROPORTIONAL: [FontKey; 3] =
            [FontKey::Proportional, FontKey::Gothic, FontKey::Mincho];
        const PROPORTIONAL_BOLD: [FontKey; 4] = [
            FontKey::ProportionalBold,
            FontKey::GothicBold,
            FontKey::Gothic,
            FontKey::Mincho,
        ];
        match typeface {
            Typeface::Gothic => &[FontKey::Gothic, FontKey::Mincho],
            Typeface::GothicBold => &[FontKey::GothicBold, FontKey::Gothic, FontKey::Mincho],
            Typeface::Names => &[FontKey::Mincho, FontKey::Gothic],
            Typeface::Proportional => &PROPORTIONAL,
            Typeface::ProportionalBold => &PROPORTIONAL_BOLD,
            Typeface::Resident(language, weight) => match (language, weight) {
                (Language::Nepali, Weight::Regular) => &[
                    FontKey::Devanagari,
                    FontKey::Latin,
                    FontKey::Proportional,
                    FontKey::Gothic,
                    FontKey::Mincho,
                ],
                (Language::Nepali, Weight::Bold) => &[
                    FontKey::DevanagariBold,
                    FontKey::LatinBold,
                    FontKey::ProportionalBold,
                    FontKey::GothicBold,
                    FontKey::Gothic,
                ],
                (Language::ChineseSimplified, Weight::Regular) => &[
                    FontKey::Chinese,
                    FontKey::Proportional,
                    FontKey::Gothic,
                    FontKey::Mincho,
                ],
                (Language::ChineseSimplified, Weight::Bold) => &[
                    FontKey::ChineseBold,
                    FontKey::ProportionalBold,
                    FontKey::GothicBold,
                    FontKey::Gothic,
                ],
                (Language::Korean, Weight::Regular) => &[
                    FontKey::Korean,
                    FontKey::Proportional,
                    FontKey::Gothic,
                    FontKey::Mincho,
                ],
                (Language::Korean, Weight::Bold) => &[
                    FontKey::KoreanBold,
                    FontKey::ProportionalBold,
                    FontKey::GothicBold,
                    FontKey::Gothic,
                ],
                (_, Weight::Regular) => &[
                    FontKey::Latin,
                    FontKey::Proportional,
                    FontKey::Gothic,
                    FontKey::Mincho,
                ],
                (_, Weight::Bold) => &[
                    FontKey::LatinBold,
                    FontKey::ProportionalBold,
                    FontKey::GothicBold,
                    FontKey::Gothic,
                ],
            },
        }
    }

    /// Chooses a face and glyph for every character cluster of `text`; a run of clusters in a
    /// face that is shaped goes through HarfRust whole.
    pub(crate) fn shape(&self, text: &str, typeface: Typeface) -> Shaped {
        let mut shaped = Shaped::default();
        let mut run: Option<(FontKey, String)> = None;
        for cluster in clusters(text) {
            if cluster == "\n" {
                self.flush_run(&mut run, &mut shaped);
                shaped.glyphs.push(Glyph::hard_break());
                continue;
            }
            let found = self.glyph_for(&cluster, typeface);
            if let Found::Exact(key, _) = found
                && self.is_shaped(key)
            {
                match &mut run {
                    Some((run_key, text)) if *run_key == key => text.push_str(&cluster),
                    _ => {
                        self.flush_run(&mut run, &mut shaped);
                        run = Some((key, cluster));
                    }
                }
                continue;
            }
            self.flush_run(&mut run, &mut shaped);
            match found {
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
        self.flush_run(&mut run, &mut shaped);
        shaped
    }

    fn is_shaped(&self, key: FontKey) -> bool {
        self.face(key).is_some_and(|f| f.shaping.is_some())
    }

    fn flush_run(&self, run: &mut Option<(FontKey, String)>, shaped: &mut Shaped) {
        if let Some((key, text)) = run.take() {
            shaped.glyphs.extend(self.shape_run(key, &text));
        }
    }

    /// Shapes `text` in one face. Each glyph carries the text of its cluster (the first glyph
    /// of a cluster; the others carry none and never start a line), its advance and its
    /// offset from the pen, in ems.
    fn shape_run(&self, key: FontKey, text: &str) -> Vec<Glyph> {
        let Some((face, shaping)) = self
            .face(key)
            .and_then(|face| face.shaping.as_ref().map(|s| (face, s)))
        else {
            return Vec::new();
        };
        let shaper = shaping.data.shaper(&shaping.font).build();
        let mut buffer = harfrust::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = shaper.shape(buffer, harfrust::ShapeOptions::new());
        let em = f32::from(face.face.units_per_em());
        let mut starts: Vec<usize> = output
            .glyph_infos()
            .iter()
            .map(|info| info.cluster as usize)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let end_of = |start: usize| {
            starts
                .iter()
                .copied()
                .find(|&s| s > start)
                .unwrap_or(text.len())
        };
        let mut given = std::collections::HashSet::new();
        output
            .glyph_infos()
            .iter()
            .zip(output.glyph_positions())
            .map(|(info, position)| {
                let start = info.cluster as usize;
                let cluster_text = if given.insert(start) {
                    text.get(start..end_of(start))
                        .unwrap_or_default()
                        .to_string()
                } else {
                    String::new()
                };
                Glyph {
                    text: cluster_text,
                    font: key,
                    gid: u16::try_from(info.glyph_id).unwrap_or(0),
                    advance: position.x_advance as f32 / em,
                    offset: (position.x_offset as f32 / em, position.y_offset as f32 / em),
                    shaped: true,
                }
            })
            .collect()
    }

    fn glyph(&self, text: String, key: FontKey, gid: u16) -> Glyph {
        let advance = self.face(key).map_or(1.0, |face| face.advance_em(gid));
        Glyph {
            text,
            font: key,
            gid,
            advance,
            offset: (0.0, 0.0),
            shaped: false,
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

/// One drawable unit: a character with its variation selector, in the face chosen for it, or
/// one glyph of a shaped cluster.
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    /// What the glyph stands for (copied out by `pdftotext`); empty for a shaped cluster's
    /// second and later glyphs.
    pub(crate) text: String,
    pub(crate) font: FontKey,
    pub(crate) gid: u16,
    /// Advance in ems.
    pub(crate) advance: f32,
    /// Where the shaper moved the glyph from the pen (a mark over its base), in ems, y up.
    pub(crate) offset: (f32, f32),
    /// Placed by the shaper: drawn where it says, with the run's text for copying.
    pub(crate) shaped: bool,
}

impl Glyph {
    fn hard_break() -> Glyph {
        Glyph {
            text: "\n".into(),
            font: FontKey::Gothic,
            gid: 0,
            advance: 0.0,
            offset: (0.0, 0.0),
            shaped: false,
        }
    }

    /// The second or later glyph of a shaped cluster: a line never starts with it.
    pub(crate) fn continues_cluster(&self) -> bool {
        self.shaped && self.text.is_empty()
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

    fn resident(language: madoguchi_domain::Language, text: &str) -> Shaped {
        let fonts = Fonts::with_mincho(None);
        assert!(
            fonts.has_faces_for(language),
            "Noto is missing: scripts/setup installs fonts-noto-core and fonts-noto-cjk"
        );
        fonts.shape(text, Typeface::Resident(language, Weight::Regular))
    }

    fn joined(shaped: &Shaped) -> String {
        shaped.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn devanagari_is_shaped_into_conjuncts_and_reordered_vowel_signs() {
        use madoguchi_domain::Language;
        // क्ष (ka + virama + ssa) is one conjunct glyph; ि is drawn before its consonant.
        let text = "क्षेत्र कि";
        let shaped = resident(Language::Nepali, text);
        assert!(shaped.problems.is_empty(), "{:?}", shaped.problems);
        assert!(shaped.glyphs.iter().all(|g| g.font == FontKey::Devanagari));
        assert!(
            shaped.glyphs.len() < text.chars().count(),
            "{:?}",
            shaped.glyphs
        );
        // Copying the glyphs gives the text back, each cluster once.
        assert_eq!(joined(&shaped), text);
        let ki = &shaped.glyphs[shaped.glyphs.len() - 2..];
        assert_eq!(
            ki[0].text, "कि",
            "the vowel sign's glyph comes first and carries the cluster"
        );
        assert!(ki[1].continues_cluster());
    }

    #[test]
    fn vietnamese_marks_sit_on_their_letters() {
        use madoguchi_domain::Language;
        // ệ written as e + dot below + circumflex: the marks are placed, not spaced out.
        let decomposed = "Vie\u{0323}\u{0302}t";
        let shaped = resident(Language::Vietnamese, decomposed);
        assert!(shaped.problems.is_empty(), "{:?}", shaped.problems);
        assert_eq!(joined(&shaped), decomposed);
        assert!(shaped.glyphs.iter().all(|g| g.font == FontKey::Latin));
        let precomposed = resident(Language::Vietnamese, "Việt");
        let width = |s: &Shaped| s.glyphs.iter().map(|g| g.advance).sum::<f32>();
        assert!((width(&shaped) - width(&precomposed)).abs() < 0.01);
    }

    #[test]
    fn chinese_and_korean_print_in_their_own_faces_with_japanese_beside() {
        use madoguchi_domain::Language;
        let chinese = resident(Language::ChineseSimplified, "出生申报（出生届）");
        assert!(chinese.problems.is_empty());
        assert!(chinese.glyphs.iter().all(|g| g.font == FontKey::Chinese));
        let korean = resident(Language::Korean, "출생신고 (出生届)");
        assert!(korean.problems.is_empty());
        assert!(korean.glyphs.iter().all(|g| g.font == FontKey::Korean));
        let cff = Fonts::with_mincho(None);
        assert!(cff.face(FontKey::Korean).is_some_and(|f| f.cff));
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
