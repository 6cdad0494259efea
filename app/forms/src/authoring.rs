//! The form editor's model of a template: a city's own form, placed box by box over a scan of
//! its paper page.
//!
//! A supervisor places what the case fills in — fields, 和暦 era boxes, check marks, the QR code,
//! and one block of household rows — and the page itself (its printed lines and words) is the
//! background. [`PlacedTemplate`] holds exactly that and writes it as an ordinary template
//! (`docs/forms.md`), which the loader reads like any other: the editor never writes anything
//! the loader would not accept, and it opens again only what it wrote (a template written by
//! hand, with its own boxes and words, is edited as text).
//!
//! Positions are millimetres from the sheet's top-left corner, like the template format's; a
//! row's items are relative to the row's top-left corner.

use serde::{Deserialize, Serialize};

pub use crate::template::MAX_ROWS_PER_PAGE;
use crate::template::RowSource;

/// The A4 sheet, in millimetres.
pub const SHEET_MM: [f64; 2] = [210.0, 297.0];

/// The smallest box the editor places: a tap without a drag is not a box.
pub const MIN_BOX_MM: f64 = 3.0;

/// A template as the editor holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedTemplate {
    pub form: PlacedHeader,
    #[serde(default, rename = "item", skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Placed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<PlacedRows>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedHeader {
    /// The catalogue form id this template prints.
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The scanned page, a file name beside the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Whether the city's paper is pre-printed: the values only are printed, shifted by the
    /// printer's calibrated offset, and the background is not.
    #[serde(default, skip_serializing_if = "Paper::is_plain")]
    pub paper: Paper,
    /// The editor places forms about the person who comes: the QR code carries them.
    #[serde(default = "applicant")]
    pub qr_members: String,
}

fn applicant() -> String {
    "applicant".into()
}

/// What a form is printed on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// Plain A4: the background (the scanned page) is printed under the values.
    #[default]
    Plain,
    /// The city's own pre-printed forms: the values alone.
    Preprinted,
}

impl Paper {
    fn is_plain(&self) -> bool {
        *self == Paper::Plain
    }
}

/// One thing placed on the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Placed {
    Field(PlacedField),
    Era(PlacedEra),
    Check(PlacedCheck),
    Qr(PlacedQr),
}

/// A case value written in a box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedField {
    pub rect: [f64; 4],
    pub value: String,
    /// What the clerk is told the box is, in warnings (「氏名」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default = "default_size")]
    pub size: f64,
    #[serde(default, skip_serializing_if = "Alignment::is_left")]
    pub align: Alignment,
    /// Names and addresses are set in IPAmj明朝 where installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub lines: usize,
}

/// A date in 和暦 boxes: the era circled, then 年 月 日.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedEra {
    pub rect: [f64; 4],
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A check box ticked when the value holds (equals `equals`, when given).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedCheck {
    pub at: [f64; 2],
    #[serde(default = "default_check")]
    pub size: f64,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedQr {
    pub rect: [f64; 4],
}

/// One row per household member, repeated down the page and continued on extra sheets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedRows {
    pub source: RowSource,
    pub origin: [f64; 2],
    pub height: f64,
    pub per_page: usize,
    #[serde(default, rename = "item")]
    pub items: Vec<Placed>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    #[default]
    Left,
    Center,
    Right,
}

impl Alignment {
    fn is_left(&self) -> bool {
        *self == Alignment::Left
    }
}

fn default_size() -> f64 {
    11.0
}
fn default_check() -> f64 {
    3.2
}
fn one() -> usize {
    1
}
fn is_one(n: &usize) -> bool {
    *n == 1
}

/// What a box is placed to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceKind {
    Field,
    Era,
    Check,
    Qr,
}

impl Placed {
    /// A new item of `kind` filling `rect`, bound to `value` (the QR code has none).
    pub fn new(kind: PlaceKind, rect: [f64; 4], value: &str) -> Placed {
        match kind {
            PlaceKind::Field => Placed::Field(PlacedField {
                rect,
                value: value.into(),
                label: None,
                // Text about two thirds of the box's height, as a printed form's.
                size: (rect[3] * 0.65 * 72.0 / 25.4).clamp(6.0, 14.0).round(),
                align: Alignment::Left,
                font: names_face(value).then(|| "names".into()),
                lines: 1,
            }),
            PlaceKind::Era => Placed::Era(PlacedEra {
                rect,
                value: value.into(),
                label: None,
            }),
            PlaceKind::Check => Placed::Check(PlacedCheck {
                at: [rect[0], rect[1]],
                size: rect[2].min(rect[3]).clamp(2.5, 6.0),
                value: value.into(),
                equals: None,
            }),
            PlaceKind::Qr => {
                let side = rect[2].min(rect[3]);
                Placed::Qr(PlacedQr {
                    rect: [rect[0], rect[1], side, side],
                })
            }
        }
    }

    pub fn kind(&self) -> PlaceKind {
        match self {
            Placed::Field(_) => PlaceKind::Field,
            Placed::Era(_) => PlaceKind::Era,
            Placed::Check(_) => PlaceKind::Check,
            Placed::Qr(_) => PlaceKind::Qr,
        }
    }

