//! The template format: one TOML file per form in `forms/`, documented in `docs/forms.md`.
//!
//! A template is an A4 portrait sheet described in millimetres from its top-left corner, as a
//! list of items in reading order: static text, boxes, lines, fields bound to case data, check
//! boxes, era boxes, the QR code, and one block of rows repeated for household members.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::{Format, check_path};
use crate::error::FormsError;
use crate::fonts::Typeface;
use crate::pdf::RasterImage;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateFile {
    pub(crate) form: Header,
    #[serde(default)]
    pub(crate) item: Vec<Item>,
    #[serde(default)]
    pub(crate) rows: Option<Rows>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    /// The catalogue form id this template prints.
    pub(crate) id: String,
    pub(crate) title: String,
    /// Other catalogue form ids printed on this same sheet (国保 取得・喪失・変更).
    #[serde(default)]
    pub(crate) also_for: Vec<String>,
    /// Where the layout was learned from.
    #[serde(default)]
    pub(crate) sources: Vec<String>,
    /// A picture printed under everything (PNG or JPEG, next to the template).
    #[serde(default)]
    pub(crate) background: Option<String>,
    /// Who the back-office QR code carries: the applicant, the household, or the rows.
    #[serde(default)]
    pub(crate) qr_members: QrMembers,
    /// `preprinted`: the city's own printed paper is in the tray, so only the values print
    /// (no background, boxes, lines or words), moved by the printer's calibrated offset.
    #[serde(default)]
    pub(crate) paper: crate::authoring::Paper,
    /// A question about members (`seal`): the form prints once for each member it names, and
    /// `subject.*` is that member (印鑑登録申請書, one per registrant). Without an answer that
    /// names someone, once for the applicant.
    #[serde(default)]
    pub(crate) per_member: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QrMembers {
    Applicant,
    #[default]
    Household,
    Rows,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum VAlign {
    Top,
    #[default]
    Middle,
    Bottom,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FieldFont {
    #[default]
    Gothic,
    Bold,
    /// Names and addresses: IPAmj明朝 when installed.
    Names,
}

impl FieldFont {
    pub(crate) fn typeface(self) -> Typeface {
        match self {
            FieldFont::Gothic => Typeface::Gothic,
            FieldFont::Bold => Typeface::GothicBold,
            FieldFont::Names => Typeface::Names,
        }
    }
}

/// When an item prints: `when = { value = "answer.funeral_by_filer", equals = true }` prints
/// the 届出人 in the 喪主's boxes only when the 届出人 held the funeral; without `equals`, when
/// the value is present and not false (as a check box is ticked). An item that does not print
/// is not reported missing either.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct When {
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) equals: Option<toml::Value>,
}

impl Item {
    /// The item's `when`; boxes, lines and the QR code always print.
    pub(crate) fn when(&self) -> Option<&When> {
        match self {
            Item::Text(t) => t.when.as_ref(),
            Item::Field(f) => f.when.as_ref(),
            Item::Check(c) => c.when.as_ref(),
            Item::Era(e) => e.when.as_ref(),
            Item::Box(_) | Item::Line(_) | Item::Qr(_) => None,
        }
    }
}

/// `[x, y, width, height]` in millimetres.
pub(crate) type RectMm = [f32; 4];

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Item {
    Text(TextItem),
    Box(BoxItem),
    Line(LineItem),
    Field(FieldItem),
    Check(CheckItem),
    Era(EraItem),
    Qr(QrItem),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextItem {
    pub(crate) rect: RectMm,
    pub(crate) text: String,
    #[serde(default = "default_label_size")]
    pub(crate) size: f32,
    #[serde(default)]
    pub(crate) bold: bool,
    #[serde(default)]
    pub(crate) align: Align,
    #[serde(default)]
    pub(crate) valign: VAlign,
    /// Printed only when this holds (see `When`).
    #[serde(default)]
    pub(crate) when: Option<When>,
    #[serde(default = "one")]
    pub(crate) lines: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoxItem {
    pub(crate) rect: RectMm,
    /// Border width in mm; 0 for none.
    #[serde(default = "default_line")]
    pub(crate) line: f32,
    /// Grey fill, 0 black to 1 white (0.92 is the usual label shading).
    #[serde(default)]
    pub(crate) fill: Option<f32>,
    /// A label written in the box (a 項目名 cell).
    #[serde(default)]
    pub(crate) label: Option<String>,
    #[serde(default = "default_label_size")]
    pub(crate) label_size: f32,
    /// `top_left` puts the label small in the corner, leaving the box for writing.
    #[serde(default)]
    pub(crate) label_at: LabelAt,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LabelAt {
    #[default]
    Center,
    TopLeft,
    Left,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineItem {
    pub(crate) from: [f32; 2],
    pub(crate) to: [f32; 2],
    #[serde(default = "default_line")]
    pub(crate) width: f32,
    #[serde(default)]
    pub(crate) dashed: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldItem {
    pub(crate) rect: RectMm,
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) format: Format,
    /// What the field is called in reports to the clerk, e.g. 「氏名」.
    #[serde(default)]
    pub(crate) label: Option<String>,
    /// The form is not complete without this value: printing it empty is reported as
    /// missing, unless the case says the resident writes it (`resident_writes`).
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default = "default_field_size")]
    pub(crate) size: f32,
    #[serde(default = "default_min_size")]
    pub(crate) min_size: f32,
    #[serde(default = "one")]
    pub(crate) lines: usize,
    #[serde(default)]
    pub(crate) align: Align,
    #[serde(default)]
    pub(crate) valign: VAlign,
    #[serde(default)]
    pub(crate) font: FieldFont,
    /// Printed only when this holds (see `When`).
    #[serde(default)]
    pub(crate) when: Option<When>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckItem {
    /// Top-left corner of the square.
    pub(crate) at: [f32; 2],
    #[serde(default = "default_check_size")]
    pub(crate) size: f32,
    /// Without a value the box is left for the clerk to tick.
    #[serde(default)]
    pub(crate) value: Option<String>,
    #[serde(default)]
    pub(crate) equals: Option<toml::Value>,
    /// Printed to the right of the square.
    #[serde(default)]
    pub(crate) label: Option<String>,
    #[serde(default = "default_label_size")]
    pub(crate) label_size: f32,
    /// Printed only when this holds (see `When`).
    #[serde(default)]
    pub(crate) when: Option<When>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EraItem {
    pub(crate) rect: RectMm,
    pub(crate) value: String,
    /// What the field is called in reports.
    #[serde(default)]
    pub(crate) label: Option<String>,
    /// As for a field: an empty date is reported as missing.
    #[serde(default)]
    pub(crate) required: bool,
    /// The eras offered, oldest first.
    #[serde(default = "default_eras")]
    pub(crate) eras: Vec<String>,
    /// Printed only when this holds (see `When`).
    #[serde(default)]
    pub(crate) when: Option<When>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QrItem {
    pub(crate) rect: RectMm,
}

/// Rows repeated for members; when the sheet is full they continue on extra sheets.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rows {
    pub(crate) source: RowSource,
    /// Top-left corner of the first row on the first sheet.
    pub(crate) origin: [f32; 2],
    pub(crate) height: f32,
    pub(crate) per_page: usize,
    /// Where rows go on continuation sheets, and how many fit.
    #[serde(default)]
    pub(crate) continuation: Option<Continuation>,
    /// Drawn once above the rows on a continuation sheet (the column headings).
    #[serde(default)]
    pub(crate) heading: Vec<Item>,
    /// Items of one row, relative to the row's top-left corner.
    pub(crate) item: Vec<Item>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Continuation {
    pub(crate) origin: [f32; 2],
    pub(crate) per_page: usize,
    /// Where the heading items are moved to (they are written relative to this point).
    #[serde(default)]
    pub(crate) heading_origin: Option<[f32; 2]>,
}

/// Which members fill the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowSource {
    /// Everyone in the household, in case order.
    Household,
    /// Everyone but the applicant.
    Others,
    /// Children for the child allowance: up to the 31 March after their 18th birthday.
    Children,
    /// Children for medical subsidies: up to the 31 March after their 15th birthday (中学生まで;
    /// the city's own limit is in the catalogue rule, not here).
    SchoolChildren,
    /// Members aged 65 or over (介護保険 第1号被保険者).
    Elderly,
    /// Foreign residents (住民基本台帳法 第30条の45): the members recorded as not Japanese.
    Foreign,
    /// The people the event concerns: the member it is about when it has one (the person who
    /// died, the child born), else the whole household (everyone who moves).
    Concerned,
    /// The members the procedures asking for this form are for (the decision's `concerns`:
    /// the insured aged 75 who move, the children who change school); when they name nobody,
    /// as `Concerned`.
    Procedure,
}

fn one() -> usize {
    1
}
fn default_label_size() -> f32 {
    8.0
}
fn default_field_size() -> f32 {
    11.0
}
fn default_min_size() -> f32 {
    6.0
}
fn default_line() -> f32 {
    0.3
}
fn default_check_size() -> f32 {
    3.2
}
fn default_eras() -> Vec<String> {
    ["明治", "大正", "昭和", "平成", "令和"]
        .map(String::from)
        .to_vec()
}

/// A loaded, checked template.
#[derive(Clone, Debug)]
pub struct Template {
    pub(crate) file: TemplateFile,
    pub(crate) path: PathBuf,
    pub(crate) background: Option<usize>,
}

impl Template {
    pub fn id(&self) -> &str {
        &self.file.form.id
    }

    pub fn title(&self) -> &str {
        &self.file.form.title
    }

    /// Every catalogue form id this template prints.
    pub fn form_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.file.form.id.as_str())
            .chain(self.file.form.also_for.iter().map(String::as_str))
    }

    pub fn sources(&self) -> &[String] {
        &self.file.form.sources
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn qr_members(&self) -> QrMembers {
        self.file.form.qr_members
    }
}

/// All templates of a `forms/` folder, with their background pictures.
#[derive(Clone, Debug, Default)]
pub struct Library {
    pub(crate) templates: Vec<Template>,
    pub(crate) images: Vec<RasterImage>,
    /// How far the printer's pre-printed paper sits from where it should, in mm (right, down).
    pub(crate) preprinted_offset: [f32; 2],
}

impl Library {
    /// Reads every `*.toml` in `dir`. Every problem is reported with its file, not just the
    /// first.
    pub fn load(dir: &Path) -> Result<Library, FormsError> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| FormsError::Templates(vec![format!("{}: {e}", dir.display())]))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        paths.sort();
        let mut library = Library::default();
        let mut problems = Vec::new();
        for path in paths {
            if let Err(mut found) = library.add_file(&path) {
                problems.append(&mut found);
            }
        }
        library.finish(problems)
    }

    /// The templates a catalogue version carries: every `forms/<name>.toml` among its files,
    /// a background named `<picture>` read from the base64 text of `forms/<picture>.b64` (a
    /// catalogue version is text). Every problem is reported with its file.
    pub fn from_catalogue_files(files: &BTreeMap<String, String>) -> Result<Library, FormsError> {
        let mut library = Library::default();
        let mut problems = Vec::new();
        for (name, text) in catalogue_templates(files) {
            let picture =
                |picture: &str| match files.get(&format!("{CATALOGUE_FOLDER}{picture}.b64")) {
                    Some(encoded) => decode_image(&decode_base64(encoded)?),
                    None => Err(format!(
                        "not among the catalogue's files ({CATALOGUE_FOLDER}{picture}.b64)"
                    )),
                };
            if let Err(mut found) = library.add_text(Path::new(name), text, &picture) {
                problems.append(&mut found);
            }
        }
        library.finish(problems)
    }

    /// This library with `city`'s templates before its own: a form id the city's templates
    /// print is printed by theirs, and a template of this one whose every form id they print
    /// is left out.
    pub fn overlaid_by(self, city: Library) -> Library {
        let shift = city.images.len();
        let mut templates = city.templates;
        let mut images = city.images;
        images.extend(self.images);
        let printed: Vec<String> = templates
            .iter()
            .flat_map(|t| t.form_ids().map(String::from).collect::<Vec<_>>())
            .collect();
        for mut template in self.templates {
            if template
                .form_ids()
                .all(|id| printed.iter().any(|p| p == id))
            {
                continue;
            }
            template.background = template.background.map(|index| index + shift);
            templates.push(template);
        }
        Library {
            templates,
            images,
            preprinted_offset: self.preprinted_offset,
        }
    }

    /// The largest printer offset taken: more is a misfed sheet, not a calibration.
    pub const MAX_OFFSET_MM: f32 = 10.0;

    /// Moves the values printed on pre-printed paper by `[right, down]` millimetres (the
    /// printer's calibration, settings `printer.offset_x_mm` and `printer.offset_y_mm`),
    /// each held within ±[`Library::MAX_OFFSET_MM`].
    pub fn set_preprinted_offset(&mut self, offset_mm: [f32; 2]) {
        self.preprinted_offset = offset_mm.map(|v| {
            if v.is_finite() {
                v.clamp(-Self::MAX_OFFSET_MM, Self::MAX_OFFSET_MM)
            } else {
                0.0
            }
        });
    }

    fn finish(self, mut problems: Vec<String>) -> Result<Library, FormsError> {
        self.check_duplicates(&mut problems);
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(FormsError::Templates(problems))
        }
    }

    fn add_file(&mut self, path: &Path) -> Result<(), Vec<String>> {
        let shown = path.display();
        let size = std::fs::metadata(path)
            .map_err(|e| vec![format!("{shown}: {e}")])?
            .len();
        if size > MAX_TEMPLATE_BYTES {
            return Err(vec![format!(
                "{shown}: {size} bytes; a template has at most {MAX_TEMPLATE_BYTES}"
            )]);
        }
        let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{shown}: {e}")])?;
        let folder = path.parent().unwrap_or(Path::new("."));
        self.add_text(path, &text, &|picture| load_image(&folder.join(picture)))
    }

    /// Adds the template `text` (shown as `path` in problems); `picture` reads its background.
    fn add_text(
        &mut self,
        path: &Path,
        text: &str,
        picture: &dyn Fn(&str) -> Result<RasterImage, String>,
    ) -> Result<(), Vec<String>> {
        let shown = path.display();
        if text.len() as u64 > MAX_TEMPLATE_BYTES {
            return Err(vec![format!(
                "{shown}: {} bytes; a template has at most {MAX_TEMPLATE_BYTES}",
                text.len()
            )]);
        }
        let file: TemplateFile =
            toml::from_str(text).map_err(|e| vec![format!("{shown}: {}", one_line(&e))])?;
        let mut problems = Vec::new();
        check_items(&file.item, false, &mut |p| {
            problems.push(format!("{shown}: {p}"))
        });
        if let Some(rows) = &file.rows {
            check_items(&rows.item, true, &mut |p| {
                problems.push(format!("{shown}: [rows] {p}"))
            });
            check_items(&rows.heading, false, &mut |p| {
                problems.push(format!("{shown}: [rows.heading] {p}"))
            });
            let continued = rows.continuation.as_ref().map_or(1, |c| c.per_page);
            let fits = (1..=MAX_ROWS_PER_PAGE).contains(&rows.per_page)
                && (1..=MAX_ROWS_PER_PAGE).contains(&continued)
                && rows.height > 0.0
                && rows.height <= PAGE_MM[1];
            if !fits {
                problems.push(format!(
                    "{shown}: [rows] needs per_page from 1 to {MAX_ROWS_PER_PAGE} and a height within the page"
                ));
            }
        }
        let background = match &file.form.background {
            Some(name) if !is_plain_file_name(name) => {
                problems.push(format!(
                    "{shown}: background {name}: a file name next to the template, without folders"
                ));
                None
            }
            Some(name) => match picture(name) {
                Ok(image) => {
                    self.images.push(image);
                    Some(self.images.len() - 1)
                }
                Err(e) => {
                    problems.push(format!("{shown}: background {name}: {e}"));
                    None
                }
            },
            None => None,
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        self.templates.push(Template {
            file,
            path: path.to_path_buf(),
            background,
        });
        Ok(())
    }

    fn check_duplicates(&self, problems: &mut Vec<String>) {
        let mut seen: Vec<(&str, &Path)> = Vec::new();
        for template in &self.templates {
            for id in template.form_ids() {
                if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
                    problems.push(format!(
                        "{}: form id `{id}` is already printed by {}",
                        template.path.display(),
                        first.display()
                    ));
                } else {
                    seen.push((id, &template.path));
                }
            }
        }
    }

    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// The template that prints catalogue form `form_id`.
    pub fn for_form(&self, form_id: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.form_ids().any(|id| id == form_id))
    }
}

