//! ルビ (furigana) in the plain-Japanese (やさしい日本語) texts the catalogue gives residents.
//!
//! The guideline (出入国在留管理庁・文化庁「在留支援のためのやさしい日本語ガイドライン」) asks for kanji
//! with their reading above rather than all-hiragana text, which is harder to read. Catalogue
//! files mark a reading as Japanese plain-text publishing has for a century (青空文庫 notation):
//! `転入《てんにゅう》` puts the reading over the run of kanji just before 《, and
//! `｜4月《しがつ》` over everything after the ｜ when the base is not only kanji.
//!
//! A text is checked once, where it enters (the catalogue loader), so that printing and
//! drawing never meet half a mark. [`parse`] returns the text as segments; [`base_text`] and
//! [`reading_text`] give it without readings, or with readings in place of the kanji.

/// One piece of a text: plain, or a base with its reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub base: &'a str,
    pub reading: Option<&'a str>,
}

/// Longest reading one mark may carry; a longer one is a typing slip (a missing 》).
pub const MAX_READING_CHARS: usize = 24;

const OPEN: char = '《';
const CLOSE: char = '》';
const BASE_START: char = '｜';

/// What is wrong with a mark, said so a catalogue editor can find it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RubyError {
    #[error("「《」 without its closing 「》」")]
    Unclosed,
    #[error("「》」 without an opening 「《」")]
    StrayClose,
    #[error("a reading 《…》 with no kanji before it (write ｜ before a base that is not kanji)")]
    NoBase,
    #[error("an empty reading 《》")]
    EmptyReading,
    #[error("the reading 《{0}》 is not all kana")]
    NotKana(String),
    #[error("a reading longer than {MAX_READING_CHARS} characters")]
    TooLong,
    #[error("「｜」 not followed by a reading 《…》")]
    StrayBaseStart,
}

/// Whether `c` takes part in an unmarked base: kanji and the marks written with them.
fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}' | '々' | '〆' | 'ヶ' | '〇')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | ' ' | '　')
}

/// The text as plain and ruby segments, or what is wrong with its marks.
pub fn parse(text: &str) -> Result<Vec<Segment<'_>>, RubyError> {
    let mut segments = Vec::new();
    // Where the plain text not yet pushed starts, and an explicit base's start (after ｜).
    let mut plain_from = 0;
    let mut base_from: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            BASE_START => {
                if base_from.is_some() {
                    return Err(RubyError::StrayBaseStart);
                }
                base_from = Some(at + c.len_utf8());
            }
            CLOSE => return Err(RubyError::StrayClose),
            OPEN => {
                let start = at + c.len_utf8();
                let end = text[start..]
                    .find(CLOSE)
                    .map(|offset| start + offset)
                    .ok_or(RubyError::Unclosed)?;
                let reading = check_reading(&text[start..end])?;
                let (base_start, plain_end) = match base_from.take() {
                    Some(from) => (from, from - BASE_START.len_utf8()),
                    None => {
                        let kanji_start = kanji_run_start(&text[plain_from..at]) + plain_from;
                        (kanji_start, kanji_start)
                    }
                };
                if base_start == at {
                    return Err(RubyError::NoBase);
                }
                if plain_end > plain_from {
                    segments.push(Segment {
                        base: &text[plain_from..plain_end],
                        reading: None,
                    });
                }
                segments.push(Segment {
                    base: &text[base_start..at],
                    reading: Some(reading),
                });
                plain_from = end + CLOSE.len_utf8();
                while chars.peek().is_some_and(|(i, _)| *i < plain_from) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    if base_from.is_some() {
        return Err(RubyError::StrayBaseStart);
    }
    if plain_from < text.len() {
        segments.push(Segment {
            base: &text[plain_from..],
            reading: None,
        });
    }
    Ok(segments)
}

