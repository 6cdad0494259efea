//! Filling one template: its items on the first sheet, its rows over as many sheets as the
//! household needs.

use chrono::{Datelike, NaiveDate};
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_domain::{Case, Member};

use crate::data::{Context, Value, ticked};
use crate::draw::{Canvas, FieldReport, ReportKind, TextStyle};
use crate::fonts::{Fonts, Typeface};
use crate::page::{A4_WIDTH, Mark, Page};
use crate::template::{
    Align, BoxItem, EraItem, FieldItem, Item, LabelAt, RowSource, Rows, Template, TextItem, VAlign,
};

/// The sheets of one filled form.
pub(crate) struct Filled {
    pub(crate) pages: Vec<Page>,
}

/// Inputs that are the same for every form of a packet.
pub(crate) struct Fill<'a> {
    pub(crate) fonts: &'a Fonts,
    pub(crate) context: Context<'a>,
    /// QR symbols carrying this form's data.
    pub(crate) qr: Vec<String>,
    /// The packet page number of this form's first sheet.
    pub(crate) first_page: usize,
    /// Where values land on the city's pre-printed paper, from the printer's calibration.
    pub(crate) preprinted_offset: [f32; 2],
}

pub(crate) fn fill(template: &Template, fill: &Fill<'_>, reports: &mut Vec<FieldReport>) -> Filled {
    let members = row_members(template, &fill.context);
    let rows = template.file.rows.as_ref();
    let first_capacity = rows.map_or(0, |r| r.per_page);
    let mut pages = Vec::new();

    let preprinted = template.file.form.paper == crate::authoring::Paper::Preprinted;
    let mut canvas = new_canvas(template, fill, 0, reports);
    canvas.values_only = preprinted;
    if let Some(image) = template.background.filter(|_| !preprinted) {
        canvas.page.marks.push(Mark::Image {
            x: 0.0,
            y: 0.0,
            w: A4_WIDTH,
            h: crate::page::A4_HEIGHT,
            image,
        });
    }
    draw_items(&mut canvas, &template.file.item, (0.0, 0.0), fill, None);
    if let Some(rows) = rows {
        for slot in 0..rows.per_page {
            let origin = (rows.origin[0], rows.origin[1] + rows.height * slot as f32);
            let member = members.get(slot).map(|(n, m)| (*n, *m));
            draw_items(&mut canvas, &rows.item, origin, fill, member);
        }
    }
    if preprinted {
        let [dx, dy] = fill.preprinted_offset;
        canvas.page.shift(dx, dy);
    }
    pages.push(canvas.page);

    if let Some(rows) = rows {
        let rest = members.get(first_capacity..).unwrap_or_default();
        let continuation = rows.continuation.as_ref();
        let per_page = continuation.map_or(rows.per_page, |c| c.per_page).max(1);
        for (sheet, chunk) in rest.chunks(per_page).enumerate() {
            let mut canvas = new_canvas(template, fill, pages.len(), reports);
            continuation_header(&mut canvas, template, sheet + 2);
            draw_continuation(&mut canvas, rows, chunk, fill);
            pages.push(canvas.page);
        }
    }
    Filled { pages }
}

fn new_canvas<'a>(
    template: &Template,
    fill: &Fill<'a>,
    sheet: usize,
    reports: &'a mut Vec<FieldReport>,
) -> Canvas<'a> {
    Canvas {
        fonts: fill.fonts,
        page: Page::default(),
        form: template.title().to_string(),
        page_number: fill.first_page + sheet,
        reports,
        values_only: false,
    }
}

fn continuation_header(canvas: &mut Canvas<'_>, template: &Template, sheet: usize) {
    let title = format!("{}（続紙 {}枚目）", template.title(), sheet);
    canvas.text(
        [15.0, 12.0, 180.0, 10.0],
        &title,
        style(14.0, Align::Center, Typeface::GothicBold),
        "見出し",
    );
    canvas.text(
        [15.0, 24.0, 180.0, 6.0],
        "1枚目に書ききれない方を続けて記入しています。1枚目と合わせて提出してください。",
        style(8.0, Align::Center, Typeface::Gothic),
        "見出し",
    );
}

