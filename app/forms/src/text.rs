//! Fitting text into a box: Japanese line breaking (禁則処理) and shrink-to-fit.
//!
//! Japanese breaks between any two characters except: never before closing brackets, small
//! kana, the long-vowel mark and punctuation (行頭禁則), never after opening brackets (行末禁則),
//! and never inside a run of Latin letters or digits (a postal code, a room number, an English
//! word), which breaks only at spaces. A text that does not fit is set smaller, step by step,
//! down to the field's smallest size; then it is condensed horizontally (as counter staff do by
//! hand), down to 60 %; only then is it reported as overflowing.

use crate::fonts::Glyph;

/// Points to millimetres.
pub(crate) const PT: f32 = 25.4 / 72.0;

/// Baseline-to-baseline distance as a multiple of the size.
pub(crate) const LINE_HEIGHT: f32 = 1.25;

const SIZE_STEP: f32 = 0.5;
const MIN_SCALE: f32 = 0.6;

/// 行頭禁則: characters that may not start a line.
const NO_START: &str = "、。，．,.・：；:;？！?!ー－〜～…‥）」』】〕〉》］｝)]}ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ゛゜％%";
/// 行末禁則: characters that may not end a line.
const NO_END: &str = "（「『【〔〈《［｛([{〒￥$＄";

/// How a text should sit in its box.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fit {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) size: f32,
    pub(crate) min_size: f32,
    pub(crate) max_lines: usize,
}

/// The result: a size, a horizontal scale and the glyph ranges of each line.
#[derive(Clone, Debug)]
pub(crate) struct Fitted {
    pub(crate) size: f32,
    pub(crate) scale: f32,
    pub(crate) lines: Vec<std::ops::Range<usize>>,
    pub(crate) overflow: bool,
}

impl Fitted {
    pub(crate) fn line_width(&self, glyphs: &[Glyph], line: usize) -> f32 {
        width_mm(&glyphs[self.lines[line].clone()], self.size) * self.scale
    }
}

pub(crate) fn width_mm(glyphs: &[Glyph], size: f32) -> f32 {
    glyphs.iter().map(|g| g.advance).sum::<f32>() * size * PT
}

/// Finds the largest size (and, failing that, the least condensing) at which `glyphs` fit.
pub(crate) fn fit(glyphs: &[Glyph], fit: Fit) -> Fitted {
    let mut size = fit.size;
    loop {
        // The first line needs one size of height, each further line one line step.
        let em = size * PT;
        let lines_room = (((fit.height - em) / (em * LINE_HEIGHT)).floor() + 1.0).max(1.0) as usize;
        let max_lines = fit.max_lines.min(lines_room).max(1);
        let lines = break_lines(glyphs, fit.width / (size * PT));
        if lines.len() <= max_lines {
            return Fitted {
                size,
                scale: 1.0,
                lines,
                overflow: false,
            };
        }
        if size - SIZE_STEP < fit.min_size - f32::EPSILON {
            return condense(glyphs, fit, size, max_lines);
        }
        size -= SIZE_STEP;
    }
}

/// At the smallest size: condense until the text fits in `max_lines`, or report overflow.
fn condense(glyphs: &[Glyph], fit: Fit, size: f32, max_lines: usize) -> Fitted {
    let mut scale = 1.0;
    while scale > MIN_SCALE {
        scale = (scale - 0.05_f32).max(MIN_SCALE);
        let lines = break_lines(glyphs, fit.width / (size * PT * scale));
        if lines.len() <= max_lines {
            return Fitted {
                size,
                scale,
                lines,
                overflow: false,
            };
        }
    }
    let mut lines = break_lines(glyphs, fit.width / (size * PT * scale));
    lines.truncate(max_lines);
    Fitted {
        size,
        scale,
        lines,
        overflow: true,
    }
}

/// Breaks glyphs into lines no wider than `width_em` ems, by the rules above. Spaces at the
/// end of a line are left out of it.
pub(crate) fn break_lines(glyphs: &[Glyph], width_em: f32) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < glyphs.len() {
        let end = line_end(glyphs, start, width_em);
        let mut visible_end = end;
        while visible_end > start
            && (glyphs[visible_end - 1].is_space() || glyphs[visible_end - 1].is_hard_break())
        {
            visible_end -= 1;
        }
        lines.push(start..visible_end);
        start = end;
        while start < glyphs.len() && glyphs[start].is_space() && !glyphs[start].is_hard_break() {
            start += 1;
        }
    }
    lines
}

/// Where the line that starts at `start` ends (exclusive).
fn line_end(glyphs: &[Glyph], start: usize, width_em: f32) -> usize {
    let mut used = 0.0;
    let mut last_break = None;
    for i in start..glyphs.len() {
        if glyphs[i].is_hard_break() {
            return i + 1;
        }
        if i > start && may_break_before(glyphs, i) {
            last_break = Some(i);
        }
        used += glyphs[i].advance;
        if used > width_em + 1e-4 && i > start && !glyphs[i].is_space() {
            return last_break.unwrap_or(i);
        }
    }
    glyphs.len()
}

