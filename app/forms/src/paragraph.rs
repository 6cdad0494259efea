//! Running text for the guidance sheet: wrapped by the same 禁則 rules as form fields, never
//! shrunk, and — on a やさしい日本語 sheet — with each marked kanji's reading (ルビ) set above it
//! at half size. A base and its reading stay on one line; a reading wider than its base
//! widens the base's room rather than running into its neighbours.

use madoguchi_domain::ruby;

use crate::fonts::{Fonts, Glyph, GlyphProblem, Typeface};
use crate::page::Page;
use crate::text::{LINE_HEIGHT, PT, may_break_between};

/// A reading is set at half the size of its base.
const RUBY_SCALE: f32 = 0.5;

/// A piece that moves to the next line whole: one character of plain text, or a base with its
/// reading.
struct Unit {
    base: Vec<Glyph>,
    reading: Vec<Glyph>,
    /// Ems of room it takes on the line: its base, or its reading when that is wider.
    room: f32,
}

impl Unit {
    fn base_em(&self) -> f32 {
        self.base.iter().map(|g| g.advance).sum()
    }

    fn is_space(&self) -> bool {
        self.reading.is_empty() && self.base.len() == 1 && self.base[0].is_space()
    }
}

/// A text set into lines of one width at one size.
pub(crate) struct Paragraph {
    units: Vec<Unit>,
    lines: Vec<std::ops::Range<usize>>,
    size: f32,
    /// Room for readings above every line, so that lines with and without ルビ keep one rhythm.
    ruby: bool,
    pub(crate) problems: Vec<GlyphProblem>,
}

impl Paragraph {
    /// Sets `text` in `width` mm at `size` pt. With `ruby`, the text's 《》 marks become readings
    /// above their kanji; without, the text is taken as written.
    pub(crate) fn set(
        fonts: &Fonts,
        text: &str,
        typeface: Typeface,
        size: f32,
        width: f32,
        ruby: bool,
    ) -> Paragraph {
        let mut problems = Vec::new();
        let mut units = Vec::new();
        let shape = |text: &str, problems: &mut Vec<GlyphProblem>| {
            let shaped = fonts.shape(text, typeface);
            problems.extend(shaped.problems);
            shaped.glyphs
        };
        let segments = if ruby {
            ruby::parse(text).unwrap_or_else(|_| vec![plain(text)])
        } else {
            vec![plain(text)]
        };
        for segment in segments {
            match segment.reading {
                Some(reading) => {
                    let base = shape(segment.base, &mut problems);
                    let reading = shape(reading, &mut problems);
                    let base_em: f32 = base.iter().map(|g| g.advance).sum();
                    let reading_em: f32 =
                        reading.iter().map(|g| g.advance).sum::<f32>() * RUBY_SCALE;
                    units.push(Unit {
                        base,
                        reading,
                        room: base_em.max(reading_em),
                    });
                }
                None => {
                    for glyph in shape(segment.base, &mut problems) {
                        units.push(Unit {
                            room: glyph.advance,
                            base: vec![glyph],
                            reading: Vec::new(),
                        });
                    }
                }
            }
        }
        let lines = break_units(&units, width / (size * PT), ruby);
        Paragraph {
            units,
            lines,
            size,
            ruby,
            problems,
        }
    }

    fn em(&self) -> f32 {
        self.size * PT
    }

    /// Baseline to baseline.
    fn line_step(&self) -> f32 {
        let ruby_band = if self.ruby { RUBY_SCALE } else { 0.0 };
        self.em() * (LINE_HEIGHT + ruby_band)
    }

    /// How many lines the text took.
    pub(crate) fn line_count(&self) -> usize {
        self.lines.len().max(1)
    }

    /// Millimetres from the top of the first line's readings to the foot of the last line.
    pub(crate) fn height(&self) -> f32 {
        let lines = self.lines.len().max(1) as f32;
        let ruby_band = if self.ruby { RUBY_SCALE } else { 0.0 };
        self.em() * (1.0 + ruby_band) + self.line_step() * (lines - 1.0)
    }

    /// Draws the paragraph with its top-left corner at (`x`, `top`).
    pub(crate) fn draw(&self, page: &mut Page, x: f32, top: f32) {
        let em = self.em();
        let ruby_band = if self.ruby { RUBY_SCALE * em } else { 0.0 };
        // The em box of these faces sits 88 % above the baseline.
        let first_baseline = top + ruby_band + em * 0.88;
        for (index, range) in self.lines.iter().enumerate() {
            let baseline = first_baseline + self.line_step() * index as f32;
            self.draw_line(page, x, baseline, &self.units[range.clone()]);
        }
    }

