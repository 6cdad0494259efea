//! Drawing primitives shared by templates and the guidance sheet: fitted text, check marks,
//! era boxes and QR symbols, each noting what did not print as written.

use crate::fonts::{Fonts, GlyphProblem, Typeface};
use crate::page::{Mark, Page};
use crate::template::{Align, VAlign};
use crate::text::{Fit, LINE_HEIGHT, PT, fit};

/// Something the clerk should look at before the resident signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldReport {
    /// The form's title, e.g. 「住民異動届」, or 「窓口案内シート」.
    pub form: String,
    /// The field, e.g. 「氏名（2行目）」.
    pub field: String,
    /// 1-based page in the packet.
    pub page: usize,
    pub kind: ReportKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// A character printed as 〓 or without its variant.
    Glyph(GlyphProblem),
    /// The text does not fit its box even condensed: it is cut.
    Overflow,
    /// The QR symbol would be too dense to scan at this size; it is left out.
    QrTooDense,
    /// A value the form requires is not in the case; `value` is its path in the template
    /// (`new_address`, `member.birth_date`), the key a clerk marks as 「本人が記入」 with.
    Missing { value: String },
}

impl FieldReport {
    /// One line for the clerk, without the personal text itself.
    pub fn message(&self) -> String {
        match &self.kind {
            ReportKind::Glyph(problem) => match problem.kind {
                crate::fonts::ProblemKind::Missing => format!(
                    "{} p.{}「{}」: 印字できない文字 {} を〓で印字しました。手書きで補記してください / character {} cannot be printed: write it by hand",
                    self.form,
                    self.page,
                    self.field,
                    problem.code_points(),
                    problem.code_points()
                ),
                crate::fonts::ProblemKind::VariantUnavailable => format!(
                    "{} p.{}「{}」: 異体字 {} は標準字形で印字しました。確認してください / variant {} printed in its standard form: check it",
                    self.form,
                    self.page,
                    self.field,
                    problem.code_points(),
                    problem.code_points()
                ),
            },
            ReportKind::Overflow => format!(
                "{} p.{}「{}」: 欄に収まらず一部を省略しました。手書きで補記してください / does not fit its box: complete it by hand",
                self.form, self.page, self.field
            ),
            ReportKind::QrTooDense => format!(
                "{} p.{}: QRコードが細かすぎるため印字しませんでした / QR code too dense to print",
                self.form, self.page
            ),
            ReportKind::Missing { value } => format!(
                "{} p.{}「{}」: 記入に必要な値がありません。入力するか、ご本人が記入することにしてください / required value missing ({value}): add it, or mark it for the resident to write",
                self.form, self.page, self.field
            ),
        }
    }
}

/// Text settings for one box.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextStyle {
    pub(crate) size: f32,
    pub(crate) min_size: f32,
    pub(crate) lines: usize,
    pub(crate) align: Align,
    pub(crate) valign: VAlign,
    pub(crate) typeface: Typeface,
}

/// A page being drawn, with the fonts and where reports go.
pub(crate) struct Canvas<'a> {
    pub(crate) fonts: &'a Fonts,
    pub(crate) page: Page,
    pub(crate) form: String,
    pub(crate) page_number: usize,
    pub(crate) reports: &'a mut Vec<FieldReport>,
    /// On the city's pre-printed paper: the values alone, not the form's own boxes and words.
    pub(crate) values_only: bool,
}