    /// Where it is: `[x, y, width, height]`.
    pub fn rect(&self) -> [f64; 4] {
        match self {
            Placed::Field(f) => f.rect,
            Placed::Era(e) => e.rect,
            Placed::Check(c) => [c.at[0], c.at[1], c.size, c.size],
            Placed::Qr(q) => q.rect,
        }
    }

    /// Moves and sizes it to `rect` (a check box stays square, as does the QR code).
    pub fn set_rect(&mut self, rect: [f64; 4]) {
        match self {
            Placed::Field(f) => f.rect = rect,
            Placed::Era(e) => e.rect = rect,
            Placed::Check(c) => {
                c.at = [rect[0], rect[1]];
                c.size = rect[2].min(rect[3]).clamp(2.5, 6.0);
            }
            Placed::Qr(q) => {
                let side = rect[2].min(rect[3]);
                q.rect = [rect[0], rect[1], side, side];
            }
        }
    }

    /// The case value it shows; the QR code's is the form's own.
    pub fn value(&self) -> &str {
        match self {
            Placed::Field(f) => &f.value,
            Placed::Era(e) => &e.value,
            Placed::Check(c) => &c.value,
            Placed::Qr(_) => "",
        }
    }

    pub fn set_value(&mut self, value: &str) {
        match self {
            Placed::Field(f) => {
                f.value = value.into();
                f.font = names_face(value).then(|| "names".into());
            }
            Placed::Era(e) => e.value = value.into(),
            Placed::Check(c) => c.value = value.into(),
            Placed::Qr(_) => {}
        }
    }
}

/// Names and addresses print in the face that has every 人名 character.
fn names_face(value: &str) -> bool {
    let last = value.rsplit('.').next().unwrap_or(value);
    matches!(last, "name" | "kana" | "address" | "main" | "building")
        || matches!(
            value,
            "new_address" | "previous_address" | "next_address" | "previous_head"
        )
}

/// What is wrong with a placed template, in the supervisor's words; empty when it can be saved.
pub fn problems(template: &PlacedTemplate) -> Vec<String> {
    let mut found = Vec::new();
    if template.form.id.trim().is_empty() {
        found.push("どの帳票か（帳票ID）を選んでください。".to_string());
    }
    let on_sheet = |rect: [f64; 4]| {
        rect.iter().all(|v| v.is_finite())
            && rect[0] >= 0.0
            && rect[1] >= 0.0
            && rect[2] >= MIN_BOX_MM.min(2.5)
            && rect[3] >= MIN_BOX_MM.min(2.5)
            && rect[0] + rect[2] <= SHEET_MM[0]
            && rect[1] + rect[3] <= SHEET_MM[1]
    };
    for (index, item) in template.items.iter().enumerate() {
        if !on_sheet(item.rect()) {
            found.push(format!("{}番目の欄が用紙からはみ出しています。", index + 1));
        }
        if item.kind() != PlaceKind::Qr && item.value().is_empty() {
            found.push(format!("{}番目の欄に入れる値を選んでください。", index + 1));
        }
    }
    if let Some(rows) = &template.rows {
        let block = [
            rows.origin[0],
            rows.origin[1],
            SHEET_MM[0] - rows.origin[0],
            rows.height * rows.per_page as f64,
        ];
        if !(1..=MAX_ROWS_PER_PAGE).contains(&rows.per_page) || !on_sheet(block) {
            found.push("世帯の行が用紙からはみ出しています。".to_string());
        }
        if rows.items.is_empty() {
            found.push("世帯の行に欄がありません。".to_string());
        }
        for (index, item) in rows.items.iter().enumerate() {
            if item.kind() != PlaceKind::Qr && item.value().is_empty() {
                found.push(format!(
                    "世帯の行の{}番目の欄に入れる値を選んでください。",
                    index + 1
                ));
            }
        }
    }
    found
}

impl PlacedTemplate {
    /// A new template for catalogue form `id` over the picture `background`.
    pub fn new(id: &str, title: &str, background: Option<&str>) -> PlacedTemplate {
        PlacedTemplate {
            form: PlacedHeader {
                id: id.into(),
                title: title.into(),
                sources: vec!["the city's own form, placed in the form editor".into()],
                background: background.map(String::from),
                paper: Paper::Plain,
                qr_members: applicant(),
            },
            items: Vec::new(),
            rows: None,
        }
    }

    /// Reads a template the editor wrote. One written by hand (with its own boxes, words or
    /// settings the editor does not place) is refused: it is edited as text.
    pub fn parse(text: &str) -> Result<PlacedTemplate, String> {
        toml::from_str(text).map_err(|e| {
            format!(
                "この様式は手で書かれたテンプレートです（{}）。テキストとして編集してください。",
                e.message()
            )
        })
    }

    /// The template file: a comment saying what it is, then the TOML the loader reads.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# {} — the city's own form, placed over its scanned page in the form editor\n\
             # (supervisor mode). Format: docs/forms.md.\n\n{body}",
            self.form.title.replace('\n', " ")
        )
    }
}