fn check_reading(reading: &str) -> Result<&str, RubyError> {
    if reading.is_empty() {
        return Err(RubyError::EmptyReading);
    }
    if reading.contains(OPEN) || reading.chars().count() > MAX_READING_CHARS {
        return Err(RubyError::TooLong);
    }
    if !reading.chars().all(is_kana) {
        return Err(RubyError::NotKana(reading.to_string()));
    }
    Ok(reading)
}

/// Byte offset in `before` where its trailing run of kanji starts.
fn kanji_run_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_kanji(*c))
        .last()
        .map_or(before.len(), |(i, _)| i)
}

/// Whether the text carries any reading marks.
pub fn has_ruby(text: &str) -> bool {
    text.contains(OPEN)
}

/// The text as printed without readings: 「転入《てんにゅう》の届け」 → 「転入の届け」. A text with
/// broken marks is returned as written.
pub fn base_text(text: &str) -> String {
    join(text, |s| s.base)
}

/// The text with readings in place of their bases, all kana: 「転入《てんにゅう》の届け」 →
/// 「てんにゅうの届け」 — for a screen that cannot draw ruby yet.
pub fn reading_text(text: &str) -> String {
    join(text, |s| s.reading.unwrap_or(s.base))
}

fn join(text: &str, pick: impl for<'a> Fn(&Segment<'a>) -> &'a str) -> String {
    match parse(text) {
        Ok(segments) => segments.iter().map(pick).collect(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ruby(base: &str, reading: &str) -> Segment<'static> {
        Segment {
            base: Box::leak(base.to_string().into_boxed_str()),
            reading: Some(Box::leak(reading.to_string().into_boxed_str())),
        }
    }

    fn plain(base: &str) -> Segment<'static> {
        Segment {
            base: Box::leak(base.to_string().into_boxed_str()),
            reading: None,
        }
    }

    #[test]
    fn a_reading_covers_the_kanji_just_before_it() {
        assert_eq!(
            parse("市役所《しやくしょ》へ行《い》きます").expect("parses"),
            vec![
                ruby("市役所", "しやくしょ"),
                plain("へ"),
                ruby("行", "い"),
                plain("きます")
            ]
        );
        assert_eq!(
            parse("この転入《てんにゅう》").expect("parses"),
            vec![plain("この"), ruby("転入", "てんにゅう")]
        );
    }

    #[test]
    fn a_bar_marks_a_base_that_is_not_only_kanji() {
        assert_eq!(
            parse("毎月｜4日《よっか》まで").expect("parses"),
            vec![plain("毎月"), ruby("4日", "よっか"), plain("まで")]
        );
    }

    #[test]
    fn text_without_marks_is_one_plain_segment() {
        assert_eq!(parse("こども").expect("parses"), vec![plain("こども")]);
        assert!(parse("").expect("parses").is_empty());
        assert!(!has_ruby("こども"));
    }

    #[test]
    fn broken_marks_are_refused_with_what_is_wrong() {
        assert_eq!(parse("転入《てんにゅう"), Err(RubyError::Unclosed));
        assert_eq!(parse("てんにゅう》"), Err(RubyError::StrayClose));
        assert_eq!(parse("こども《こども》"), Err(RubyError::NoBase));
        assert_eq!(parse("転入《》"), Err(RubyError::EmptyReading));
        assert_eq!(
            parse("転入《tennyu》"),
            Err(RubyError::NotKana("tennyu".into()))
        );
        assert_eq!(parse("｜転入"), Err(RubyError::StrayBaseStart));
        assert_eq!(
            parse(&format!("転入《{}》", "あ".repeat(MAX_READING_CHARS + 1))),
            Err(RubyError::TooLong)
        );
    }

    #[test]
    fn base_and_reading_texts() {
        let text = "転入《てんにゅう》の｜届け《とどけ》";
        assert_eq!(base_text(text), "転入の届け");
        assert_eq!(reading_text(text), "てんにゅうのとどけ");
        assert_eq!(base_text("壊れた《"), "壊れた《");
    }
}
