//! The 窓口案内シート the resident carries from counter to counter: each counter in the order
//! to visit, where it is, and for each procedure why it applies, the last day (和暦 and 西暦),
//! what to bring and which forms are already filled in. Deadlines that cost money or a lapsed
//! certification stand out; procedures still to be confirmed come last.

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::wareki;

use crate::draw::{Canvas, FieldReport, TextStyle};
use crate::fonts::{Fonts, Typeface};
use crate::page::Page;
use crate::template::{Align, VAlign};

/// What the sheet says. The kiosk builds it from the engine's decision and the counters'
/// places in the settings.
#[derive(Clone, Debug, Default)]
pub struct Guidance {
    /// 「標準市役所」
    pub office: String,
    pub visit_date: NaiveDate,
    /// 「転入」
    pub event: String,
    /// The 受付番号 (「A-012」) the departments' counters call the household by; empty when the
    /// terminal gives none.
    pub reception: String,
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
    /// 「後期高齢者医療の被保険者になります（74歳の方）」
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
    /// Another agency: the city does not handle it.
    pub external: bool,
    pub procedures: Vec<GuidanceProcedure>,
}

#[derive(Clone, Debug, Default)]
pub struct GuidanceProcedure {
    pub name: String,
    pub critical: bool,
    pub why: Vec<String>,
    pub deadline: Option<NaiveDate>,
    /// Why the deadline is later than the count gives, when it fell on a closed day:
    /// 「11月29日は日曜日のため翌開庁日」.
    pub deadline_moved: Option<String>,
    /// The deadline had passed on the visit date.
    pub overdue: bool,
    pub bring: Vec<String>,
    /// Form titles, and whether the packet has them filled in.
    pub forms: Vec<(String, bool)>,
}

#[derive(Clone, Debug, Default)]
pub struct ConfirmItem {
    pub name: String,
    pub counter: String,
    /// What is not known yet, e.g. 「お子さんが保育園に通う予定があるか」.
    pub waiting_on: Vec<String>,
}

pub(crate) const TITLE: &str = "窓口案内シート";

const LEFT: f32 = 15.0;
const WIDTH: f32 = 180.0;
const BOTTOM: f32 = 280.0;
const BODY: f32 = 10.0;

/// Both calendars, as residents read either: 令和8年12月7日（2026年12月7日）.
pub fn both_calendars(date: NaiveDate) -> String {
    let western = format!("{}年{}月{}日", date.year(), date.month(), date.day());
    match wareki::format(date) {
        Ok(japanese) => format!("{japanese}（{western}）"),
        Err(_) => western,
    }
}

struct Sheet<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    first_page: usize,
    y: f32,
    reports: &'a mut Vec<FieldReport>,
    current: Page,
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
        };
        let result = draw(&mut canvas);
        self.current = canvas.page;
        result
    }

    fn text(&mut self, x: f32, width: f32, text: &str, size: f32, typeface: Typeface) -> f32 {
        let height = self
            .with_canvas(|c| c.measure(text, width, size, typeface))
            .max(size * 0.3528);
        let y = self.y;
        self.with_canvas(|c| {
            c.text(
                [x, y, width, height + 0.5],
                text,
                TextStyle {
                    size,
                    min_size: size,
                    lines: 40,
                    align: Align::Left,
                    valign: VAlign::Top,
                    typeface,
                },
                TITLE,
            )
        });
        self.y += height + size * 0.3528 * 0.45;
        height
    }

    fn measure(&mut self, text: &str, width: f32, size: f32, typeface: Typeface) -> f32 {
        self.with_canvas(|c| c.measure(text, width, size, typeface)) + size * 0.3528 * 0.45
    }

    /// Starts a new sheet when `needed` millimetres do not fit on this one.
    fn room_for(&mut self, needed: f32) {
        if self.y + needed > BOTTOM {
            let done = std::mem::take(&mut self.current);
            self.pages.push(done);
            self.y = 15.0;
            self.text(
                LEFT,
                WIDTH,
                &format!("{TITLE}（続き）"),
                12.0,
                Typeface::GothicBold,
            );
            self.y += 2.0;
        }
    }
}

