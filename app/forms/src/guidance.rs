//! The 窓口案内シート the resident carries from counter to counter: each counter in the order
//! to visit, where it is, and for each procedure why it applies, the last day (和暦 and 西暦),
//! what to bring and which forms are already filled in. Deadlines that cost money or a lapsed
//! certification stand out; procedures still to be confirmed come last.

use chrono::NaiveDate;

use crate::draw::{Canvas, FieldReport, TextStyle};
use crate::fonts::{Fonts, Typeface, Weight};
use crate::page::Page;
use crate::paragraph::Paragraph;
pub use crate::sheet_words::{SheetLanguage, SheetText, both_calendars};
use crate::sheet_words::{Words, words};
use crate::template::{Align, VAlign};

/// What the sheet says, every text already in the sheet's language (the kiosk picks the
/// catalogue's Japanese, やさしい日本語 or English). やさしい日本語 texts carry ルビ marks.
#[derive(Clone, Debug, Default)]
pub struct Guidance {
    pub language: SheetLanguage,
    /// 「標準市役所」
    pub office: String,
    pub visit_date: NaiveDate,
    /// 「転入」
    pub event: String,
    /// The event is a death: the sheet is 「おくやみ手続きのご案内」 and opens with condolences.
    pub condolence: bool,
    /// Whose household it is (the 世帯主's name, else the applicant's): a clerk with ten
    /// sheets on the counter tells them apart. Empty leaves the line out.
    pub household: String,
    pub members: usize,
    /// The 受付番号 (「A-012」) the departments' counters call the household by; empty when the
    /// terminal gives none.
    pub reception: String,
    /// In the order to visit: the registration counter first, then by building and floor.
    pub counters: Vec<CounterStop>,
    pub to_confirm: Vec<ConfirmItem>,
    /// Changes an age brings soon after the move, by date.
    pub coming: Vec<ComingNote>,
}

/// A change an age brings soon after the move, as the sheet prints it.
#[derive(Clone, Debug, Default)]
pub struct ComingNote {
    /// The day it starts (or, for an end, the last day).
    pub date: NaiveDate,
    /// 「後期高齢者医療の被保険者になります（山田 一郎さん、74歳）」
    pub what: String,
    /// 「届出は要りません。…」
    pub todo: String,
}

#[derive(Clone, Debug, Default)]
pub struct CounterStop {
    /// 「市民課」
    pub name: String,
    /// 「本庁舎1階 1〜5番窓口」
    pub place: Option<String>,
    /// The building and floor, for the route: 「本庁舎」, 2.
    pub building: Option<String>,
    pub floor: Option<i32>,
    /// Another agency: the city does not handle it.
    pub external: bool,
    pub procedures: Vec<GuidanceProcedure>,
}

#[derive(Clone, Debug, Default)]
pub struct GuidanceProcedure {
    pub name: String,
    pub critical: bool,
    /// The members it is for, named: 「窓口 陽菜（7歳）」. Empty when it is for the household.
    pub who: Vec<String>,
    pub why: Vec<String>,
    pub deadline: Option<NaiveDate>,
    /// Why the deadline is later than the count gives, when it fell on a closed day:
    /// 「11月29日は日曜日のため翌開庁日」.
    pub deadline_moved: Option<String>,
    /// The deadline had passed on the visit date.
    pub overdue: bool,
    pub bring: Vec<String>,
    /// What the counter charges for what it issues.
    pub fees: Vec<FeeLine>,
    /// Form titles as the printed sheets carry them, and whether the packet has them filled
    /// in.
    pub forms: Vec<(String, bool)>,
    /// Procedures of this sheet to finish first, with their counters: 「国民健康保険の加入
    /// （保険年金課）」.
    pub after: Vec<String>,
}

