//! The form editor's state: the city's paper form as the page, the boxes a supervisor places on
//! it, which one is selected, the list of values a box can hold with the sample case's value
//! beside each, and the filled page the sample prints.
//!
//! It is plain data and geometry: it reads no file and draws nothing. The desk
//! (`supervisor/forms.rs`) reads the page and renders the preview on its own thread and hands
//! them in; the window shows what [`FormEditor::boxes`] and the rest say and turns a finger's
//! drag into [`FormEditor::drag`], in millimetres from the sheet's top-left corner.
//!
//! A drag places a box with the tool in hand, snapped to the printed rules found on the page.
//! With the selecting tool, a drag from inside the selected box moves it, and one from its
//! bottom-right corner resizes it. Household rows are placed by dragging the first row; boxes
//! placed inside that row then belong to every row.

use madoguchi_domain::Case;
use madoguchi_forms::authoring::{
    Alignment, MAX_ROWS_PER_PAGE, MIN_BOX_MM, Paper, PlaceKind, Placed, PlacedRows, PlacedTemplate,
    SHEET_MM,
};
use madoguchi_forms::choices::{ValueChoice, sample_value, search, value_choices};
use madoguchi_forms::ruling::{Rules, SNAP_MM, find_rules, snap};
use madoguchi_forms::scan::ScannedPage;
use madoguchi_forms::{Office, RowSource, Vocabulary};

/// Numbers the pictures every editor shows, so that a window can tell a new one from the one it
/// drew.
static PICTURES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_picture() -> u64 {
    PICTURES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// How near the selected box's bottom-right corner a drag must start to resize it.
const CORNER_MM: f64 = 4.0;

/// Where household rows end on the right, as a printed form's table does.
const RIGHT_MARGIN_MM: f64 = 10.0;

/// How many values the list shows at once: the search narrows the rest.
pub const LISTED_VALUES: usize = 40;

/// What a drag on the page does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Selects, moves and resizes what is placed.
    Select,
    /// Places a new box of this kind.
    Place(PlaceKind),
    /// Places (or moves) the first of the household rows.
    Rows,
}

/// What is selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selected {
    /// One of the template's own items.
    Item(usize),
    /// An item of the household rows.
    RowItem(usize),
    /// The household rows themselves.
    Rows,
}

/// A placed thing as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxView {
    /// Where it is on the sheet, in millimetres.
    pub rect: [f64; 4],
    /// `field`, `era`, `check`, `qr`, `rows` (the household rows, all of them) or `row` (the
    /// first row, which the row's boxes are placed in).
    pub kind: &'static str,
    /// What it holds, in the supervisor's words.
    pub caption: String,
    /// What the sample case prints in it.
    pub sample: String,
    pub selected: bool,
}

/// The page the editor shows: the city's form, and its rules found once.
#[derive(Debug)]
struct Page {
    scan: ScannedPage,
    png: Vec<u8>,
    rules: Rules,
}

#[derive(Debug)]
pub struct FormEditor {
    template: PlacedTemplate,
    page: Option<Page>,
    tool: Tool,
    selected: Option<Selected>,
    query: String,
    choices: Vec<ValueChoice>,
    row_choices: Vec<ValueChoice>,
    sample: Case,
    office: Office,
    /// The filled page as the sample prints it, once previewed.
    preview: Option<ScannedPage>,
    showing_preview: bool,
    /// Which picture shows (see [`next_picture`]): a window redraws it only when it changed.
    picture_generation: u64,
}

impl FormEditor {
    /// An editor for `template`, offering the values of a catalogue with `vocabulary`, previewed
    /// with `sample`.
    pub fn new(
        template: PlacedTemplate,
        vocabulary: &Vocabulary,
        sample: Case,
        office: Office,
    ) -> FormEditor {
        FormEditor {
            template,
            page: None,
            tool: Tool::Place(PlaceKind::Field),
            selected: None,
            query: String::new(),
            choices: value_choices(vocabulary, false),
            row_choices: value_choices(vocabulary, true),
            sample,
            office,
            preview: None,
            showing_preview: false,
            picture_generation: next_picture(),
        }
    }

    pub fn template(&self) -> &PlacedTemplate {
        &self.template
    }

    pub fn tool(&self) -> Tool {
        self.tool
    }

