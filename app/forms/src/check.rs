//! What can be found wrong with the templates before a resident's case prints on them
//! (`madoguchi forms check`).
//!
//! Loading already refuses what cannot be drawn (an unknown path, a box far off the sheet).
//! This goes further, against the catalogue the templates serve and against sample cases:
//! a catalogue form without a template (the counter hands out 「窓口で記入」 paper), a template
//! bound to something the catalogue never gives a case (a question, an option, a date, a
//! procedure it does not have), a required field bound to nothing, printed values overlapping
//! each other or leaving the A4 sheet, and text that no longer fits its box even at its
//! minimum size for the longest sample values. Every finding names its template and item.
//!
//! The catalogue comes in as a [`Vocabulary`] the kiosk builds: this crate knows no rules.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use madoguchi_domain::Case;

use crate::data::Office;
use crate::draw::ReportKind;
use crate::fonts::Fonts;
use crate::packet::{PacketRequest, QrEncoder, render_packet};
use crate::template::{Item, Library, PAGE_MM, RectMm, Template, When};

/// What a catalogue lets a case hold, as far as templates bind to it.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// The catalogue's form ids with their titles, in catalogue order.
    pub forms: Vec<(String, String)>,
    /// Question id → what its answer is.
    pub questions: BTreeMap<String, AnswerShape>,
    /// Question id → its short label (「妊娠中」), for the form editor's list of values.
    pub question_labels: BTreeMap<String, String>,
    pub procedures: BTreeSet<String>,
    /// Procedure id → its name, for the form editor's list of values.
    pub procedure_names: BTreeMap<String, String>,
    /// The dates events declare besides their own (`funeral_date`, `moved_out_date`).
    pub event_dates: BTreeSet<String>,
}

/// What an answer to a question is, for checking `equals` against it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerShape {
    YesNo,
    /// The option ids.
    Choice(Vec<String>),
    Number,
    Date,
    Members,
}

/// One problem, on one line: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The template's file name, or `form <id>` for a catalogue form without one.
    pub at: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Boxes that meet in a strip up to this wide (mm) share a border: a field's text sits inside
/// its box with room around it, so only a deeper overlap puts two values on top of each other.
const BORDER_MM: f32 = 1.0;

/// The checks that need no case: coverage, bindings, the sheet's edges, overlaps.
pub fn check_templates(library: &Library, vocabulary: &Vocabulary) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, title) in &vocabulary.forms {
        if library.for_form(id).is_none() {
            findings.push(Finding {
                at: format!("form {id}"),
                message: format!("「{title}」 has no template: it is written by hand (窓口で記入)"),
            });
        }
    }
    for template in library.templates() {
        let mut report = |message: String| {
            findings.push(Finding {
                at: file_name(template),
                message,
            });
        };
        check_form_ids(template, vocabulary, &mut report);
        for placed in placed_items(template) {
            check_bindings(&placed, template, vocabulary, &mut report);
            if !inside_sheet(&placed) {
                report(format!("{}: leaves the A4 sheet", placed.name()));
            }
        }
        check_overlaps(template, &mut report);
    }
    findings
}

/// A case to fill templates with, and the forms its decision asks for.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Where it comes from (a scenario file, a sample file), for the findings.
    pub name: String,
    pub case: Case,
    /// Catalogue form ids: the templates it is printed on, as the kiosk would print it.
    pub forms: Vec<String>,
    /// Whom the procedures asking for each form are for (`PacketRequest::concerns`).
    pub concerns: Vec<(String, Vec<usize>)>,
}

/// Renders each sample's forms, their QR codes made by `qr` as the kiosk makes them, and
/// reports text that does not fit at its minimum size, characters no face has and QR codes
/// too dense to scan — once per template and field, naming the first sample that showed it.
pub fn check_fit(
    library: &Library,
    fonts: &Fonts,
    qr: &QrEncoder<'_>,
    samples: &[Sample],
) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut findings = Vec::new();
    let office = Office::default();
    for sample in samples {
        for form in &sample.forms {
            let Some(template) = library.for_form(form) else {
                continue;
            };
            let forms = [form.clone()];
            let request = PacketRequest {
                case: &sample.case,
                event_name: "",
                office: &office,
                forms: &forms,
                procedures: &[],
                concerns: &sample.concerns,
                guidance: None,
                qr,
            };
            let packet = match render_packet(library, fonts, &request) {
                Ok(packet) => packet,
                Err(error) => {
                    findings.push(Finding {
                        at: file_name(template),
                        message: format!("cannot be filled (sample {}): {error}", sample.name),
                    });
                    continue;
                }
            };
            for report in packet.reports {
                let what = match &report.kind {
                    ReportKind::Overflow => "does not fit even at its minimum size",
                    ReportKind::QrTooDense => "has a QR code too dense to scan at its size",
                    ReportKind::Glyph(_) => "has a character no installed face draws",
                    ReportKind::Missing { .. } => continue,
                };
                if seen.insert((template.id().to_string(), report.field.clone(), what)) {
                    findings.push(Finding {
                        at: file_name(template),
                        message: format!("「{}」 {what} (sample {})", report.field, sample.name),
                    });
                }
            }
        }
    }
    findings
}