/// Lays the sheet out over as many A4 pages as it needs.
pub(crate) fn lay_out(
    guidance: &Guidance,
    fonts: &Fonts,
    first_page: usize,
    reports: &mut Vec<FieldReport>,
) -> Vec<Page> {
    let mut sheet = Sheet {
        fonts,
        pages: Vec::new(),
        first_page,
        y: 14.0,
        reports,
        current: Page::default(),
    };
    header(&mut sheet, guidance);
    for (index, stop) in guidance.counters.iter().enumerate() {
        counter(&mut sheet, index + 1, stop);
    }
    to_confirm(&mut sheet, &guidance.to_confirm);
    coming(&mut sheet, &guidance.coming);
    sheet.room_for(12.0);
    sheet.y += 3.0;
    sheet.text(
        LEFT,
        WIDTH,
        "ご不明な点は、どの窓口でもお尋ねください。このシートには個人情報が含まれます。手続きが終わったら大切に保管するか、破棄してください。",
        8.0,
        Typeface::Gothic,
    );
    let last = std::mem::take(&mut sheet.current);
    sheet.pages.push(last);
    number_pages(&mut sheet);
    sheet.pages
}

/// 「1 / 3」 at the foot of every page: residents carry the sheets apart.
fn number_pages(sheet: &mut Sheet<'_>) {
    let count = sheet.pages.len();
    let pages = std::mem::take(&mut sheet.pages);
    for (index, page) in pages.into_iter().enumerate() {
        let mut canvas = Canvas {
            fonts: sheet.fonts,
            page,
            form: TITLE.to_string(),
            page_number: sheet.first_page + index,
            reports: sheet.reports,
        };
        canvas.text(
            [LEFT, 285.0, WIDTH, 5.0],
            &format!("{TITLE}　{} / {count}", index + 1),
            TextStyle {
                size: 8.0,
                min_size: 6.0,
                lines: 1,
                align: Align::Center,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            "ページ番号",
        );
        sheet.pages.push(canvas.page);
    }
}

/// The 受付番号 in a box beside the title: the number the departments call, large enough to
/// read across a counter.
fn reception_box(c: &mut Canvas<'_>, [x, y, w, h]: [f32; 4], number: &str) {
    c.page.rect(x, y, w, h, 0.8);
    c.text(
        [x + 1.0, y, 14.0, h],
        "受付番号",
        TextStyle {
            size: 8.0,
            min_size: 6.0,
            lines: 1,
            align: Align::Left,
            valign: VAlign::Middle,
            typeface: Typeface::Gothic,
        },
        "受付番号",
    );
    c.text(
        [x + 15.0, y, w - 16.0, h],
        number,
        TextStyle {
            size: 18.0,
            min_size: 10.0,
            lines: 1,
            align: Align::Center,
            valign: VAlign::Middle,
            typeface: Typeface::GothicBold,
        },
        "受付番号",
    );
}

fn header(sheet: &mut Sheet<'_>, guidance: &Guidance) {
    let y = sheet.y;
    sheet.with_canvas(|c| {
        c.text(
            [LEFT, y, 110.0, 12.0],
            TITLE,
            TextStyle {
                size: 20.0,
                min_size: 14.0,
                lines: 1,
                align: Align::Left,
                valign: VAlign::Middle,
                typeface: Typeface::GothicBold,
            },
            TITLE,
        );
        if !guidance.reception.is_empty() {
            reception_box(c, [LEFT + 62.0, y, 44.0, 12.0], &guidance.reception);
        }
        c.text(
            [LEFT + 110.0, y, 70.0, 6.0],
            &guidance.office,
            TextStyle {
                size: 10.0,
                min_size: 7.0,
                lines: 1,
                align: Align::Right,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            "市区町村名",
        );
        c.text(
            [LEFT + 110.0, y + 6.0, 70.0, 6.0],
            &format!("{} 作成", both_calendars(guidance.visit_date)),
            TextStyle {
                size: 8.0,
                min_size: 6.0,
                lines: 1,
                align: Align::Right,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            "作成日",
        );
        c.page.line((LEFT, y + 13.5), (LEFT + WIDTH, y + 13.5), 0.6);
    });
    sheet.y += 16.0;
    let intro = format!(
        "{}の手続きのご案内です。下の番号の順に窓口へお進みください。記入済みの申請書は、内容を確認して署名してください。",
        guidance.event
    );
    sheet.text(LEFT, WIDTH, &intro, BODY, Typeface::Gothic);
    let y = sheet.y;
    sheet.with_canvas(|c| {
        c.page.rect(LEFT, y, 12.0, 5.0, 0.6);
        c.text(
            [LEFT, y, 12.0, 5.0],
            "【重要】",
            TextStyle {
                size: 7.0,
                min_size: 5.0,
                lines: 1,
                align: Align::Center,
                valign: VAlign::Middle,
                typeface: Typeface::GothicBold,
            },
            "凡例",
        );
    });
    sheet.text(
        LEFT + 14.0,
        WIDTH - 14.0,
        "太枠の手続きは、期限を過ぎると手当や助成を受けられない月が出るなど、不利益がある手続きです。必ず期限内に済ませてください。",
        8.5,
        Typeface::Gothic,
    );
    sheet.y += 2.0;
}

fn counter(sheet: &mut Sheet<'_>, number: usize, stop: &CounterStop) {
    // Never leave a counter's heading alone at the foot of a page.
    let first = stop
        .procedures
        .first()
        .map_or(0.0, |p| block_height(sheet, p));
    sheet.room_for(11.0 + first);
    let place = match (&stop.place, stop.external) {
        (_, true) => "市役所以外の窓口です（ご自身でお手続きください）".to_string(),
        (Some(place), false) => place.clone(),
        (None, false) => String::new(),
    };
    let y = sheet.y;
    sheet.with_canvas(|c| {
        c.page.fill(LEFT, y, WIDTH, 9.0, 0.88);
        c.page.rect(LEFT, y, WIDTH, 9.0, 0.3);
        c.text(
            [LEFT + 2.0, y, 12.0, 9.0],
            &number.to_string(),
            TextStyle {
                size: 16.0,
                min_size: 10.0,
                lines: 1,
                align: Align::Center,
                valign: VAlign::Middle,
                typeface: Typeface::GothicBold,
            },
            "窓口番号",
        );
        c.text(
            [LEFT + 15.0, y, 75.0, 9.0],
            &stop.name,
            TextStyle {
                size: 13.0,
                min_size: 8.0,
                lines: 1,
                align: Align::Left,
                valign: VAlign::Middle,
                typeface: Typeface::GothicBold,
            },
            "窓口名",
        );
        c.text(
            [LEFT + 90.0, y, 88.0, 9.0],
            &place,
            TextStyle {
                size: 10.0,
                min_size: 7.0,
                lines: 2,
                align: Align::Right,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            "場所",
        );
    });
    sheet.y += 11.0;
    for procedure in &stop.procedures {
        procedure_block(sheet, procedure);
    }
    sheet.y += 2.0;
}

fn procedure_lines(procedure: &GuidanceProcedure) -> Vec<(String, f32, Typeface)> {
    let mut lines = Vec::new();
    let title = if procedure.critical {
        format!("【重要】{}", procedure.name)
    } else {
        procedure.name.clone()
    };
    lines.push((title, 11.0, Typeface::GothicBold));
    if let Some(deadline) = procedure.deadline {
        let text = if procedure.overdue {
            format!(
                "期限：{}まで（期限を過ぎています。窓口でご相談ください）",
                both_calendars(deadline)
            )
        } else {
            let moved = procedure
                .deadline_moved
                .as_ref()
                .map_or_else(String::new, |why| format!("（{why}）"));
            format!("期限：{}まで{moved}", both_calendars(deadline))
        };
        let face = if procedure.critical {
            Typeface::GothicBold
        } else {
            Typeface::Gothic
        };
        lines.push((text, BODY, face));
    }
    if !procedure.why.is_empty() {
        lines.push((
            format!("理由：{}", procedure.why.join("。")),
            9.0,
            Typeface::Gothic,
        ));
    }
    if !procedure.bring.is_empty() {
        lines.push((
            format!("持ち物：{}", procedure.bring.join("、")),
            9.0,
            Typeface::Gothic,
        ));
    }
    if !procedure.forms.is_empty() {
        let forms: Vec<String> = procedure
            .forms
            .iter()
            .map(|(title, filled)| {
                if *filled {
                    format!("{title}（記入済み）")
                } else {
                    format!("{title}（窓口で記入）")
                }
            })
            .collect();
        lines.push((format!("用紙：{}", forms.join("、")), 9.0, Typeface::Gothic));
    }
    lines
}

const BLOCK_INDENT: f32 = LEFT + 6.0;
const BLOCK_WIDTH: f32 = WIDTH - 8.0;

fn block_height(sheet: &mut Sheet<'_>, procedure: &GuidanceProcedure) -> f32 {
    procedure_lines(procedure)
        .iter()
        .map(|(text, size, face)| sheet.measure(text, BLOCK_WIDTH, *size, *face))
        .sum::<f32>()
        + 2.0
}

fn procedure_block(sheet: &mut Sheet<'_>, procedure: &GuidanceProcedure) {
    let indent = BLOCK_INDENT;
    let width = BLOCK_WIDTH;
    let lines = procedure_lines(procedure);
    let needed = block_height(sheet, procedure);
    sheet.room_for(needed);
    let top = sheet.y;
    sheet.y += 1.0;
    for (text, size, face) in &lines {
        sheet.text(indent, width, text, *size, *face);
    }
    let bottom = sheet.y;
    if procedure.critical {
        sheet
            .current
            .rect(LEFT + 3.0, top, WIDTH - 3.0, bottom - top, 0.8);
    } else {
        sheet
            .current
            .line((LEFT + 3.0, top), (LEFT + 3.0, bottom), 0.3);
    }
    sheet.y += 2.0;
}

/// A ruled-off section of the sheet with its heading.
fn section(sheet: &mut Sheet<'_>, heading: &str) {
    sheet.room_for(20.0);
    sheet.y += 2.0;
    let y = sheet.y;
    sheet.current.line((LEFT, y), (LEFT + WIDTH, y), 0.4);
    sheet.y += 2.0;
    sheet.text(LEFT, WIDTH, heading, 11.0, Typeface::GothicBold);
}

/// 「これからの節目」: what changes with an age soon after the move, and what to do.
fn coming(sheet: &mut Sheet<'_>, notes: &[ComingNote]) {
    if notes.is_empty() {
        return;
    }
    section(
        sheet,
        "これからの節目（お引越しの後、年齢により変わること）",
    );
    for note in notes {
        let text = format!(
            "・{}：{}　{}",
            both_calendars(note.date),
            note.what,
            note.todo
        );
        let needed = sheet.measure(&text, WIDTH - 4.0, 9.0, Typeface::Gothic);
        sheet.room_for(needed);
        sheet.text(LEFT + 2.0, WIDTH - 4.0, &text, 9.0, Typeface::Gothic);
    }
}

fn to_confirm(sheet: &mut Sheet<'_>, items: &[ConfirmItem]) {
    if items.is_empty() {
        return;
    }
    section(
        sheet,
        "確認が必要な手続き（該当するかどうか、窓口でお確かめください）",
    );
    for item in items {
        let mut text = format!("・{}（{}）", item.name, item.counter);
        if !item.waiting_on.is_empty() {
            text.push_str(&format!("　確認すること：{}", item.waiting_on.join("、")));
        }
        let needed = sheet.measure(&text, WIDTH - 4.0, 9.0, Typeface::Gothic);
        sheet.room_for(needed);
        sheet.text(LEFT + 2.0, WIDTH - 4.0, &text, 9.0, Typeface::Gothic);
    }
}