fn draw_continuation(
    canvas: &mut Canvas<'_>,
    rows: &Rows,
    chunk: &[(usize, &Member)],
    fill: &Fill<'_>,
) {
    let (origin, heading_origin) = match &rows.continuation {
        Some(c) => (
            c.origin,
            c.heading_origin
                .unwrap_or([c.origin[0], c.origin[1] - rows.height]),
        ),
        None => (rows.origin, [rows.origin[0], rows.origin[1] - rows.height]),
    };
    draw_items(
        canvas,
        &rows.heading,
        (heading_origin[0], heading_origin[1]),
        fill,
        None,
    );
    for (slot, (number, member)) in chunk.iter().enumerate() {
        let at = (origin[0], origin[1] + rows.height * slot as f32);
        draw_items(canvas, &rows.item, at, fill, Some((*number, member)));
    }
}

fn style(size: f32, align: Align, typeface: Typeface) -> TextStyle {
    TextStyle {
        size,
        min_size: (size * 0.6).max(4.0),
        lines: 3,
        align,
        valign: VAlign::Middle,
        typeface,
    }
}

fn shift(rect: [f32; 4], origin: (f32, f32)) -> [f32; 4] {
    [rect[0] + origin.0, rect[1] + origin.1, rect[2], rect[3]]
}

fn draw_items(
    canvas: &mut Canvas<'_>,
    items: &[Item],
    origin: (f32, f32),
    fill: &Fill<'_>,
    row: Option<(usize, &Member)>,
) {
    for item in items {
        if let Some(when) = item.when()
            && !ticked(&fill.context.value(&when.value, row), when.equals.as_ref())
        {
            continue;
        }
        match item {
            // The city's pre-printed paper has its own boxes and words.
            Item::Text(_) | Item::Box(_) | Item::Line(_) if canvas.values_only => {}
            Item::Text(text) => draw_text(canvas, text, origin),
            Item::Box(b) => draw_box(canvas, b, origin),
            Item::Line(line) => canvas.page.marks.push(Mark::Line {
                from: (line.from[0] + origin.0, line.from[1] + origin.1),
                to: (line.to[0] + origin.0, line.to[1] + origin.1),
                width: line.width,
                dashed: line.dashed,
            }),
            Item::Field(field) => draw_field(canvas, field, origin, fill, row),
            Item::Check(check) => {
                let is_ticked = check.value.as_ref().is_some_and(|path| {
                    ticked(&fill.context.value(path, row), check.equals.as_ref())
                });
                let x = check.at[0] + origin.0;
                let y = check.at[1] + origin.1;
                canvas.check_box(x, y, check.size, is_ticked);
                if let Some(label) = check.label.as_ref().filter(|_| !canvas.values_only) {
                    canvas.text(
                        [
                            x + check.size + 0.8,
                            y - 1.0,
                            (200.0 - x - check.size - 0.8).max(10.0),
                            check.size + 2.0,
                        ],
                        label,
                        TextStyle {
                            size: check.label_size,
                            min_size: check.label_size,
                            lines: 1,
                            align: Align::Left,
                            valign: VAlign::Middle,
                            typeface: Typeface::Gothic,
                        },
                        label,
                    );
                }
            }
            Item::Era(era) => draw_era(canvas, era, origin, fill, row),
            Item::Qr(qr) => {
                let symbols = fill.qr.clone();
                canvas.qr(shift(qr.rect, origin), &symbols);
            }
        }
    }
}

fn draw_text(canvas: &mut Canvas<'_>, item: &TextItem, origin: (f32, f32)) {
    let typeface = if item.bold {
        Typeface::GothicBold
    } else {
        Typeface::Gothic
    };
    canvas.text(
        shift(item.rect, origin),
        &item.text,
        TextStyle {
            size: item.size,
            min_size: (item.size * 0.6).max(4.0),
            lines: item.lines,
            align: item.align,
            valign: item.valign,
            typeface,
        },
        &item.text,
    );
}

fn draw_box(canvas: &mut Canvas<'_>, item: &BoxItem, origin: (f32, f32)) {
    let [x, y, w, h] = shift(item.rect, origin);
    if let Some(grey) = item.fill {
        canvas.page.fill(x, y, w, h, grey);
    }
    if item.line > 0.0 {
        canvas.page.rect(x, y, w, h, item.line);
    }
    let Some(label) = &item.label else {
        return;
    };
    let (rect, align, lines) = match item.label_at {
        LabelAt::Center => ([x + 0.8, y + 0.5, w - 1.6, h - 1.0], Align::Center, 3),
        LabelAt::Left => ([x + 1.5, y + 0.5, w - 3.0, h - 1.0], Align::Left, 3),
        LabelAt::TopLeft => (
            [x + 0.8, y + 0.6, w - 1.6, item.label_size * 0.3528 * 1.3],
            Align::Left,
            1,
        ),
    };
    canvas.text(
        rect,
        label,
        TextStyle {
            size: item.label_size,
            min_size: (item.label_size * 0.6).max(4.0),
            lines,
            align,
            valign: if item.label_at == LabelAt::TopLeft {
                VAlign::Top
            } else {
                VAlign::Middle
            },
            typeface: Typeface::Gothic,
        },
        label,
    );
}