    pub fn selected(&self) -> Option<Selected> {
        self.selected
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn set_tool(&mut self, tool: Tool) {
        self.tool = tool;
        self.showing_preview = false;
    }

    /// Puts the city's page under the boxes (`png` is what the template keeps as background).
    pub fn set_page(&mut self, scan: ScannedPage, png: Vec<u8>) {
        let rules = find_rules(&scan.raster());
        self.page = Some(Page { scan, png, rules });
        self.preview = None;
        self.showing_preview = false;
        self.picture_generation = next_picture();
    }

    pub fn has_page(&self) -> bool {
        self.page.is_some()
    }

    /// The page as PNG, for the template's background.
    pub fn page_png(&self) -> Option<&[u8]> {
        self.page.as_ref().map(|p| p.png.as_slice())
    }

    /// The picture to show: the filled preview when it is on, else the city's page.
    pub fn picture(&self) -> Option<&ScannedPage> {
        if self.showing_preview {
            self.preview.as_ref()
        } else {
            self.page.as_ref().map(|p| &p.scan)
        }
    }

    pub fn picture_generation(&self) -> u64 {
        self.picture_generation
    }

    /// The sample's filled page, rendered by the desk.
    pub fn set_preview(&mut self, page: ScannedPage) {
        self.preview = Some(page);
        self.showing_preview = true;
        self.picture_generation = next_picture();
    }

    pub fn showing_preview(&self) -> bool {
        self.showing_preview
    }

    /// Back to placing over the city's page.
    pub fn hide_preview(&mut self) {
        if self.showing_preview {
            self.showing_preview = false;
            self.picture_generation = next_picture();
        }
    }

    pub fn sample(&self) -> &Case {
        &self.sample
    }

    pub fn office(&self) -> &Office {
        &self.office
    }

    /// A finger pressed at `from` and lifted at `to` (millimetres on the sheet). Too short to be
    /// a box, it is a tap: it selects what is there.
    pub fn drag(&mut self, from: [f64; 2], to: [f64; 2]) {
        self.hide_preview();
        let from = on_sheet(from);
        let to = on_sheet(to);
        let rect = [
            from[0].min(to[0]),
            from[1].min(to[1]),
            (to[0] - from[0]).abs(),
            (to[1] - from[1]).abs(),
        ];
        let is_tap = rect[2] < MIN_BOX_MM && rect[3] < MIN_BOX_MM;
        match self.tool {
            _ if is_tap && self.tool != Tool::Place(PlaceKind::Check) => self.tap(from),
            Tool::Select => self.move_or_resize(from, to),
            Tool::Place(kind) => self.place(kind, rect),
            Tool::Rows => self.place_rows(rect),
        }
    }

    /// Selects what lies at `at`: a box of the first row before the row, the smallest box
    /// before a larger one around it.
    pub fn tap(&mut self, at: [f64; 2]) {
        let inside = |r: [f64; 4]| {
            at[0] >= r[0] && at[0] <= r[0] + r[2] && at[1] >= r[1] && at[1] <= r[1] + r[3]
        };
        let mut hits: Vec<(f64, Selected)> = Vec::new();
        for (i, item) in self.template.items.iter().enumerate() {
            let r = item.rect();
            if inside(r) {
                hits.push((r[2] * r[3], Selected::Item(i)));
            }
        }
        if let Some(rows) = &self.template.rows {
            for (i, item) in rows.items.iter().enumerate() {
                let r = in_row(rows, item.rect());
                if inside(r) {
                    hits.push((r[2] * r[3], Selected::RowItem(i)));
                }
            }
            let block = rows_block(rows);
            if inside(block) {
                hits.push((block[2] * block[3], Selected::Rows));
            }
        }
        self.selected = hits
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| s);
        self.query.clear();
    }

    /// The sheet rectangle of what is selected.
    fn selected_rect(&self) -> Option<[f64; 4]> {
        match self.selected? {
            Selected::Item(i) => self.template.items.get(i).map(Placed::rect),
            Selected::RowItem(i) => {
                let rows = self.template.rows.as_ref()?;
                rows.items.get(i).map(|item| in_row(rows, item.rect()))
            }
            Selected::Rows => self.template.rows.as_ref().map(first_row),
        }
    }