fn may_break_before(glyphs: &[Glyph], i: usize) -> bool {
    may_break_between(&glyphs[i - 1], &glyphs[i])
}

/// Whether a line may end after `before` and the next start with `after`.
pub(crate) fn may_break_between(before_glyph: &Glyph, after_glyph: &Glyph) -> bool {
    let before = &before_glyph.text;
    let after = &after_glyph.text;
    if after_glyph.continues_cluster() {
        return false;
    }
    if before_glyph.is_space() {
        return true;
    }
    if after_glyph.is_space() {
        return false;
    }
    let first = after.chars().next().unwrap_or(' ');
    let last = before.chars().next().unwrap_or(' ');
    if NO_START.contains(first) || NO_END.contains(last) {
        return false;
    }
    // A shaped cluster's later glyph (a Devanagari vowel sign) belongs to its word.
    let before_in_word = before_glyph.continues_cluster() || is_word_char(last);
    !(before_in_word && is_word_char(first))
}

/// A letter of a word that breaks only at spaces: Latin (with Vietnamese and Portuguese
/// accents), digits, Hangul, Devanagari — every letter but kana and kanji, which break
/// anywhere (as 中文 does).
fn is_word_char(c: char) -> bool {
    matches!(c, '-' | '\'' | '/' | '#' | '&' | '@')
        || (c.is_alphanumeric() && !breaks_anywhere(c))
        || is_devanagari_mark(c)
}

fn breaks_anywhere(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF      // かな
        | 0x31F0..=0x31FF    // 小書きカタカナ
        | 0x3400..=0x4DBF    // 漢字 (拡張A)
        | 0x4E00..=0x9FFF    // 漢字
        | 0xF900..=0xFAFF    // 互換漢字
        | 0xFF66..=0xFF9F    // 半角カナ
        | 0x20000..=0x3FFFF  // 漢字 (拡張B〜)
        | 0x3005..=0x3007    // 々〆〇
    )
}

/// Devanagari's vowel signs and virama are marks, not letters, but belong to their word.
fn is_devanagari_mark(c: char) -> bool {
    matches!(u32::from(c), 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::FontKey;

    fn glyphs(text: &str) -> Vec<Glyph> {
        text.chars()
            .map(|c| Glyph {
                text: c.to_string(),
                font: FontKey::Gothic,
                gid: 1,
                advance: if c.is_ascii() { 0.5 } else { 1.0 },
                offset: (0.0, 0.0),
                shaped: false,
            })
            .collect()
    }

    fn lines(text: &str, width_em: f32) -> Vec<String> {
        let g = glyphs(text);
        break_lines(&g, width_em)
            .into_iter()
            .map(|r| g[r].iter().map(|g| g.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn punctuation_never_starts_a_line() {
        assert_eq!(lines("あいうえ。かき", 4.0), vec!["あいう", "え。かき"]);
        assert_eq!(
            lines("しょうがっこう", 2.0),
            vec!["しょ", "う", "がっ", "こう"]
        );
    }

    #[test]
    fn opening_brackets_never_end_a_line() {
        assert_eq!(lines("あい「うえ」", 3.0), vec!["あい", "「う", "え」"]);
    }

    #[test]
    fn latin_words_and_numbers_break_at_spaces_only() {
        assert_eq!(lines("Room 1203 Tower", 3.0), vec!["Room", "1203", "Tower"]);
        assert_eq!(lines("番地12-34", 4.0), vec!["番地", "12-34"]);
    }

    #[test]
    fn words_of_every_spaced_script_break_at_spaces_only() {
        assert_eq!(lines("Việt Nam", 3.0), vec!["Việt", "Nam"]);
        assert_eq!(lines("주민 등록", 2.0), vec!["주민", "등록"]);
        assert_eq!(lines("नेपाली भाषा", 7.0), vec!["नेपाली", "भाषा"]);
        // Chinese, like Japanese, breaks between any two characters.
        assert_eq!(lines("出生申报", 2.0), vec!["出生", "申报"]);
    }

    #[test]
    fn shrinks_before_it_condenses_and_reports_overflow_last() {
        let g = glyphs("東京都千代田区千代田一丁目");
        let roomy = fit(
            &g,
            Fit {
                width: 100.0,
                height: 10.0,
                size: 12.0,
                min_size: 6.0,
                max_lines: 1,
            },
        );
        assert_eq!(
            (roomy.size, roomy.scale, roomy.overflow),
            (12.0, 1.0, false)
        );
        let tight = fit(
            &g,
            Fit {
                width: 30.0,
                height: 10.0,
                size: 12.0,
                min_size: 6.0,
                max_lines: 1,
            },
        );
        assert!(tight.size < 12.0 && !tight.overflow);
        let hopeless = fit(
            &g,
            Fit {
                width: 5.0,
                height: 3.0,
                size: 12.0,
                min_size: 8.0,
                max_lines: 1,
            },
        );
        assert!(hopeless.overflow);
    }
}