impl Canvas<'_> {
    /// Fits `text` into the rectangle and draws it; returns the height used.
    pub(crate) fn text(
        &mut self,
        rect: [f32; 4],
        text: &str,
        style: TextStyle,
        field: &str,
    ) -> f32 {
        let [x, y, w, h] = rect;
        if text.is_empty() {
            return 0.0;
        }
        let shaped = self.fonts.shape(text, style.typeface);
        for problem in shaped.problems {
            self.report(field, ReportKind::Glyph(problem));
        }
        let glyphs = shaped.glyphs;
        let fitted = fit(
            &glyphs,
            Fit {
                width: w,
                height: h,
                size: style.size,
                min_size: style.min_size,
                max_lines: style.lines,
            },
        );
        if fitted.overflow {
            self.report(field, ReportKind::Overflow);
        }
        let line_step = fitted.size * PT * LINE_HEIGHT;
        let block = fitted.size * PT + line_step * (fitted.lines.len().saturating_sub(1)) as f32;
        let top = match style.valign {
            VAlign::Top => y,
            VAlign::Middle => y + (h - block) / 2.0,
            VAlign::Bottom => y + h - block,
        };
        // The em box of these faces sits 88 % above the baseline.
        let first_baseline = top + fitted.size * PT * 0.88;
        for (index, range) in fitted.lines.iter().enumerate() {
            let width = fitted.line_width(&glyphs, index);
            let left = match style.align {
                Align::Left => x,
                Align::Center => x + (w - width) / 2.0,
                Align::Right => x + w - width,
            };
            self.page.glyphs(
                left,
                first_baseline + line_step * index as f32,
                fitted.size,
                fitted.scale,
                &glyphs[range.clone()],
            );
        }
        block
    }

    pub(crate) fn report(&mut self, field: &str, kind: ReportKind) {
        self.reports.push(FieldReport {
            form: self.form.clone(),
            field: field.to_string(),
            page: self.page_number,
            kind,
        });
    }

    /// A square with a tick when `ticked`.
    pub(crate) fn check_box(&mut self, x: f32, y: f32, size: f32, ticked: bool) {
        if !self.values_only {
            self.page.rect(x, y, size, size, 0.25);
        }
        if ticked {
            let s = size;
            self.page.marks.push(Mark::Line {
                from: (x + s * 0.18, y + s * 0.52),
                to: (x + s * 0.42, y + s * 0.8),
                width: 0.45,
                dashed: false,
            });
            self.page.marks.push(Mark::Line {
                from: (x + s * 0.42, y + s * 0.8),
                to: (x + s * 0.86, y + s * 0.16),
                width: 0.45,
                dashed: false,
            });
        }
    }

    /// A circle around a printed choice (as a resident circles 昭 or 平 by hand).
    pub(crate) fn circle(&mut self, cx: f32, cy: f32, r: f32) {
        self.page.marks.push(Mark::Ellipse {
            cx,
            cy,
            rx: r,
            ry: r,
            width: 0.3,
        });
    }

    /// One or more QR symbols side by side in `rect`, each with a two-module quiet zone.
    pub(crate) fn qr(&mut self, rect: [f32; 4], symbols: &[String]) {
        let [x, y, w, h] = rect;
        let (columns, cell) = qr_grid(symbols.len(), w, h);
        for (index, text) in symbols.iter().enumerate() {
            let Ok(code) =
                qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            else {
                self.report("QR", ReportKind::QrTooDense);
                continue;
            };
            let n = code.width();
            let module = cell / (n + 4) as f32;
            if module < 0.25 {
                self.report("QR", ReportKind::QrTooDense);
                continue;
            }
            let dark = code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect();
            let (column, row) = (index % columns, index / columns);
            self.page.marks.push(Mark::Qr {
                x: x + column as f32 * cell + 2.0 * module,
                y: y + row as f32 * cell + 2.0 * module,
                size: n as f32 * module,
                n,
                dark,
            });
        }
    }
}

/// How `count` square symbols share a `w` × `h` area: the number of columns, and the side of
/// each symbol's cell, as large as the area allows (two symbols stack in a tall area, sit side
/// by side in a wide one, four make a square).
fn qr_grid(count: usize, w: f32, h: f32) -> (usize, f32) {
    let count = count.max(1);
    (1..=count)
        .map(|columns| {
            let rows = count.div_ceil(columns);
            (columns, (w / columns as f32).min(h / rows as f32))
        })
        .fold((1, 0.0), |best, candidate| {
            if candidate.1 > best.1 {
                candidate
            } else {
                best
            }
        })
}

#[cfg(test)]
mod tests {
    use super::qr_grid;

    #[test]
    fn symbols_take_the_largest_cells_their_area_allows() {
        assert_eq!(qr_grid(1, 34.0, 34.0), (1, 34.0));
        assert_eq!(qr_grid(2, 37.0, 74.0), (1, 37.0), "a tall area stacks them");
        assert_eq!(
            qr_grid(2, 80.0, 40.0),
            (2, 40.0),
            "a wide one sets them side by side"
        );
        assert_eq!(qr_grid(4, 40.0, 40.0), (2, 20.0));
        let (columns, cell) = qr_grid(3, 37.0, 74.0);
        assert_eq!(
            columns, 1,
            "three in a column of 24.7 mm beat two columns of 18.5"
        );
        assert!((cell - 74.0 / 3.0).abs() < 1e-4);
    }
}