    fn move_or_resize(&mut self, from: [f64; 2], to: [f64; 2]) {
        let Some(rect) = self.selected_rect() else {
            return self.tap(from);
        };
        let corner = [rect[0] + rect[2], rect[1] + rect[3]];
        let near_corner =
            (from[0] - corner[0]).abs() <= CORNER_MM && (from[1] - corner[1]).abs() <= CORNER_MM;
        let within = from[0] >= rect[0]
            && from[0] <= corner[0]
            && from[1] >= rect[1]
            && from[1] <= corner[1];
        let moved = if near_corner {
            [
                rect[0],
                rect[1],
                (to[0] - rect[0]).max(MIN_BOX_MM),
                (to[1] - rect[1]).max(MIN_BOX_MM),
            ]
        } else if within {
            let dx = (to[0] - from[0]).clamp(-rect[0], SHEET_MM[0] - corner[0]);
            let dy = (to[1] - from[1]).clamp(-rect[1], SHEET_MM[1] - corner[1]);
            [rect[0] + dx, rect[1] + dy, rect[2], rect[3]]
        } else {
            return self.tap(from);
        };
        let snapped = self.snapped(moved);
        // A move keeps the box's size: only its position follows the rules.
        let placed = if near_corner {
            snapped
        } else {
            [snapped[0], snapped[1], rect[2], rect[3]]
        };
        self.put_selected(placed);
    }

    /// Moves the selection to the sheet rectangle `rect`.
    fn put_selected(&mut self, rect: [f64; 4]) {
        match self.selected {
            Some(Selected::Item(i)) => {
                if let Some(item) = self.template.items.get_mut(i) {
                    item.set_rect(rect);
                }
            }
            Some(Selected::RowItem(i)) => {
                if let Some(rows) = &mut self.template.rows {
                    let local = [
                        rect[0] - rows.origin[0],
                        rect[1] - rows.origin[1],
                        rect[2],
                        rect[3].min(rows.height),
                    ];
                    if let Some(item) = rows.items.get_mut(i) {
                        item.set_rect(local);
                    }
                }
            }
            Some(Selected::Rows) => self.place_rows(rect),
            None => {}
        }
    }

    /// `rect` with its edges on the page's printed rules, where one is near.
    fn snapped(&self, rect: [f64; 4]) -> [f64; 4] {
        match &self.page {
            Some(page) => snap(rect, &page.rules, SNAP_MM),
            None => rect,
        }
    }

    fn place(&mut self, kind: PlaceKind, rect: [f64; 4]) {
        let rect = match kind {
            // A check box is placed where it is tapped, at the size of a printed one.
            PlaceKind::Check => [rect[0], rect[1], rect[2].max(3.5), rect[3].max(3.5)],
            _ => self.snapped(rect),
        };
        let placed = Placed::new(kind, rect, "");
        let row = self
            .template
            .rows
            .as_mut()
            .filter(|rows| kind != PlaceKind::Qr && inside_rect(first_row(rows), rect));
        match row {
            Some(rows) => {
                let local = [
                    rect[0] - rows.origin[0],
                    rect[1] - rows.origin[1],
                    rect[2],
                    rect[3].min(rows.height),
                ];
                let mut placed = placed;
                placed.set_rect(local);
                rows.items.push(placed);
                self.selected = Some(Selected::RowItem(rows.items.len() - 1));
            }
            None => {
                self.template.items.push(placed);
                self.selected = Some(Selected::Item(self.template.items.len() - 1));
            }
        }
        self.query.clear();
    }

    /// The first household row at `rect`; as many rows follow as the printed rules below it
    /// repeat at the same height (four when the page says nothing).
    fn place_rows(&mut self, rect: [f64; 4]) {
        let rect = self.snapped(rect);
        let height = rect[3].max(MIN_BOX_MM);
        let per_page = self.repeated_rows(rect[1], height).unwrap_or(4);
        let items = self
            .template
            .rows
            .take()
            .map(|r| r.items)
            .unwrap_or_default();
        let mut rows = PlacedRows {
            source: RowSource::Household,
            origin: [rect[0], rect[1]],
            height,
            per_page,
            items,
        };
        rows.per_page = fitting_rows(&rows, per_page);
        self.template.rows = Some(rows);
        self.selected = Some(Selected::Rows);
    }

    /// How many rows of `height` from `top` the page's horizontal rules mark.
    fn repeated_rows(&self, top: f64, height: f64) -> Option<usize> {
        let rules = &self.page.as_ref()?.rules;
        let mut count = 1;
        while count < MAX_ROWS_PER_PAGE {
            let below = top + height * (count + 1) as f64;
            if !rules.horizontal.iter().any(|r| (r.at - below).abs() <= 1.0) {
                break;
            }
            count += 1;
        }
        (count > 1).then_some(count)
    }

    /// The values the selected box can hold that match the search, with the sample's value of
    /// each: dates for 和暦 boxes, yes-or-no values for check marks, the rest for fields.
    pub fn values(&self) -> Vec<(&ValueChoice, String)> {
        let Some(kind) = self.selected_kind() else {
            return Vec::new();
        };
        let in_rows = self.selected_in_rows();
        let choices = self.choices_for(in_rows);
        search(choices, &self.query)
            .into_iter()
            .filter(|c| match kind {
                PlaceKind::Era => c.date,
                PlaceKind::Check => c.yes_no,
                PlaceKind::Field => !c.yes_no,
                PlaceKind::Qr => false,
            })
            .take(LISTED_VALUES)
            .map(|c| (c, self.sample_of(&c.path, in_rows)))
            .collect()
    }