fn file_name(template: &Template) -> String {
    template
        .path()
        .file_name()
        .map_or_else(|| template.id().to_string(), |n| n.to_string_lossy().into())
}

fn check_form_ids(template: &Template, vocabulary: &Vocabulary, report: &mut dyn FnMut(String)) {
    for id in template.form_ids() {
        if !vocabulary.forms.iter().any(|(known, _)| known == id) {
            report(format!(
                "prints form `{id}`, which the catalogue does not name: no procedure asks for it"
            ));
        }
    }
    if let Some(question) = &template.file.form.per_member
        && vocabulary.questions.get(question) != Some(&AnswerShape::Members)
    {
        report(format!(
            "per_member = `{question}` is not a question about members in the catalogue"
        ));
    }
}

/// Where an item sits: on the sheet, or in one row of the rows block (`row_origin`, with
/// `rows` rows of `row_height` below it).
struct Placed<'t> {
    index: usize,
    section: &'static str,
    item: &'t Item,
    origin: [f32; 2],
    /// How far the rows block reaches below its first row (0 outside rows).
    reach: f32,
}

impl Placed<'_> {
    fn name(&self) -> String {
        let kind = crate::template::kind(self.item);
        let value = bound_value(self.item).map_or(String::new(), |v| format!(" {v}"));
        format!("{}item {} ({kind}{value})", self.section, self.index + 1)
    }

    /// The area it takes on the first sheet, in mm from the sheet's corner.
    fn area(&self) -> Option<RectMm> {
        let [x, y] = self.origin;
        match self.item {
            Item::Text(t) => Some(t.rect),
            Item::Box(b) => Some(b.rect),
            Item::Field(f) => Some(f.rect),
            Item::Era(e) => Some(e.rect),
            Item::Qr(q) => Some(q.rect),
            Item::Check(c) => Some([c.at[0], c.at[1], c.size, c.size]),
            Item::Line(l) => Some([
                l.from[0].min(l.to[0]),
                l.from[1].min(l.to[1]),
                (l.from[0] - l.to[0]).abs(),
                (l.from[1] - l.to[1]).abs(),
            ]),
        }
        .map(|[rx, ry, w, h]| [rx + x, ry + y, w, h])
    }
}

fn placed_items(template: &Template) -> Vec<Placed<'_>> {
    let file = &template.file;
    let mut placed: Vec<Placed<'_>> = file
        .item
        .iter()
        .enumerate()
        .map(|(index, item)| Placed {
            index,
            section: "",
            item,
            origin: [0.0, 0.0],
            reach: 0.0,
        })
        .collect();
    if let Some(rows) = &file.rows {
        let reach = rows.height * (rows.per_page.saturating_sub(1)) as f32;
        placed.extend(rows.item.iter().enumerate().map(|(index, item)| Placed {
            index,
            section: "[rows] ",
            item,
            origin: rows.origin,
            reach,
        }));
        if let Some(more) = &rows.continuation {
            let reach = rows.height * (more.per_page.saturating_sub(1)) as f32;
            placed.extend(rows.item.iter().enumerate().map(|(index, item)| Placed {
                index,
                section: "[rows, continuation sheets] ",
                item,
                origin: more.origin,
                reach,
            }));
            let heading_origin = more.heading_origin.unwrap_or([0.0, 0.0]);
            placed.extend(rows.heading.iter().enumerate().map(|(index, item)| Placed {
                index,
                section: "[rows.heading] ",
                item,
                origin: heading_origin,
                reach: 0.0,
            }));
        }
    }
    placed
}

fn bound_value(item: &Item) -> Option<&str> {
    match item {
        Item::Field(f) => Some(&f.value),
        Item::Era(e) => Some(&e.value),
        Item::Check(c) => c.value.as_deref(),
        _ => None,
    }
}

fn is_required(item: &Item) -> bool {
    match item {
        Item::Field(f) => f.required,
        Item::Era(e) => e.required,
        _ => false,
    }
}

fn inside_sheet(placed: &Placed<'_>) -> bool {
    const EDGE: f32 = 0.01;
    placed.area().is_none_or(|[x, y, w, h]| {
        x >= -EDGE
            && y >= -EDGE
            && x + w <= PAGE_MM[0] + EDGE
            && y + h + placed.reach <= PAGE_MM[1] + EDGE
    })
}