/// The size of a template file, and how many items one may have: the largest shipped
/// template is 30 KB with 300 items.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
const MAX_ITEMS: usize = 5000;
/// Rows on one sheet (a 住民異動届 has 4; a continuation sheet perhaps 20).
pub const MAX_ROWS_PER_PAGE: usize = 50;
/// The A4 sheet in millimetres; positions may lie a little outside it (bleed), not far.
pub(crate) const PAGE_MM: [f32; 2] = [210.0, 297.0];
const MARGIN_MM: f32 = 20.0;
/// Type sizes in points, and the most lines a text may wrap to.
const TYPE_POINTS: std::ops::RangeInclusive<f32> = 1.0..=96.0;
const MAX_LINES: usize = 40;
/// Characters in a printed text or label.
const MAX_TEXT_CHARS: usize = 2000;

fn point_on_page(point: [f32; 2]) -> bool {
    point
        .iter()
        .zip(PAGE_MM)
        .all(|(v, side)| v.is_finite() && (-MARGIN_MM..=side + MARGIN_MM).contains(v))
}

fn rect_on_page(rect: &RectMm) -> bool {
    let [x, y, w, h] = *rect;
    point_on_page([x, y])
        && w.is_finite()
        && h.is_finite()
        && w >= 0.0
        && h >= 0.0
        && point_on_page([x + w, y + h])
}