    /// What the sample case prints for `path` (in a row: for its first member).
    fn sample_of(&self, path: &str, in_rows: bool) -> String {
        sample_value(&self.sample, &self.office, path, in_rows.then_some(0))
    }

    pub fn search(&mut self, words: &str) {
        self.query = words.chars().take(100).collect();
    }

    /// The selected box holds `path` from now on (a path the list offers), named as the list
    /// names it in the clerk's warnings (「新しい住所（方書まで）」 does not fit …).
    pub fn choose(&mut self, path: &str) {
        self.hide_preview();
        let in_rows = self.selected_in_rows();
        let name = self.choice(path, in_rows).map(|c| c.name.clone());
        match self.selected_item_mut() {
            Some(Placed::Field(field)) => field.label = name,
            Some(Placed::Era(era)) => era.label = name,
            _ => {}
        }
        if let Some(item) = self.selected_item_mut() {
            item.set_value(path);
        }
    }

    fn selected_kind(&self) -> Option<PlaceKind> {
        self.selected_item().map(Placed::kind)
    }

    pub fn selected_item(&self) -> Option<&Placed> {
        match self.selected? {
            Selected::Item(i) => self.template.items.get(i),
            Selected::RowItem(i) => self.template.rows.as_ref()?.items.get(i),
            Selected::Rows => None,
        }
    }

    fn selected_item_mut(&mut self) -> Option<&mut Placed> {
        match self.selected? {
            Selected::Item(i) => self.template.items.get_mut(i),
            Selected::RowItem(i) => self.template.rows.as_mut()?.items.get_mut(i),
            Selected::Rows => None,
        }
    }

    /// The selected field's type size one point larger or smaller (6 to 20 points); a check
    /// mark's box half a millimetre.
    pub fn step_size(&mut self, up: bool) {
        self.hide_preview();
        match self.selected_item_mut() {
            Some(Placed::Field(field)) => {
                let step = if up { 1.0 } else { -1.0 };
                field.size = (field.size + step).clamp(6.0, 20.0);
            }
            Some(Placed::Check(check)) => {
                let step = if up { 0.5 } else { -0.5 };
                check.size = (check.size + step).clamp(2.5, 6.0);
            }
            _ => {}
        }
    }

    pub fn set_alignment(&mut self, align: Alignment) {
        self.hide_preview();
        if let Some(Placed::Field(field)) = self.selected_item_mut() {
            field.align = align;
        }
    }

    /// How many lines the selected field may wrap to (1 to 6).
    pub fn step_lines(&mut self, up: bool) {
        self.hide_preview();
        if let Some(Placed::Field(field)) = self.selected_item_mut() {
            field.lines = if up {
                (field.lines + 1).min(6)
            } else {
                field.lines.saturating_sub(1).max(1)
            };
        }
    }

    /// One household row more or fewer on a sheet, as far as the sheet reaches.
    pub fn step_rows(&mut self, up: bool) {
        self.hide_preview();
        if let Some(rows) = &mut self.template.rows {
            let wanted = if up {
                rows.per_page + 1
            } else {
                rows.per_page.saturating_sub(1).max(1)
            };
            rows.per_page = fitting_rows(rows, wanted);
        }
    }

    /// Takes the selected box away (the rows: all of them, with their boxes).
    pub fn remove_selected(&mut self) {
        self.hide_preview();
        match self.selected.take() {
            Some(Selected::Item(i)) if i < self.template.items.len() => {
                self.template.items.remove(i);
            }
            Some(Selected::RowItem(i)) => {
                if let Some(rows) = &mut self.template.rows
                    && i < rows.items.len()
                {
                    rows.items.remove(i);
                }
            }
            Some(Selected::Rows) => self.template.rows = None,
            _ => {}
        }
    }

    /// Whether the city prints this form on its own pre-printed paper (values only).
    pub fn set_preprinted(&mut self, preprinted: bool) {
        self.hide_preview();
        self.template.form.paper = if preprinted {
            Paper::Preprinted
        } else {
            Paper::Plain
        };
    }