fn draw_field(
    canvas: &mut Canvas<'_>,
    field: &FieldItem,
    origin: (f32, f32),
    fill: &Fill<'_>,
    row: Option<(usize, &Member)>,
) {
    let value = fill.context.value(&field.value, row);
    let text = field.format.write(&value);
    let name = field_name(field.label.as_deref(), &field.value, row);
    if field.required && text.trim().is_empty() {
        report_missing(canvas, fill, &field.value, &name);
    }
    let [x, y, w, h] = shift(field.rect, origin);
    canvas.text(
        [x + 1.0, y + 0.4, w - 2.0, h - 0.8],
        &text,
        TextStyle {
            size: field.size,
            min_size: field.min_size,
            lines: field.lines,
            align: field.align,
            valign: field.valign,
            typeface: field.font.typeface(),
        },
        &name,
    );
}

/// Reports a required value the case lacks, unless the clerk marked it for the resident to
/// write by hand. The value is the fact, not the box: a form that prints an address without
/// its 方書 (`new_address.main`) lacks `new_address` as every other form does, and one mark
/// covers them all.
fn report_missing(canvas: &mut Canvas<'_>, fill: &Fill<'_>, path: &str, name: &str) {
    let value = crate::data::fact_of(path);
    if !fill.context.case.resident_writes.contains(value) {
        canvas.report(
            name,
            ReportKind::Missing {
                value: value.to_string(),
            },
        );
    }
}

/// 「氏名（2人目）」: the field's label, and the row it is on.
fn field_name(label: Option<&str>, path: &str, row: Option<(usize, &Member)>) -> String {
    let base = label.unwrap_or(path);
    match row {
        Some((number, _)) => format!("{base}（{number}人目）"),
        None => base.to_string(),
    }
}

/// 明・大・昭・平・令 with the era circled, and the year, month and day written out.
fn draw_era(
    canvas: &mut Canvas<'_>,
    era: &EraItem,
    origin: (f32, f32),
    fill: &Fill<'_>,
    row: Option<(usize, &Member)>,
) {
    let [x, y, w, h] = shift(era.rect, origin);
    let date = match fill.context.value(&era.value, row) {
        Value::Date(date) => Some(date),
        _ => None,
    };
    if era.required && date.is_none() {
        let name = field_name(era.label.as_deref(), &era.value, row);
        report_missing(canvas, fill, &era.value, &name);
    }
    let wareki = date.and_then(|d| WarekiDate::from_date(d).ok());
    let chooser_w = (w * 0.34).min(18.0);
    let count = era.eras.len() as f32;
    let per_row = count.min(3.0);
    let rows = (count / per_row).ceil();
    let cell_w = chooser_w / per_row;
    let cell_h = h / rows;
    let small = (cell_h / 0.3528 * 0.62).min(7.0);
    for (index, name) in era.eras.iter().enumerate() {
        let col = (index as f32) % per_row;
        let line = ((index as f32) / per_row).floor();
        let cx = x + cell_w * (col + 0.5);
        let cy = y + cell_h * (line + 0.5);
        let short: String = name.chars().take(1).collect();
        if !canvas.values_only {
            canvas.text(
                [cx - cell_w / 2.0, cy - cell_h / 2.0, cell_w, cell_h],
                &short,
                TextStyle {
                    size: small,
                    min_size: 4.0,
                    lines: 1,
                    align: Align::Center,
                    valign: VAlign::Middle,
                    typeface: Typeface::Gothic,
                },
                name,
            );
        }
        if wareki.is_some_and(|w| w.era.kanji() == name.as_str()) {
            canvas.circle(cx, cy, (cell_w.min(cell_h) / 2.0) * 0.92);
        }
    }
    let parts = match (wareki, date) {
        (Some(w), Some(d)) => [w.year_text(), d.month().to_string(), d.day().to_string()],
        _ => Default::default(),
    };
    let rest_x = x + chooser_w + 0.5;
    let segment = (w - chooser_w - 0.5) / 3.0;
    let size = (h / 0.3528 * 0.55).clamp(6.0, 11.0);
    for (index, (part, unit)) in parts.iter().zip(["年", "月", "日"]).enumerate() {
        let left = rest_x + segment * index as f32;
        let unit_w = size * 0.3528 * 1.1;
        canvas.text(
            [left, y, segment - unit_w - 0.3, h],
            part,
            TextStyle {
                size,
                min_size: 5.0,
                lines: 1,
                align: Align::Right,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            era.label.as_deref().unwrap_or(&era.value),
        );
        if canvas.values_only {
            continue;
        }
        canvas.text(
            [left + segment - unit_w, y, unit_w, h],
            unit,
            TextStyle {
                size: size * 0.8,
                min_size: 4.0,
                lines: 1,
                align: Align::Center,
                valign: VAlign::Middle,
                typeface: Typeface::Gothic,
            },
            unit,
        );
    }
}

/// The members a template's rows list, numbered from 1 in that list.
fn row_members<'c>(template: &Template, context: &Context<'c>) -> Vec<(usize, &'c Member)> {
    let Some(rows) = &template.file.rows else {
        return Vec::new();
    };
    members_for(rows.source, context)
        .into_iter()
        .enumerate()
        .map(|(i, m)| (i + 1, m))
        .collect()
}