/// Where an item is and how it is drawn: on the sheet, at a sane size; `None` when the item
/// is fine. (Unbounded sizes made shrink-to-fit and line breaking run for minutes.)
fn geometry_problem(item: &Item) -> Option<&'static str> {
    let sized = |size: f32| TYPE_POINTS.contains(&size);
    let short = |text: &str| text.chars().count() <= MAX_TEXT_CHARS;
    let fine = match item {
        Item::Text(t) => {
            rect_on_page(&t.rect)
                && sized(t.size)
                && (1..=MAX_LINES).contains(&t.lines)
                && short(&t.text)
        }
        Item::Box(b) => {
            rect_on_page(&b.rect)
                && (0.0..=5.0).contains(&b.line)
                && b.fill.is_none_or(|f| (0.0..=1.0).contains(&f))
                && sized(b.label_size)
                && b.label.as_deref().is_none_or(short)
        }
        Item::Line(l) => {
            point_on_page(l.from) && point_on_page(l.to) && (0.0..=5.0).contains(&l.width)
        }
        Item::Field(f) => {
            rect_on_page(&f.rect) && sized(f.size) && (1..=MAX_LINES).contains(&f.lines)
        }
        Item::Check(c) => {
            point_on_page(c.at)
                && (0.5..=20.0).contains(&c.size)
                && sized(c.label_size)
                && c.label.as_deref().is_none_or(short)
        }
        Item::Era(e) => rect_on_page(&e.rect) && e.eras.len() <= 10,
        Item::Qr(q) => rect_on_page(&q.rect),
    };
    (!fine).then_some(
        "must lie on the A4 sheet, with type of 1 to 96 pt, 1 to 40 lines, lines up to 5 mm and texts of at most 2000 characters",
    )
}