fn check_bindings(
    placed: &Placed<'_>,
    template: &Template,
    vocabulary: &Vocabulary,
    report: &mut dyn FnMut(String),
) {
    let item = placed.item;
    let equals = match item {
        Item::Check(c) => c.equals.as_ref(),
        _ => None,
    };
    if let Some(path) = bound_value(item)
        && let Some(problem) = binding_problem(path, equals, template, vocabulary)
    {
        let required = if is_required(item) {
            "required, but bound to nothing a case can have: "
        } else {
            ""
        };
        report(format!("{}: {required}{problem}", placed.name()));
    }
    if let Some(When { value, equals }) = item.when()
        && let Some(problem) = binding_problem(value, equals.as_ref(), template, vocabulary)
    {
        report(format!("{}: its `when`: {problem}", placed.name()));
    }
}

/// Why the catalogue never gives a case `path` (or never makes it equal `equals`).
fn binding_problem(
    path: &str,
    equals: Option<&toml::Value>,
    template: &Template,
    vocabulary: &Vocabulary,
) -> Option<String> {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    match head {
        "answer" => {
            let Some(shape) = vocabulary.questions.get(rest) else {
                return Some(format!("`{path}`: the catalogue has no question `{rest}`"));
            };
            equals.and_then(|expected| answer_mismatch(path, shape, expected))
        }
        "member" => rest.strip_prefix("named.").and_then(|question| {
            (vocabulary.questions.get(question) != Some(&AnswerShape::Members)).then(|| {
                format!("`{path}`: `{question}` is not a question about members in the catalogue")
            })
        }),
        "procedure" => (!vocabulary.procedures.contains(rest))
            .then(|| format!("`{path}`: the catalogue has no procedure `{rest}`")),
        "date" => (!vocabulary.event_dates.contains(rest))
            .then(|| format!("`{path}`: no event of the catalogue declares the date `{rest}`")),
        "form" => equals.and_then(|expected| {
            let ids: Vec<&str> = template.form_ids().collect();
            match expected {
                toml::Value::String(id) if ids.contains(&id.as_str()) => None,
                _ => Some(format!(
                    "`{path}` is one of {}, never {expected}",
                    ids.join(", ")
                )),
            }
        }),
        _ => None,
    }
}

fn answer_mismatch(path: &str, shape: &AnswerShape, expected: &toml::Value) -> Option<String> {
    let fits = match (shape, expected) {
        (AnswerShape::YesNo, toml::Value::Boolean(_)) => true,
        (AnswerShape::Number, toml::Value::Integer(_)) => true,
        (AnswerShape::Date, toml::Value::String(_) | toml::Value::Datetime(_)) => true,
        (AnswerShape::Choice(options), toml::Value::String(id)) => {
            return (!options.contains(id))
                .then(|| format!("`{path}` is one of {}, never \"{id}\"", options.join(", ")));
        }
        _ => false,
    };
    (!fits).then(|| {
        let kind = match shape {
            AnswerShape::YesNo => "yes or no (true / false)",
            AnswerShape::Choice(_) => "an option id",
            AnswerShape::Number => "a whole number",
            AnswerShape::Date => "a date",
            AnswerShape::Members => "a list of members, which `equals` cannot compare",
        };
        format!("`{path}` is {kind}, never {expected}")
    })
}

/// Printed values on top of each other: fields, era boxes and check boxes whose areas meet,
/// on the sheet or within one row, unless their `when`s never hold together.
fn check_overlaps(template: &Template, report: &mut dyn FnMut(String)) {
    let placed: Vec<Placed<'_>> = placed_items(template)
        .into_iter()
        .filter(|p| !p.section.contains("continuation") && !p.section.contains("heading"))
        .filter(|p| matches!(p.item, Item::Field(_) | Item::Era(_) | Item::Check(_)))
        .collect();
    for (i, a) in placed.iter().enumerate() {
        for b in &placed[i + 1..] {
            if exclusive(a.item.when(), b.item.when()) {
                continue;
            }
            let (Some(ra), Some(rb)) = (a.area(), b.area()) else {
                continue;
            };
            // Rows are compared with each other only within one row; the whole block with
            // what is printed on the sheet beside it.
            let (ra, rb) = if a.section == b.section {
                (ra, rb)
            } else {
                (block(ra, a), block(rb, b))
            };
            if overlaps(ra, rb) {
                report(format!("{} overlaps {}", a.name(), b.name()));
            }
        }
    }
}

/// The area the rows block takes for an item of a row, when compared with one on the sheet.
fn block(rect: RectMm, placed: &Placed<'_>) -> RectMm {
    let [x, y, w, h] = rect;
    [x, y, w, h + placed.reach]
}

fn exclusive(a: Option<&When>, b: Option<&When>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.value == b.value && a.equals.is_some() && a.equals != b.equals,
        _ => false,
    }
}

fn overlaps(a: RectMm, b: RectMm) -> bool {
    let width = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
    let height = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
    width > BORDER_MM && height > BORDER_MM
}