pub(crate) fn members_for<'c>(source: RowSource, context: &Context<'c>) -> Vec<&'c Member> {
    let members = &context.case.household.members;
    member_indices_for(source, context.case, context.procedure_members)
        .into_iter()
        .map(|index| &members[index])
        .collect()
}

/// The household indices of the members a block of rows lists, in household order.
pub(crate) fn member_indices_for(
    source: RowSource,
    case: &Case,
    procedure_members: &[usize],
) -> Vec<usize> {
    let on = case.event.visit_date();
    let applicant = case.applicant;
    let source = match source {
        RowSource::Procedure if procedure_members.is_empty() => RowSource::Concerned,
        other => other,
    };
    case.household
        .members
        .iter()
        .enumerate()
        .filter(|(index, member)| match source {
            RowSource::Household => true,
            RowSource::Others => *index != applicant,
            RowSource::Children => *index != applicant && in_school_years(member, on, 18),
            RowSource::SchoolChildren => *index != applicant && in_school_years(member, on, 15),
            RowSource::Elderly => member.person.legal_age_on(on).is_some_and(|age| age >= 65),
            RowSource::Foreign => member
                .person
                .nationality
                .as_ref()
                .is_some_and(|n| n.is_foreign()),
            RowSource::Concerned => case.event.subject.is_none_or(|s| s == *index),
            RowSource::Procedure => procedure_members.contains(index),
        })
        .map(|(index, _)| index)
        .collect()
}

/// Whether the member is still under `years` in the school-year sense: up to the 31 March after
/// the day the law counts them as reaching that age (the day before the birthday).
fn in_school_years(member: &Member, on: NaiveDate, years: i32) -> bool {
    let Some(birth) = member.person.birth_date else {
        return false;
    };
    let Some(birthday) = birth.with_year(birth.year() + years).or_else(|| {
        // Born on 29 February: the birthday is 1 March in common years.
        NaiveDate::from_ymd_opt(birth.year() + years, 3, 1)
    }) else {
        return false;
    };
    let reached = birthday.pred_opt().unwrap_or(birthday);
    let march_year = if reached.month() <= 3 {
        reached.year()
    } else {
        reached.year() + 1
    };
    NaiveDate::from_ymd_opt(march_year, 3, 31).is_some_and(|end| on <= end) && birth <= on
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::{Person, Zokugara};

    fn child(birth: (i32, u32, u32)) -> Member {
        Member {
            person: Person {
                name: "子".into(),
                birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
                ..Person::default()
            },
            relation: Zokugara::CHILD,
        }
    }

    #[test]
    fn children_count_until_the_march_after_they_reach_the_age() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        // Turned 18 in June 2026: still a child until 31 March 2027.
        assert!(in_school_years(&child((2008, 6, 1)), on, 18));
        // Turned 18 in June 2025: no longer.
        assert!(!in_school_years(&child((2007, 6, 1)), on, 18));
        // Born 2 April 2008: reached 18 on 1 April 2026, so the school year ended 31 March 2027.
        assert!(in_school_years(&child((2008, 4, 2)), on, 18));
        // Born 1 April 2008: reached 18 on 31 March 2026, so it ended that day.
        assert!(!in_school_years(&child((2008, 4, 1)), on, 18));
    }
}
