//! The question editor: a question's wording in its three registers (the clerk's Japanese,
//! やさしい日本語 for residents, English), the short label reasons quote, whether residents
//! answer it privately, its source, and when it is asked — the same condition tree as a rule.

use madoguchi_rules::authoring::{QuestionEdit, Wording};
use madoguchi_rules::catalogue::Question;

use super::condition::{self, Fact, Group, Node};
use super::{Desk, DeskScreen, Editing, Entry};
use crate::session::Notice;

/// One of the registers a question is worded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Register {
    /// The clerk's screen and the forms.
    Ja,
    /// The resident's screens (やさしい日本語).
    Easy,
    En,
}

impl Register {
    /// The field its problems show beside.
    pub fn field(self) -> &'static str {
        match self {
            Register::Ja => "text_ja",
            Register::Easy => "text_easy",
            Register::En => "text_en",
        }
    }

    fn missing(self) -> Notice {
        match self {
            Register::Ja => Notice::new("質問文を入れてください。", "Enter the question."),
            Register::Easy => Notice::new(
                "やさしい日本語の文も入れてください（住民の画面に出ます）。",
                "Enter the やさしい日本語 wording too (residents read it).",
            ),
            Register::En => Notice::new(
                "英語の文も入れてください（英語の画面に出ます）。",
                "Enter the English wording too (the English screens show it).",
            ),
        }
    }
}

impl Desk {
    /// The questions the list shows (indices into the catalogue): those whose wording, label
    /// or id contains the search words.
    pub fn listed_questions(&self) -> Vec<usize> {
        let Some(catalogue) = self.catalogue() else {
            return Vec::new();
        };
        super::matching(&catalogue.questions, &self.filter, |q| {
            [&q.text.ja, &q.label.ja, &q.id]
        })
    }

    /// Opens question `index` of the catalogue shown.
    pub fn open_question(&mut self, index: usize) {
        let Some(question) = self.catalogue().and_then(|c| c.questions.get(index)) else {
            return;
        };
        let tree = question.ask_when.as_ref().map(Node::from_condition);
        self.editing = Some(Editing::new(Entry::Question(index), tree));
        self.notice = None;
        self.screen = DeskScreen::Question;
    }

    /// The open question as the draft has it.
    pub fn open_question_data(&self) -> Option<Question> {
        let index = self.editing.as_ref()?.question()?;
        self.catalogue()?.questions.get(index).cloned()
    }

    /// Rewords the open question in one register, keeping the other two.
    pub fn set_question_text(&mut self, register: Register, text: &str) -> bool {
        let Some(question) = self.open_question_data() else {
            return false;
        };
        let text = text.trim();
        if text.is_empty() {
            self.field_error(register.field(), register.missing());
            return false;
        }
        let mut wording = Wording {
            ja: question.text.ja,
            easy: question.text.easy,
            en: question.text.en,
        };
        match register {
            Register::Ja => wording.ja = text.into(),
            Register::Easy => wording.easy = text.into(),
            Register::En => wording.en = text.into(),
        }
        self.edit_question(register.field(), QuestionEdit::Text(wording))
    }

    /// Sets the short Japanese statement reasons quote (「犬を飼っている」).
    pub fn set_question_label(&mut self, ja: &str) -> bool {
        let Some(question) = self.open_question_data() else {
            return false;
        };
        if ja.trim().is_empty() {
            self.field_error(
                "label",
                Notice::new(
                    "短い言い方を入れてください（手続きの理由の文に使います）。",
                    "Enter the short statement (reasons quote it).",
                ),
            );
            return false;
        }
        let wording = Wording {
            ja: ja.trim().into(),
            easy: String::new(),
            en: question.label.en,
        };
        self.edit_question("label", QuestionEdit::Label(wording))
    }

    /// Whether residents answer the question privately on screen, never read aloud.
    pub fn set_question_sensitive(&mut self, sensitive: bool) -> bool {
        self.edit_question("sensitive", QuestionEdit::Sensitive(sensitive))
    }

    /// Gives the open question a condition to be asked under, starting from 「転入」 inside
    /// すべて, for the supervisor to change with the usual widgets.
    pub fn ask_only_when(&mut self) {
        let Some(catalogue) = self.catalogue() else {
            return;
        };
        let first = condition::default_leaf(Fact::Event, catalogue, self.today());
        let Some(editing) = &mut self.editing else {
            return;
        };
        if editing.question().is_none() || editing.tree.is_some() {
            return;
        }
        editing.tree = Some(Node::Group(Group::All, vec![Node::Leaf(first)]));
        editing.selected = vec![0];
        self.commit_tree();
    }

    /// Removes the open question's condition: it is then asked whenever its answer can
    /// change the result.
    pub fn ask_always(&mut self) {
        let Some(editing) = &mut self.editing else {
            return;
        };
        if editing.question().is_none() {
            return;
        }
        editing.tree = None;
        editing.selected = Vec::new();
        editing.errors.remove("condition");
        let had_condition = self
            .open_question_data()
            .is_some_and(|q| q.ask_when.is_some());
        if had_condition {
            self.write_condition(None);
        }
    }
}