/// A certificate's fee: per copy, or for the copies the case asks for.
#[derive(Clone, Debug, Default)]
pub struct FeeLine {
    /// 「住民票の写し」
    pub what: String,
    /// Yen for one copy.
    pub yen: u32,
    pub copies: Option<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ConfirmItem {
    pub name: String,
    pub counter: String,
    /// What is not known yet, e.g. 「お子さんが保育園に通う予定があるか」.
    pub waiting_on: Vec<String>,
}

/// The Japanese title, which the PDF's metadata and the clerk's reports use whatever the
/// sheet's language.
pub(crate) const TITLE: &str = "窓口案内シート";

const LEFT: f32 = 15.0;
/// The title's room, left of the 受付番号.
const TITLE_WIDTH: f32 = 61.0;
const WIDTH: f32 = 180.0;
const BOTTOM: f32 = 282.0;
/// UD practice for documents handed to elderly residents: 11–12 pt.
const BODY: f32 = 11.0;
const HEADING: f32 = 12.0;

struct Sheet<'a> {
    fonts: &'a Fonts,
    language: SheetLanguage,
    /// The running text's faces: BIZ UDPゴシック, or the resident's language's Noto face.
    regular: Typeface,
    bold: Typeface,
    words: &'static Words,
    /// The sheet's title: 「窓口案内シート」, or 「おくやみ手続きのご案内」 after a death.
    title: &'static str,
    pages: Vec<Page>,
    first_page: usize,
    y: f32,
    reports: &'a mut Vec<FieldReport>,
    current: Page,
    /// Space after a paragraph, in ems: 0.45, or 0.2 when the sheet is set tight to save a
    /// last page.
    gap: f32,
}

