//! The kiosk without touch: the same flows by key presses alone. A key user moves the focus
//! (Tab, or + on a numeric keypad) until the control they want has it — the window's own focus,
//! read from Slint's item tree and named as a screen reader names it — then presses Enter;
//! fields are typed into key by key; the PIN is typed on the keys' digits.

use i_slint_core::items::AccessibleRole;
use i_slint_core::window::WindowInner;
use slint::SharedString;

use super::*;
use madoguchi_kiosk::ui::Theme;

/// How a test's person works the kiosk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Touch,
    /// A keyboard: Tab moves the focus.
    Keyboard,
    /// A numeric keypad (an ATM's handset): + moves the focus.
    Keypad,
}

impl Input {
    fn next_key(self) -> SharedString {
        match self {
            Input::Keypad => "+".into(),
            Input::Touch | Input::Keyboard => Key::Tab.into(),
        }
    }
}

/// The most presses a control may be away: a screen has fewer controls than this.
const MOST_PRESSES: usize = 150;

impl TestKiosk {
    /// What has the keyboard focus, as a screen reader names it: the role and label of the
    /// focused item or of the widget around it.
    pub(crate) fn focused(&self) -> Option<(AccessibleRole, String)> {
        let inner = WindowInner::from_pub(self.window.window());
        let item = inner.focus_item.borrow().upgrade()?;
        super::announced::announced_as(&item)
    }

    /// One key pressed and released.
    pub(crate) fn key(&self, text: impl Into<SharedString>) {
        let text = text.into();
        let window = self.window.window();
        window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        window.dispatch_event(WindowEvent::KeyReleased { text });
        self.key_presses.set(self.key_presses.get() + 1);
    }

    /// Moves the focus until the control labelled `label` (of a role `wanted` accepts) has it.
    pub(crate) fn focus_on(&self, label: &str, wanted: impl Fn(AccessibleRole) -> bool) {
        let mut passed = Vec::new();
        for _ in 0..MOST_PRESSES {
            if let Some((role, name)) = self.focused() {
                if name == label && wanted(role) {
                    return;
                }
                passed.push(name);
            }
            self.key(self.input.next_key());
        }
        panic!(
            "{label:?} cannot be reached by {:?} on {:?}; the focus went {passed:?}",
            self.input,
            self.screen()
        );
    }

    /// The key user's tap: the focus to the control, then Enter.
    pub(crate) fn press(&self, label: &str) {
        self.focus_on(label, |role| role != AccessibleRole::Text);
        self.key(Key::Return);
        self.app.borrow_mut().pump();
    }

    /// The key user's typing: the focus to the field, all of it selected, the text typed.
    pub(crate) fn type_by_keys(&self, label: &str, text: &str) {
        self.focus_on(label, |role| role == AccessibleRole::TextInput);
        let window = self.window.window();
        let control: SharedString = Key::Control.into();
        window.dispatch_event(WindowEvent::KeyPressed {
            text: control.clone(),
        });
        self.key("a");
        window.dispatch_event(WindowEvent::KeyReleased { text: control });
        for c in text.chars() {
            self.key(c.to_string());
        }
    }

    /// Digits on the PIN pad: tapped, or typed on the keys' digits.
    pub(crate) fn enter_digits(&mut self, digits: &str) {
        for digit in digits.chars() {
            if self.input == Input::Touch {
                self.tap(&digit.to_string());
            } else {
                self.key(digit.to_string());
            }
        }
    }

    /// The pad's 決定 (named `label` for a screen reader): tapped, or Enter on the keys.
    pub(crate) fn confirm_digits(&mut self, label: &str) {
        if self.input == Input::Touch {
            self.tap(label);
        } else {
            self.key(Key::Return);
            self.app.borrow_mut().pump();
        }
    }
}

/// A resident at the self-service kiosk with a numeric keypad only: + to move, Enter to press.
pub(crate) fn a_resident_prints_from_a_qr_code_on_a_keypad(cups: &TestCups) {
    let (_, texts) = residents_code();
    let dir = tempfile::tempdir().expect("dir");
    let printed_before = cups.printed().len();
    let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None);
    kiosk.input = Input::Keypad;
    // 見やすく: white and yellow on black, chosen on the keypad.
    kiosk.tap("見やすく");
    // While the dialog is open, + goes round its own controls only, never the screen behind.
    let in_dialog = ["ふつう", "大きく", "とても大きく", "白黒はっきり", "閉じる"];
    let mut visited = std::collections::BTreeSet::new();
    for _ in 0..2 * in_dialog.len() + 2 {
        kiosk.key("+");
        let (_, label) = kiosk.focused().expect("something has the focus");
        assert!(
            in_dialog.contains(&label.as_str()),
            "{label:?} behind the dialog has the focus"
        );
        visited.insert(label);
    }
    assert_eq!(visited.len(), in_dialog.len(), "{visited:?}");
    kiosk.tap("白黒はっきり");
    kiosk.tap("大きく");
    assert!(kiosk.window.global::<Theme>().get_high_contrast());
    assert_eq!(kiosk.window.global::<Theme>().get_text_scale(), 1.5);
    kiosk.tap("閉じる");
    assert!(!kiosk.window.global::<Kiosk>().get_picking_display());
    kiosk.tap("はじめる");
    assert_eq!(kiosk.screen(), Screen::ScanQr);
    for text in &texts {
        kiosk.scanner_types(text);
    }
    kiosk.app.borrow_mut().pump();
    assert_eq!(kiosk.screen(), Screen::QrSummary);
    // − goes back the way + came.
    kiosk.focus_on("はい、この内容で すすむ", |_| true);
    kiosk.key("-");
    assert_ne!(
        kiosk.focused().map(|(_, label)| label).as_deref(),
        Some("はい、この内容で すすむ")
    );
    kiosk.tap("はい、この内容で すすむ");
    assert_eq!(kiosk.screen(), Screen::Result);
    kiosk.tap("書類を 印刷する");
    kiosk.wait_for(Screen::Done, 90);
    wait_for_printed(cups, printed_before + 1);
    kiosk.tap("おわる");
    assert_eq!(kiosk.screen(), Screen::Start);
    // The next resident starts with the screen as the city set it.
    assert!(!kiosk.window.global::<Theme>().get_high_contrast());
    assert_eq!(kiosk.window.global::<Theme>().get_text_scale(), 1.0);
    println!(
        "self-service on a keypad: {} key presses from the first screen to the printed packet",
        kiosk.key_presses.get()
    );
}