fn check_items(items: &[Item], in_rows: bool, report: &mut dyn FnMut(String)) {
    if items.len() > MAX_ITEMS {
        report(format!(
            "{} items; a template has at most {MAX_ITEMS}",
            items.len()
        ));
        return;
    }
    for (index, item) in items.iter().enumerate() {
        let at = format!("item {} ", index + 1);
        if let Some(problem) = geometry_problem(item) {
            report(format!("{at}({}): {problem}", kind(item)));
        }
        let path = match item {
            Item::Field(f) => Some(&f.value),
            Item::Check(c) => c.value.as_ref(),
            Item::Era(e) => Some(&e.value),
            _ => None,
        };
        for path in path.into_iter().chain(item.when().map(|w| &w.value)) {
            if let Err(problem) = check_path(path, in_rows) {
                report(format!("{at}({}): {problem}", kind(item)));
            }
        }
        if let Item::Field(f) = item
            && (f.min_size > f.size || f.min_size < 4.0)
        {
            report(format!(
                "{at}(field {}): min_size must be between 4 and size",
                f.value
            ));
        }
        if let Item::Era(e) = item
            && e.eras.is_empty()
        {
            report(format!("{at}(era {}): eras must not be empty", e.value));
        }
    }
}

/// The item's `type`, as templates write it.
pub(crate) fn kind(item: &Item) -> &'static str {
    match item {
        Item::Text(_) => "text",
        Item::Box(_) => "box",
        Item::Line(_) => "line",
        Item::Field(_) => "field",
        Item::Check(_) => "check",
        Item::Era(_) => "era",
        Item::Qr(_) => "qr",
    }
}

