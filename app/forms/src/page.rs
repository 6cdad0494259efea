//! What is drawn on a page, in millimetres from the top-left corner of an A4 sheet. Layout
//! produces these marks; `pdf` writes them.

use crate::fonts::{FontKey, Glyph};

pub(crate) const A4_WIDTH: f32 = 210.0;
pub(crate) const A4_HEIGHT: f32 = 297.0;

#[derive(Clone, Debug)]
pub(crate) enum Mark {
    /// A run of glyphs in one face, starting at (x, baseline).
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        scale: f32,
        font: FontKey,
        glyphs: Vec<(u16, String)>,
        /// A shaped run: where each glyph sits, in mm from (x, baseline) (y down), and the
        /// run's text, which copying the run gives back whole (the PDF's `ActualText`).
        shaped: Option<ShapedRun>,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        dashed: bool,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        stroke: Option<f32>,
        /// Grey level of the fill, 0 black to 1 white.
        fill: Option<f32>,
    },
    Ellipse {
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        width: f32,
    },
    /// A QR symbol: `n`×`n` modules, `dark` in rows.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        n: usize,
        dark: Vec<bool>,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ShapedRun {
    pub(crate) placed: Vec<(f32, f32)>,
    pub(crate) text: String,
}

/// One sheet.
#[derive(Clone, Debug, Default)]
pub(crate) struct Page {
    pub(crate) marks: Vec<Mark>,
}

impl Page {
    /// Moves everything on the page by `(dx, dy)`: a printer that feeds the city's pre-printed
    /// paper a little off is met by moving the values instead.
    pub(crate) fn shift(&mut self, dx: f32, dy: f32) {
        for mark in &mut self.marks {
            match mark {
                Mark::Text { x, baseline, .. } => {
                    *x += dx;
                    *baseline += dy;
                }
                Mark::Line { from, to, .. } => {
                    *from = (from.0 + dx, from.1 + dy);
                    *to = (to.0 + dx, to.1 + dy);
                }
                Mark::Rect { x, y, .. } | Mark::Qr { x, y, .. } | Mark::Image { x, y, .. } => {
                    *x += dx;
                    *y += dy;
                }
                Mark::Ellipse { cx, cy, .. } => {
                    *cx += dx;
                    *cy += dy;
                }
            }
        }
    }

    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.marks.push(Mark::Line {
            from,
            to,
            width,
            dashed: false,
        });
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, stroke: f32) {
        self.marks.push(Mark::Rect {
            x,
            y,
            w,
            h,
            stroke: Some(stroke),
            fill: None,
        });
    }

    pub(crate) fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, grey: f32) {
        self.marks.push(Mark::Rect {
            x,
            y,
            w,
            h,
            stroke: None,
            fill: Some(grey),
        });
    }

    /// Places glyphs from `x` on `baseline`, splitting the line into one run per face (and
    /// per shaped run).
    pub(crate) fn glyphs(&mut self, x: f32, baseline: f32, size: f32, scale: f32, line: &[Glyph]) {
        let em = size * crate::text::PT;
        let mut cursor = x;
        let mut run = Run::default();
        for glyph in line {
            if glyph.is_hard_break() {
                continue;
            }
            if run.font != Some((glyph.font, glyph.shaped)) {
                self.flush(baseline, size, scale, std::mem::take(&mut run));
                run.font = Some((glyph.font, glyph.shaped));
                run.x = cursor;
            }
            if glyph.shaped {
                run.placed.push((
                    cursor - run.x + glyph.offset.0 * em * scale,
                    -glyph.offset.1 * em,
                ));
                run.text.push_str(&glyph.text);
            }
            run.glyphs.push((glyph.gid, glyph.text.clone()));
            cursor += glyph.advance * em * scale;
        }
        self.flush(baseline, size, scale, run);
    }

    fn flush(&mut self, baseline: f32, size: f32, scale: f32, run: Run) {
        let Some((font, shaped)) = run.font else {
            return;
        };
        if run.glyphs.is_empty() {
            return;
        }
        self.marks.push(Mark::Text {
            x: run.x,
            baseline,
            size,
            scale,
            font,
            glyphs: run.glyphs,
            shaped: shaped.then_some(ShapedRun {
                placed: run.placed,
                text: run.text,
            }),
        });
    }
}

/// Glyphs gathered for one mark.
#[derive(Default)]
struct Run {
    font: Option<(FontKey, bool)>,
    x: f32,
    glyphs: Vec<(u16, String)>,
    placed: Vec<(f32, f32)>,
    text: String,
}