    /// Everything placed, as the page draws it: the rows first (under their boxes).
    pub fn boxes(&self) -> Vec<BoxView> {
        let mut shown = Vec::new();
        if let Some(rows) = &self.template.rows {
            let selected = self.selected == Some(Selected::Rows);
            shown.push(BoxView {
                rect: rows_block(rows),
                kind: "rows",
                caption: format!("世帯の行（{}行）", rows.per_page),
                sample: String::new(),
                selected,
            });
            shown.push(BoxView {
                rect: first_row(rows),
                kind: "row",
                caption: "1行目：ここに欄を置くと全行に入ります".into(),
                sample: String::new(),
                selected,
            });
            for (i, item) in rows.items.iter().enumerate() {
                shown.push(self.view_of(
                    item,
                    in_row(rows, item.rect()),
                    true,
                    self.selected == Some(Selected::RowItem(i)),
                ));
            }
        }
        for (i, item) in self.template.items.iter().enumerate() {
            shown.push(self.view_of(
                item,
                item.rect(),
                false,
                self.selected == Some(Selected::Item(i)),
            ));
        }
        shown
    }

    fn view_of(&self, item: &Placed, rect: [f64; 4], in_rows: bool, selected: bool) -> BoxView {
        let kind = match item.kind() {
            PlaceKind::Field => "field",
            PlaceKind::Era => "era",
            PlaceKind::Check => "check",
            PlaceKind::Qr => "qr",
        };
        BoxView {
            rect,
            kind,
            caption: self.caption_of(item, in_rows),
            sample: match item.kind() {
                PlaceKind::Qr => String::new(),
                _ => self.sample_of(item.value(), in_rows),
            },
            selected,
        }
    }

    /// What a box holds, as the list names it.
    pub fn caption_of(&self, item: &Placed, in_rows: bool) -> String {
        if item.kind() == PlaceKind::Qr {
            return "QRコード".into();
        }
        if item.value().is_empty() {
            return "（値を選んでください）".into();
        }
        self.choice(item.value(), in_rows)
            .map_or_else(|| item.value().to_string(), |c| c.name.clone())
    }

    /// The values a box can hold: inside household rows, the row's member's first.
    fn choices_for(&self, in_rows: bool) -> &[ValueChoice] {
        if in_rows {
            &self.row_choices
        } else {
            &self.choices
        }
    }

    fn choice(&self, path: &str, in_rows: bool) -> Option<&ValueChoice> {
        self.choices_for(in_rows).iter().find(|c| c.path == path)
    }

    /// Whether the selection is a box of the household rows.
    fn selected_in_rows(&self) -> bool {
        matches!(self.selected, Some(Selected::RowItem(_)))
    }

    /// The selected box's caption, for the panel beside the page.
    pub fn selected_caption(&self) -> Option<String> {
        let in_rows = self.selected_in_rows();
        self.selected_item().map(|i| self.caption_of(i, in_rows))
    }
}

/// A point kept on the sheet.
fn on_sheet(at: [f64; 2]) -> [f64; 2] {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    [
        finite(at[0]).clamp(0.0, SHEET_MM[0]),
        finite(at[1]).clamp(0.0, SHEET_MM[1]),
    ]
}

/// A row item's rectangle on the sheet, in the first row.
fn in_row(rows: &PlacedRows, local: [f64; 4]) -> [f64; 4] {
    [
        rows.origin[0] + local[0],
        rows.origin[1] + local[1],
        local[2],
        local[3],
    ]
}

/// The first row: from its origin to the sheet's right margin, as a printed row runs.
fn first_row(rows: &PlacedRows) -> [f64; 4] {
    let width = (SHEET_MM[0] - RIGHT_MARGIN_MM - rows.origin[0]).max(MIN_BOX_MM);
    [rows.origin[0], rows.origin[1], width, rows.height]
}

/// Every row of a sheet.
fn rows_block(rows: &PlacedRows) -> [f64; 4] {
    let first = first_row(rows);
    [
        first[0],
        first[1],
        first[2],
        rows.height * rows.per_page as f64,
    ]
}

/// At most `wanted` rows, as many as reach no lower than the sheet.
fn fitting_rows(rows: &PlacedRows, wanted: usize) -> usize {
    let room = ((SHEET_MM[1] - rows.origin[1]) / rows.height)
        .floor()
        .max(1.0) as usize;
    wanted.clamp(1, room.min(MAX_ROWS_PER_PAGE))
}

fn inside_rect(outer: [f64; 4], inner: [f64; 4]) -> bool {
    const SLACK: f64 = 0.5;
    inner[0] >= outer[0] - SLACK
        && inner[1] >= outer[1] - SLACK
        && inner[1] + inner[3] <= outer[1] + outer[3] + SLACK
}

#[cfg(test)]
mod tests;