fn one_line(error: &toml::de::Error) -> String {
    error
        .to_string()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A background is a scan of the city's paper form: an A4 page at 600 dpi is 4,960 × 7,016
/// pixels. Larger pictures, and files that only claim to be (a few kilobytes that say
/// 20,000 × 20,000), are refused from their header, before anything is decoded.
const MAX_BACKGROUND_SIDE: u32 = 8000;
const MAX_BACKGROUND_FILE_BYTES: u64 = 48 * 1024 * 1024;

fn load_image(path: &Path) -> Result<RasterImage, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_BACKGROUND_FILE_BYTES {
        return Err(format!(
            "the picture is {} MB; a background may have {} MB",
            size / (1024 * 1024),
            MAX_BACKGROUND_FILE_BYTES / (1024 * 1024)
        ));
    }
    decode_image(&std::fs::read(path).map_err(|e| e.to_string())?)
}

/// A PNG or JPEG picture, its size checked from its header before it is decoded.
fn decode_image(bytes: &[u8]) -> Result<RasterImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_BACKGROUND_SIDE);
    limits.max_image_height = Some(MAX_BACKGROUND_SIDE);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| match e {
            image::ImageError::Limits(_) => format!(
                "the picture is larger than {MAX_BACKGROUND_SIDE} pixels a side; scan at 300 dpi"
            ),
            other => other.to_string(),
        })?
        .to_rgb8();
    Ok(RasterImage {
        width: image.width(),
        height: image.height(),
        rgb: image.into_raw(),
    })
}

/// Where a catalogue version keeps its templates and their backgrounds.
pub const CATALOGUE_FOLDER: &str = "forms/";

/// The catalogue's templates: `forms/<name>.toml`, not in a deeper folder.
fn catalogue_templates(files: &BTreeMap<String, String>) -> impl Iterator<Item = (&str, &str)> {
    files
        .range(CATALOGUE_FOLDER.to_string()..)
        .take_while(|(name, _)| name.starts_with(CATALOGUE_FOLDER))
        .filter(|(name, _)| {
            name.strip_prefix(CATALOGUE_FOLDER)
                .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".toml"))
        })
        .map(|(name, text)| (name.as_str(), text.as_str()))
}

/// The bytes of a background kept as base64 text; line breaks and spaces are ignored.
pub fn decode_background(text: &str) -> Result<Vec<u8>, String> {
    decode_base64(text)
}

fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("the picture's base64 text is damaged ({e})"))
}

/// The base64 text a background picture is kept in among a catalogue version's files.
pub fn encode_background(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A background is named by a plain file name next to its template: no folder, no `..`.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
}