    fn draw_line(&self, page: &mut Page, x: f32, baseline: f32, units: &[Unit]) {
        let em = self.em();
        let mut cursor = x;
        // Plain characters and readings no wider than their base go out as one run.
        let mut run: Vec<Glyph> = Vec::new();
        let mut run_x = x;
        for unit in units {
            let padding = (unit.room - unit.base_em()) * em / 2.0;
            if padding > 0.01 {
                page.glyphs(run_x, baseline, self.size, 1.0, &run);
                run.clear();
                page.glyphs(cursor + padding, baseline, self.size, 1.0, &unit.base);
                run_x = cursor + unit.room * em;
            } else {
                run.extend(unit.base.iter().cloned());
            }
            if !unit.reading.is_empty() {
                let reading_size = self.size * RUBY_SCALE;
                let reading_width: f32 =
                    unit.reading.iter().map(|g| g.advance).sum::<f32>() * reading_size * PT;
                let reading_x = cursor + (unit.room * em - reading_width) / 2.0;
                // Just above the base's em box: its top is 0.88 em over the baseline.
                let reading_baseline = baseline - em * 0.88 - reading_size * PT * 0.14;
                page.glyphs(
                    reading_x,
                    reading_baseline,
                    reading_size,
                    1.0,
                    &unit.reading,
                );
            }
            cursor += unit.room * em;
        }
        page.glyphs(run_x, baseline, self.size, 1.0, &run);
    }
}

fn plain(text: &str) -> ruby::Segment<'_> {
    ruby::Segment {
        base: text,
        reading: None,
    }
}

/// Greedy lines of units no wider than `width_em`, breaking only where 禁則 allows; spaces at a
/// line's ends are dropped.
///
/// With `between_words` (a やさしい日本語 text, written with a space between phrases), a line
/// breaks only at a space or after punctuation, so that no word is cut in two; a phrase longer
/// than a line still breaks where it must.
fn break_units(units: &[Unit], width_em: f32, between_words: bool) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < units.len() {
        while start < units.len() && units[start].is_space() {
            start += 1;
        }
        if start == units.len() {
            break;
        }
        let mut used = 0.0;
        let mut last_break = None;
        let mut end = units.len();
        for i in start..units.len() {
            if i > start && may_break(units, i) && (!between_words || word_gap(units, i)) {
                last_break = Some(i);
            }
            used += units[i].room;
            if used > width_em + 1e-4 && i > start && !units[i].is_space() {
                end = last_break.unwrap_or(i);
                break;
            }
        }
        let mut visible = end;
        while visible > start && units[visible - 1].is_space() {
            visible -= 1;
        }
        lines.push(start..visible);
        start = end;
    }
    lines
}

/// Whether units `i - 1` and `i` lie between two words: after a space or punctuation, or
/// before an opening bracket.
fn word_gap(units: &[Unit], i: usize) -> bool {
    let before = units[i - 1].base.last().map_or("", |g| g.text.as_str());
    let after = units[i].base.first().map_or("", |g| g.text.as_str());
    units[i - 1].is_space()
        || matches!(before, "、" | "。" | "）" | "」" | "・" | "：")
        || matches!(after, "（" | "「")
}

fn may_break(units: &[Unit], i: usize) -> bool {
    match (units[i - 1].base.last(), units[i].base.first()) {
        (Some(before), Some(after)) => may_break_between(before, after),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(paragraph: &Paragraph) -> Vec<String> {
        paragraph
            .lines
            .iter()
            .map(|range| {
                paragraph.units[range.clone()]
                    .iter()
                    .flat_map(|u| u.base.iter().map(|g| g.text.as_str()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_base_and_its_reading_never_split_across_lines() {
        let fonts = Fonts::with_mincho(None);
        // Four ems wide at 10 pt: 「あいう」 then 「市役所」 cannot share a line.
        let width = 4.0 * 10.0 * PT;
        let set = Paragraph::set(
            &fonts,
            "あいう市役所《しやくしょ》へ",
            Typeface::Proportional,
            10.0,
            width,
            true,
        );
        assert_eq!(lines(&set), vec!["あいう", "市役所へ"]);
        assert!(set.problems.is_empty());
    }

    #[test]
    fn a_reading_wider_than_its_base_widens_its_room() {
        let fonts = Fonts::with_mincho(None);
        let set = Paragraph::set(
            &fonts,
            "届《とどけ》",
            Typeface::Proportional,
            10.0,
            100.0,
            true,
        );
        assert_eq!(set.units.len(), 1);
        assert!(set.units[0].room > set.units[0].base_em() + 0.4);
    }

    #[test]
    fn ruby_lines_take_room_for_the_readings_and_plain_text_stays_as_written() {
        let fonts = Fonts::with_mincho(None);
        let with = Paragraph::set(
            &fonts,
            "転入《てんにゅう》",
            Typeface::Proportional,
            10.0,
            100.0,
            true,
        );
        let without = Paragraph::set(
            &fonts,
            "転入《てんにゅう》",
            Typeface::Proportional,
            10.0,
            100.0,
            false,
        );
        assert!(with.height() > without.height());
        assert_eq!(lines(&without), vec!["転入《てんにゅう》"]);
    }
}
