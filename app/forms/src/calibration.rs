//! The printer's calibration page for the city's pre-printed forms.
//!
//! Printers feed paper a little off — a millimetre or two, each its own way. On plain paper that
//! does not matter; on the city's pre-printed forms it puts a name across a printed line. The
//! page draws two crosses at known places; a supervisor prints it from the tray that holds the
//! forms, measures where the first cross landed with a ruler, and the difference becomes the
//! printer's offset (settings `printer.offset_x`, `printer.offset_y`), by which every
//! pre-printed form's values are moved.

use crate::draw::{Canvas, TextStyle};
use crate::error::FormsError;
use crate::fonts::{Fonts, Typeface};
use crate::page::Page;
use crate::template::{Align, VAlign};

/// Where the crosses are printed, in millimetres from the sheet's left and top edges.
pub const CROSS_A_MM: [f32; 2] = [20.0, 20.0];
pub const CROSS_B_MM: [f32; 2] = [190.0, 277.0];

/// The correction for a printer whose cross A was measured at `measured` (left, top, mm):
/// how far to move the values right and down. `None` when the measurement is not a number
/// or is further off than a calibration can mean (more than `max` mm: a misfed sheet).
pub fn offset_from_measurement(measured: [f32; 2], max: f32) -> Option<[f32; 2]> {
    let offset = [CROSS_A_MM[0] - measured[0], CROSS_A_MM[1] - measured[1]];
    offset
        .iter()
        .all(|v| v.is_finite() && v.abs() <= max)
        .then_some(offset)
}

/// The calibration page as a one-page PDF; `offset` is the printer's offset now in use, shown
/// on the page (the page itself is never moved by it).
pub fn calibration_page(fonts: &Fonts, offset: [f32; 2]) -> Result<Vec<u8>, FormsError> {
    let mut reports = Vec::new();
    let mut canvas = Canvas {
        fonts,
        page: Page::default(),
        form: "位置合わせ".into(),
        page_number: 1,
        reports: &mut reports,
        values_only: false,
    };
    let style = |size: f32, lines: usize, typeface: Typeface| TextStyle {
        size,
        min_size: size * 0.8,
        lines,
        align: Align::Left,
        valign: VAlign::Top,
        typeface,
    };
    canvas.text(
        [35.0, 35.0, 150.0, 10.0],
        "プリンターの位置合わせ（市の印刷済み様式用）",
        style(16.0, 1, Typeface::GothicBold),
        "見出し",
    );
    let steps = [
        "1. この用紙を、市の印刷済み様式を入れるトレイから、普通紙に印刷します。".to_string(),
        format!(
            "2. 十字 A の中心が、用紙の左端から何 mm、上端から何 mm にあるかを定規で測ります（正しい位置は左 {:.1} mm・上 {:.1} mm です）。",
            CROSS_A_MM[0], CROSS_A_MM[1]
        ),
        "3. 測った値を入れます：madoguchi forms calibrate --measured 左,上 --as 管理者のログイン名（例：--measured 21.5,19.0）".to_string(),
        "4. 以後、印刷済み様式に印刷する値が、ずれた分だけ逆に動きます。十字 B で、用紙の傾きがないことも確かめてください。".to_string(),
        format!(
            "いま使っているずれの補正：右へ {:+.1} mm、下へ {:+.1} mm",
            offset[0], offset[1]
        ),
    ];
    let mut y = 55.0;
    for step in &steps {
        y += canvas.text(
            [35.0, y, 140.0, 30.0],
            step,
            style(10.5, 4, Typeface::Gothic),
            "説明",
        ) + 4.0;
    }
    for (name, [x, y]) in [("A", CROSS_A_MM), ("B", CROSS_B_MM)] {
        cross(&mut canvas.page, x, y);
        let label_x = if x < 100.0 { x + 6.0 } else { x - 14.0 };
        canvas.text(
            [label_x, y + 3.0, 10.0, 6.0],
            name,
            style(12.0, 1, Typeface::GothicBold),
            "十字",
        );
    }
    crate::pdf::write(&[canvas.page], fonts, &[], "プリンターの位置合わせ")
}

/// A cross 16 mm wide with a circle of 3 mm around its centre, in hairlines.
fn cross(page: &mut Page, x: f32, y: f32) {
    page.line((x - 8.0, y), (x + 8.0, y), 0.15);
    page.line((x, y - 8.0), (x, y + 8.0), 0.15);
    page.marks.push(crate::page::Mark::Ellipse {
        cx: x,
        cy: y,
        rx: 3.0,
        ry: 3.0,
        width: 0.15,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measurement_becomes_the_opposite_move() {
        assert_eq!(
            offset_from_measurement([21.5, 19.0], 10.0),
            Some([-1.5, 1.0])
        );
        assert_eq!(
            offset_from_measurement([20.0, 20.0], 10.0),
            Some([0.0, 0.0])
        );
        assert_eq!(offset_from_measurement([45.0, 20.0], 10.0), None);
        assert_eq!(offset_from_measurement([f32::NAN, 20.0], 10.0), None);
    }
}