impl<'a> Sheet<'a> {
    /// Draws on the current page through a canvas, keeping reports in order.
    fn with_canvas<R>(&mut self, draw: impl FnOnce(&mut Canvas<'_>) -> R) -> R {
        let page_number = self.first_page + self.pages.len();
        let mut canvas = Canvas {
            fonts: self.fonts,
            page: std::mem::take(&mut self.current),
            form: TITLE.to_string(),
            page_number,
            reports: self.reports,
            values_only: false,
        };
        let result = draw(&mut canvas);
        self.current = canvas.page;
        result
    }

    fn paragraph(&self, text: &str, width: f32, size: f32, typeface: Typeface) -> Paragraph {
        Paragraph::set(
            self.fonts,
            text,
            typeface,
            size,
            width,
            self.language.ruby(),
        )
    }

    /// Sets running text at the pen and moves the pen below it; returns its height.
    fn text(&mut self, x: f32, width: f32, text: &str, size: f32, typeface: Typeface) -> f32 {
        let set = self.paragraph(text, width, size, typeface);
        let height = set.height();
        let y = self.y;
        set.draw(&mut self.current, x, y);
        self.with_canvas(|c| {
            for problem in &set.problems {
                c.report(TITLE, crate::draw::ReportKind::Glyph(problem.clone()));
            }
        });
        self.y += height + size * crate::text::PT * self.gap;
        height
    }

    fn measure(&self, text: &str, width: f32, size: f32, typeface: Typeface) -> f32 {
        self.paragraph(text, width, size, typeface).height() + size * crate::text::PT * self.gap
    }

    /// Starts a new sheet when `needed` millimetres do not fit on this one.
    fn room_for(&mut self, needed: f32) {
        if self.y + needed > BOTTOM {
            let done = std::mem::take(&mut self.current);
            self.pages.push(done);
            self.y = 14.0;
            let heading = format!("{}{}", self.title, self.words.continued);
            self.text(LEFT, WIDTH, &heading, HEADING, self.bold);
            self.y += 2.0;
        }
    }

    /// 「理由：…」: a label and its text, wrapped under the block's indent.
    fn labelled(&self, label: &str, text: &str) -> String {
        format!("{label}{}{text}", self.words.colon)
    }
}

/// Space after a paragraph, in ems, as the sheet is usually set.
const LOOSE: f32 = 0.45;
const TIGHT: f32 = 0.2;
/// A last page holding less than this (mm from the top) is a wasted sheet: set it tight.
const NEARLY_EMPTY: f32 = 80.0;

/// Lays the sheet out over as many A4 pages as it needs; when its last page would hold only a
/// few lines, sets it again with less space between lines so that it ends a page sooner.
pub(crate) fn lay_out(
    guidance: &Guidance,
    fonts: &Fonts,
    first_page: usize,
    reports: &mut Vec<FieldReport>,
) -> Vec<Page> {
    let mut loose_reports = Vec::new();
    let (pages, last_y) = lay_out_with(guidance, fonts, first_page, &mut loose_reports, LOOSE);
    if pages.len() > 1 && last_y < NEARLY_EMPTY {
        let mut tight_reports = Vec::new();
        let (tight, _) = lay_out_with(guidance, fonts, first_page, &mut tight_reports, TIGHT);
        if tight.len() < pages.len() {
            reports.extend(tight_reports);
            return tight;
        }
    }
    reports.extend(loose_reports);
    pages
}

fn lay_out_with(
    guidance: &Guidance,
    fonts: &Fonts,
    first_page: usize,
    reports: &mut Vec<FieldReport>,
    gap: f32,
) -> (Vec<Page>, f32) {
    let mut sheet = Sheet {
        fonts,
        language: guidance.language,
        regular: Typeface::running(guidance.language, Weight::Regular),
        bold: Typeface::running(guidance.language, Weight::Bold),
        words: words(guidance.language),
        title: words(guidance.language).title_for(guidance.condolence),
        pages: Vec::new(),
        first_page,
        y: 14.0,
        reports,
        current: Page::default(),
        gap,
    };
    header(&mut sheet, guidance);
    route(&mut sheet, &guidance.counters);
    for (index, stop) in guidance.counters.iter().enumerate() {
        if !stop.external {
            counter(&mut sheet, index + 1, stop);
        }
    }
    elsewhere(&mut sheet, &guidance.counters);
    to_confirm(&mut sheet, &guidance.to_confirm);
    coming(&mut sheet, &guidance.coming);
    let footer = sheet.words.footer;
    let regular = sheet.regular;
    let needed = sheet.measure(footer, WIDTH, 10.0, regular) + 3.0;
    sheet.room_for(needed);
    sheet.y += 3.0;
    sheet.text(LEFT, WIDTH, footer, 10.0, regular);
    let last_y = sheet.y;
    let last = std::mem::take(&mut sheet.current);
    sheet.pages.push(last);
    number_pages(&mut sheet);
    (sheet.pages, last_y)
}

/// 「窓口案内シート　1 / 3」 at the foot of every page: residents carry the sheets apart.
fn number_pages(sheet: &mut Sheet<'_>) {
    let regular = sheet.regular;
    let count = sheet.pages.len();
    let pages = std::mem::take(&mut sheet.pages);
    // A title in two languages is numbered by its first line, the resident's.
    let first_line = sheet.title.lines().next().unwrap_or_default();
    let title = madoguchi_domain::ruby::base_text(first_line);
    for (index, page) in pages.into_iter().enumerate() {
        let mut canvas = Canvas {
            fonts: sheet.fonts,
            page,
            form: TITLE.to_string(),
            page_number: sheet.first_page + index,
            reports: sheet.reports,
            values_only: false,
        };
        canvas.text(
            [LEFT, 285.0, WIDTH, 5.0],
            &format!("{title}　{} / {count}", index + 1),
            TextStyle {
                size: 9.0,
                min_size: 6.0,
                lines: 1,
                align: Align::Center,
                valign: VAlign::Middle,
                typeface: regular,
            },
            "ページ番号",
        );
        sheet.pages.push(canvas.page);
    }
}

fn one_line(size: f32, align: Align, typeface: Typeface) -> TextStyle {
    TextStyle {
        size,
        min_size: size * 0.7,
        lines: 1,
        align,
        valign: VAlign::Middle,
        typeface,
    }
}

/// The 受付番号 in a box beside the title: the number the departments call, large enough to
/// read across a counter.
fn reception_box(
    c: &mut Canvas<'_>,
    [x, y, w, h]: [f32; 4],
    label: &str,
    number: &str,
    (regular, bold): (Typeface, Typeface),
) {
    c.page.rect(x, y, w, h, 0.8);
    c.text(
        [x + 1.5, y, 16.0, h],
        label,
        one_line(9.0, Align::Left, regular),
        "受付番号",
    );
    c.text(
        [x + 17.0, y, w - 18.0, h],
        number,
        one_line(20.0, Align::Center, bold),
        "受付番号",
    );
}

fn header(sheet: &mut Sheet<'_>, guidance: &Guidance) {
    let (regular, bold) = (sheet.regular, sheet.bold);
    let words = sheet.words;
    let y = sheet.y;
    let top = y;
    // The title carries ルビ on a やさしい日本語 sheet: set as running text, on one line
    // beside the 受付番号 (a longer title a little smaller).
    let title = sheet.title;
    let size = [20.0, 18.0, 16.0, 15.0, 14.0]
        .into_iter()
        .find(|&size| sheet.paragraph(title, TITLE_WIDTH, size, bold).line_count() == 1)
        .unwrap_or(14.0);
    sheet.text(LEFT, TITLE_WIDTH, title, size, bold);
    if sheet.language.is_translated() {
        // The Japanese title under the resident's, for the clerk.
        let japanese =
            crate::sheet_words::words(SheetLanguage::Japanese).title_for(guidance.condolence);
        sheet.text(LEFT, TITLE_WIDTH, japanese, 11.0, bold);
    }
    let title_bottom = sheet.y;
    let date = sheet.language.date(guidance.visit_date);
    sheet.with_canvas(|c| {
        if !guidance.reception.is_empty() {
            reception_box(
                c,
                [LEFT + 62.0, top, 46.0, 13.0],
                words.reception,
                &guidance.reception,
                (regular, bold),
            );
        }
        c.text(
            [LEFT + 110.0, top, 70.0, 6.5],
            &guidance.office,
            one_line(10.0, Align::Right, regular),
            "市区町村名",
        );
        c.text(
            [LEFT + 110.0, top + 6.5, 70.0, 6.5],
            &words.made_on(&date),
            one_line(9.0, Align::Right, regular),
            "作成日",
        );
    });
    sheet.y = title_bottom.max(top + 14.0);
    if !guidance.household.is_empty() {
        let line = words.household(&guidance.household, guidance.members);
        sheet.text(LEFT, WIDTH, &line, 14.0, bold);
    }
    let y = sheet.y;
    sheet.current.line((LEFT, y), (LEFT + WIDTH, y), 0.6);
    sheet.y += 2.5;
    let intro = if guidance.condolence {
        words.condolence_intro.to_string()
    } else {
        words.intro(&guidance.event)
    };
    sheet.text(LEFT, WIDTH, &intro, BODY, regular);
    let y = sheet.y;
    sheet.with_canvas(|c| {
        c.page.rect(LEFT, y + 0.3, 14.0, 5.5, 0.8);
        c.text(
            [LEFT, y + 0.3, 14.0, 5.5],
            words.important,
            one_line(9.0, Align::Center, bold),
            "凡例",
        );
    });
    sheet.text(LEFT + 16.0, WIDTH - 16.0, words.legend, 10.0, regular);
    sheet.y += 1.0;
}

/// 「まわる順：本庁舎1階（1）→ 本庁舎2階（2・3・4）→ 第二庁舎3階（5）　市役所以外（6〜8）」:
/// where to walk, floor by floor, before the detail.
fn route(sheet: &mut Sheet<'_>, counters: &[CounterStop]) {
    let bold = sheet.bold;
    let language = sheet.language;
    let words = sheet.words;
    let mut legs: Vec<(String, Vec<usize>)> = Vec::new();
    let mut elsewhere = Vec::new();
    for (index, stop) in counters.iter().enumerate() {
        let number = index + 1;
        if stop.external {
            elsewhere.push(number);
            continue;
        }
        let place = match (&stop.building, stop.floor) {
            (Some(building), Some(floor)) => language.floor(building, floor),
            (Some(building), None) => building.clone(),
            _ => stop.name.clone(),
        };
        match legs.last_mut() {
            Some((last, numbers)) if *last == place => numbers.push(number),
            _ => legs.push((place, vec![number])),
        }
    }
    if legs.len() < 2 && elsewhere.is_empty() {
        return;
    }
    let numbers = |list: &[usize]| {
        let list = list
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(words.and);
        format!("{}{list}{}", words.open, words.close)
    };
    let mut text = legs
        .iter()
        .map(|(place, list)| format!("{place}{}", numbers(list)))
        .collect::<Vec<_>>()
        .join(" → ");
    if !elsewhere.is_empty() {
        text.push_str(&format!("　{}{}", words.elsewhere, numbers(&elsewhere)));
    }
    let line = sheet.labelled(words.route, &text);
    let height = sheet.measure(&line, WIDTH - 4.0, BODY, bold) + 2.0;
    sheet.room_for(height + 3.0);
    let top = sheet.y;
    sheet.current.fill(LEFT, top, WIDTH, height, 0.94);
    sheet.current.rect(LEFT, top, WIDTH, height, 0.3);
    sheet.y += 1.5;
    sheet.text(LEFT + 2.0, WIDTH - 4.0, &line, BODY, bold);
    sheet.y = top + height + 3.0;
}

fn counter(sheet: &mut Sheet<'_>, number: usize, stop: &CounterStop) {
    let (regular, bold) = (sheet.regular, sheet.bold);
    // Never leave a counter's heading alone at the foot of a page.
    let first = stop
        .procedures
        .first()
        .map_or(0.0, |p| block_height(sheet, p, ""));
    sheet.room_for(13.0 + first);
    let words = sheet.words;
    let place = match (&stop.place, stop.external) {
        (_, true) => words.external.to_string(),
        (Some(place), false) => place.clone(),
        (None, false) => String::new(),
    };
    let place = madoguchi_domain::ruby::base_text(&place);
    let name = stop.name.clone();
    let y = sheet.y;
    let ruby = sheet.language.ruby();
    sheet.with_canvas(|c| {
        c.page.fill(LEFT, y, WIDTH, 11.0, 0.88);
        c.page.rect(LEFT, y, WIDTH, 11.0, 0.3);
        c.text(
            [LEFT + 1.0, y, 12.0, 11.0],
            &number.to_string(),
            one_line(18.0, Align::Center, bold),
            "窓口番号",
        );
        if !ruby {
            // A translated name with its Japanese beside may take two lines of the band.
            c.text(
                [LEFT + 14.0, y, 80.0, 11.0],
                &name,
                TextStyle {
                    size: 14.0,
                    min_size: 8.0,
                    lines: 2,
                    align: Align::Left,
                    valign: VAlign::Middle,
                    typeface: bold,
                },
                "窓口名",
            );
        }
        c.text(
            [LEFT + 94.0, y, 84.0, 11.0],
            &place,
            TextStyle {
                size: 10.0,
                min_size: 7.0,
                lines: 2,
                align: Align::Right,
                valign: VAlign::Middle,
                typeface: regular,
            },
            "場所",
        );
    });
    if ruby {
        // A name with ルビ sits a little lower in the band, its readings above.
        sheet.y = y + 0.6;
        sheet.text(LEFT + 14.0, 80.0, &name, 13.0, bold);
    }
    sheet.y = y + 13.0;
    for procedure in &stop.procedures {
        procedure_block(sheet, procedure, "");
    }
    sheet.y += 1.5;
}

/// Other agencies' procedures, after the city's, without a counter band each: the resident
/// goes there on another day, and a sheet should not run to a page for two lines.
fn elsewhere(sheet: &mut Sheet<'_>, counters: &[CounterStop]) {
    let external: Vec<(usize, &CounterStop)> = counters
        .iter()
        .enumerate()
        .filter(|(_, stop)| stop.external)
        .collect();
    if external.is_empty() {
        return;
    }
    section(sheet, sheet.words.external_heading);
    sheet.y += 1.0;
    for (index, stop) in external {
        for procedure in &stop.procedures {
            let prefix = format!("{}　{}{}", index + 1, stop.name, sheet.words.colon);
            procedure_block(sheet, procedure, &prefix);
        }
    }
}

fn procedure_lines(sheet: &Sheet<'_>, procedure: &GuidanceProcedure) -> Vec<(String, Typeface)> {
    let (regular, bold) = (sheet.regular, sheet.bold);
    let words = sheet.words;
    let language = sheet.language;
    let mut lines = Vec::new();
    if !procedure.who.is_empty() {
        let who = procedure.who.join(words.separator);
        lines.push((sheet.labelled(words.who, &who), regular));
    }
    if let Some(deadline) = procedure.deadline {
        let mut text = words.deadline(&language.date(deadline));
        if procedure.overdue {
            text.push_str(words.overdue);
        } else if let Some(why) = &procedure.deadline_moved {
            text.push_str(&format!("{}{why}{}", words.open, words.close));
        }
        let face = if procedure.critical { bold } else { regular };
        lines.push((sheet.labelled(words.deadline_label, &text), face));
    }
    if !procedure.why.is_empty() {
        let why = procedure.why.join(words.reasons);
        lines.push((sheet.labelled(words.why, &why), regular));
    }
    if !procedure.after.is_empty() {
        let after = procedure.after.join(words.separator);
        lines.push((sheet.labelled(words.after, &after), regular));
    }
    if !procedure.bring.is_empty() {
        let bring = procedure.bring.join(words.separator);
        lines.push((sheet.labelled(words.bring, &bring), regular));
    }
    if !procedure.fees.is_empty() {
        let fees: Vec<String> = procedure
            .fees
            .iter()
            .map(|fee| match fee.copies {
                Some(copies) => words.fee_copies(&fee.what, copies, fee.yen),
                None => words.fee_each(&fee.what, fee.yen),
            })
            .collect();
        lines.push((
            sheet.labelled(words.fee, &fees.join(words.separator)),
            regular,
        ));
    }
    if !procedure.forms.is_empty() {
        let forms: Vec<String> = procedure
            .forms
            .iter()
            .map(|(title, filled)| {
                let how = if *filled { words.filled } else { words.to_fill };
                format!("{title}{}{how}{}", words.open, words.close)
            })
            .collect();
        lines.push((
            sheet.labelled(words.forms, &forms.join(words.separator)),
            regular,
        ));
    }
    lines
}

const BLOCK_INDENT: f32 = LEFT + 6.0;
const BLOCK_WIDTH: f32 = WIDTH - 9.0;
/// Room at the right of a procedure's name for its 「□ 済」.
const DONE_WIDTH: f32 = 20.0;

fn title_text(procedure: &GuidanceProcedure, words: &Words, prefix: &str) -> String {
    if procedure.critical {
        format!("{prefix}{}{}", words.important_tag, procedure.name)
    } else {
        format!("{prefix}{}", procedure.name)
    }
}

fn block_height(sheet: &Sheet<'_>, procedure: &GuidanceProcedure, prefix: &str) -> f32 {
    let bold = sheet.bold;
    let title = title_text(procedure, sheet.words, prefix);
    sheet.measure(&title, BLOCK_WIDTH - DONE_WIDTH, HEADING, bold)
        + procedure_lines(sheet, procedure)
            .iter()
            .map(|(text, face)| sheet.measure(text, BLOCK_WIDTH, BODY, *face))
            .sum::<f32>()
        + 2.5
}

/// One procedure under its counter; `prefix` names the counter when there is no band above
/// (「6　運輸支局：」).
fn procedure_block(sheet: &mut Sheet<'_>, procedure: &GuidanceProcedure, prefix: &str) {
    let bold = sheet.bold;
    let lines = procedure_lines(sheet, procedure);
    let needed = block_height(sheet, procedure, prefix);
    sheet.room_for(needed);
    let top = sheet.y;
    sheet.y += 1.2 * sheet.gap / LOOSE;
    let title = title_text(procedure, sheet.words, prefix);
    let title_top = sheet.y;
    sheet.text(
        BLOCK_INDENT,
        BLOCK_WIDTH - DONE_WIDTH,
        &title,
        HEADING,
        bold,
    );
    done_box(sheet, title_top);
    for (text, face) in &lines {
        sheet.text(BLOCK_INDENT, BLOCK_WIDTH, text, BODY, *face);
    }
    let bottom = sheet.y;
    if procedure.critical {
        sheet
            .current
            .rect(LEFT + 3.0, top, WIDTH - 3.0, bottom - top, 0.9);
    } else {
        sheet
            .current
            .line((LEFT + 3.0, top), (LEFT + 3.0, bottom), 0.4);
    }
    sheet.y += 2.0 * sheet.gap / LOOSE;
}

/// 「□ 済」 at the right of a procedure's name, for the resident to tick as they finish.
fn done_box(sheet: &mut Sheet<'_>, y: f32) {
    let bold = sheet.bold;
    let label = sheet.words.done;
    let x = LEFT + WIDTH - DONE_WIDTH + 2.0;
    let top = y + if sheet.language.ruby() { 2.2 } else { 0.2 };
    sheet.with_canvas(|c| {
        c.page.rect(x, top, 5.0, 5.0, 0.5);
        c.text(
            [x + 6.0, top - 0.5, 10.0, 6.0],
            label,
            one_line(HEADING, Align::Left, bold),
            "済",
        );
    });
}

/// A ruled-off section of the sheet with its heading.
fn section(sheet: &mut Sheet<'_>, heading: &str) {
    let bold = sheet.bold;
    let needed = sheet.measure(heading, WIDTH, HEADING, bold) + 14.0;
    sheet.room_for(needed);
    sheet.y += 2.0;
    let y = sheet.y;
    sheet.current.line((LEFT, y), (LEFT + WIDTH, y), 0.4);
    sheet.y += 2.0;
    sheet.text(LEFT, WIDTH, heading, HEADING, bold);
}

/// 「これからの節目」: what changes with an age soon after the move, and what to do.
fn coming(sheet: &mut Sheet<'_>, notes: &[ComingNote]) {
    let regular = sheet.regular;
    if notes.is_empty() {
        return;
    }
    section(sheet, sheet.words.coming);
    for note in notes {
        let text = format!(
            "・{}{}{}　{}",
            sheet.language.date(note.date),
            sheet.words.colon,
            note.what,
            note.todo
        );
        let needed = sheet.measure(&text, WIDTH - 4.0, BODY, regular);
        sheet.room_for(needed);
        sheet.text(LEFT + 2.0, WIDTH - 4.0, &text, BODY, regular);
    }
}

fn to_confirm(sheet: &mut Sheet<'_>, items: &[ConfirmItem]) {
    let regular = sheet.regular;
    if items.is_empty() {
        return;
    }
    section(sheet, sheet.words.to_confirm);
    for item in items {
        let words = sheet.words;
        let mut text = format!(
            "・{}{}{}{}",
            item.name, words.open, item.counter, words.close
        );
        if !item.waiting_on.is_empty() {
            let ask = sheet.labelled(
                sheet.words.to_ask,
                &item.waiting_on.join(sheet.words.separator),
            );
            text.push_str(&format!("　{ask}"));
        }
        let needed = sheet.measure(&text, WIDTH - 4.0, BODY, regular);
        sheet.room_for(needed);
        sheet.text(LEFT + 2.0, WIDTH - 4.0, &text, BODY, regular);
    }
}
