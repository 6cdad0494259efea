//! What よみあげ reads on each screen: the screen's title and the line under it, then what the
//! screen asks of the resident — the question and its answers, the ways to identify, the
//! procedures found — each as the screen shows it, in its language (taken from the window, so
//! the voice and the screen never disagree).
//!
//! A public hall hears what is read: names, addresses and birth dates are left out, and the
//! voice says so, unless the resident presses again on the same screen.

use madoguchi_domain::Language;
use slint::{ComponentHandle, Model};

use super::present::Context;
use super::{Interview, KioskWindow, Outcome, Scanner, ScreenWords};
use crate::session::Screen;

/// Says that personal details were left out, and how to hear them.
const PERSONAL_LEFT_OUT: (&str, &str) = (
    "お名前や住所などは読み上げません。聞くときは、もう一度「よみあげ」を押してください。",
    "Names and addresses are not read aloud. To hear them, press Read aloud again.",
);

/// The screen's words to read, one sentence or answer per line.
pub fn screen_text(
    window: &KioskWindow,
    screen: Screen,
    personal: bool,
    context: &Context,
) -> String {
    let words = window.global::<ScreenWords>();
    let interview = window.global::<Interview>();
    let asks_a_question = matches!(screen, Screen::Question | Screen::PrivateQuestion);
    let mut lines: Vec<String> = Vec::new();
    if asks_a_question {
        lines.push(interview.get_question().into());
        lines.push(interview.get_question_help().into());
    } else {
        lines.push(words.get_title().into());
        lines.push(words.get_sub().into());
    }
    match screen {
        Screen::Start if window.global::<super::Kiosk>().get_self_service() => {
            lines.extend(words.get_start_steps().iter().map(Into::into));
        }
        Screen::Identify => lines.extend(words.get_ways().iter().map(Into::into)),
        Screen::Question | Screen::PrivateQuestion => {
            lines.extend(answers(window, personal, context));
        }
        Screen::QrSummary if personal => {
            let summary = window.global::<Scanner>().get_summary();
            lines.extend(
                summary
                    .iter()
                    .map(|line| format!("{}: {}", line.label, line.value)),
            );
        }
        Screen::QrSummary | Screen::TypeApplicant | Screen::Household | Screen::Review => {
            lines.push(
                context
                    .pick(PERSONAL_LEFT_OUT.0, PERSONAL_LEFT_OUT.1)
                    .into(),
            );
        }
        Screen::Result => {
            let procedures = window.global::<Outcome>().get_procedures();
            lines.extend(procedures.iter().map(|row| row.name.to_string()));
        }
        _ => {}
    }
    sentences(&lines, context)
}

/// A question's answers as the screen offers them: the members to tick (their names only when
/// asked for), the options, and the screen's own はい／いいえ／わからない.
fn answers(window: &KioskWindow, personal: bool, context: &Context) -> Vec<String> {
    let words = window.global::<ScreenWords>();
    let interview = window.global::<Interview>();
    let members = interview.get_question_members();
    if members.row_count() > 0 {
        return if personal {
            members.iter().map(|m| m.label.to_string()).collect()
        } else {
            vec![
                context
                    .pick(PERSONAL_LEFT_OUT.0, PERSONAL_LEFT_OUT.1)
                    .into(),
            ]
        };
    }
    let mut answers: Vec<String> = if interview.get_question_yes_no() {
        vec![words.get_yes().into(), words.get_no().into()]
    } else {
        interview
            .get_question_options()
            .iter()
            .map(|option| option.label.to_string())
            .collect()
    };
    answers.push(words.get_unknown().into());
    answers
}

/// The lines as sentences: empty ones dropped, each ended with a full stop, so that every
/// voice pauses between them.
fn sentences(lines: &[String], context: &Context) -> String {
    let stop = match context.language {
        Language::Japanese | Language::Easy | Language::ChineseSimplified => "。",
        Language::Nepali => "।",
        _ => ".",
    };
    lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let ended = line.ends_with(['。', '.', '？', '?', '！', '!', '।', '」', '）']);
            if ended {
                line.to_string()
            } else {
                format!("{line}{stop}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_sentences_in_the_language_s_own_full_stop() {
        let japanese = Context {
            language: Language::Japanese,
            resident: true,
        };
        let lines = [
            "必要な手続き".to_string(),
            String::new(),
            "転入届。".to_string(),
        ];
        assert_eq!(sentences(&lines, &japanese), "必要な手続き。\n転入届。");
        let nepali = Context {
            language: Language::Nepali,
            resident: true,
        };
        let lines = ["आवश्यक प्रक्रिया".to_string(), "हो।".to_string()];
        assert_eq!(sentences(&lines, &nepali), "आवश्यक प्रक्रिया।\nहो।");
    }
}
