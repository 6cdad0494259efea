//! よみあげ through the window, with the real voices playing into a private PulseAudio: what
//! each screen hands the synthesiser is that screen's words in the language on screen; names
//! and addresses only when the resident presses again; a new screen silences the voice.

use madoguchi_domain::Language;
use madoguchi_speech::testing::SoundServer;
use madoguchi_speech::{Delivery, Output, Speaker, SpeechEvent, Voices};
use madoguchi_words::Domain;

use super::*;

/// The kiosk's word for the Japanese `ja` in `language` (`domain`: the screens' own words or
/// the ones the code writes).
fn word(language: Language, domain: Domain, ja: &str) -> String {
    if language.is_japanese() {
        return ja.to_string();
    }
    madoguchi_words::catalog(language, domain)
        .and_then(|c| c.get("", ja))
        .unwrap_or_else(|| panic!("{language}: no word for {ja}"))
        .to_string()
}

fn screen_word(language: Language, ja: &str) -> String {
    word(language, Domain::Kiosk, ja)
}

const PERSONAL_LEFT_OUT: &str =
    "お名前や住所などは読み上げません。聞くときは、もう一度「よみあげ」を押してください。";

impl TestKiosk {
    fn with_voice(self, sound: &SoundServer) -> TestKiosk {
        let voices = Voices::installed(&repo("assets/voices"));
        let output = Output {
            server: Some(sound.address()),
        };
        self.app
            .borrow_mut()
            .set_speaker(Speaker::start(voices, Delivery::default(), output));
        self
    }

    /// Presses よみあげ (as the screen's language words it) and returns what the synthesiser
    /// was handed.
    fn read_aloud(&mut self, language: Language) -> (u64, String) {
        self.tap(&screen_word(language, "よみあげ"));
        let app = self.app.borrow();
        let (id, utterance) = app.read_aloud_text().expect("something read");
        assert_eq!(utterance.language, language);
        (id, utterance.text.clone())
    }

    /// Waits for the voice to report `wanted` about the reading `id`, handing every report to
    /// the app as its own pump would.
    fn wait_for_speech(&self, wanted: fn(u64) -> SpeechEvent, id: u64) {
        let start = Instant::now();
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no {:?}",
                wanted(id)
            );
            let event = self
                .app
                .borrow()
                .speaker()
                .and_then(|s| s.wait_event(Duration::from_millis(100)));
            if let Some(event) = event {
                assert!(
                    !matches!(event, SpeechEvent::Failed(..)),
                    "the voice failed: {event:?}"
                );
                self.app.borrow_mut().speech_event(&event);
                if event == wanted(id) {
                    return;
                }
            }
        }
    }
}

fn contains_all(text: &str, words: &[String]) {
    for word in words {
        assert!(text.contains(word.as_str()), "{word:?} is not in {text:?}");
    }
}

pub(crate) fn a_resident_hears_each_screen_in_their_language(cups: &TestCups) {
    let sound = SoundServer::start().expect("a private PulseAudio");
    let (case, texts) = residents_code();
    let language = Language::Vietnamese;
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk =
        TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None).with_voice(&sound);

    // The start screen in Japanese, read by Open JTalk's voice.
    let (_, text) = kiosk.read_aloud(Language::Japanese);
    contains_all(
        &text,
        &[
            "QRコードで 引っ越しの 書類を 印刷できます".into(),
            "おうちで QRコードを つくる".into(),
        ],
    );

    kiosk.tap("言語\nLanguage");
    kiosk.tap(language.native_name());
    let (id, text) = kiosk.read_aloud(language);
    contains_all(
        &text,
        &[
            screen_word(language, "QRコードで 引っ越しの 書類を 印刷できます"),
            screen_word(language, "画面を さわってください"),
            screen_word(language, "おうちで QRコードを つくる"),
            screen_word(language, "書類が 出てくる。窓口へ 持っていく"),
        ],
    );
    kiosk.wait_for_speech(SpeechEvent::Speaking, id);

    kiosk.tap(&screen_word(language, "はじめる"));
    assert_eq!(kiosk.screen(), Screen::ScanQr);
    // The screen changed: the start screen's reading stopped, the button reads again.
    kiosk.wait_for_speech(SpeechEvent::Stopped, id);
    assert!(!kiosk.window.global::<Kiosk>().get_speaking());
    let (_, text) = kiosk.read_aloud(language);
    contains_all(
        &text,
        &[
            screen_word(language, "QRコードを カメラに みせてください"),
            screen_word(language, "紙でも スマートフォンの 画面でも 読めます。"),
        ],
    );

    for text in &texts {
        kiosk.scanner_types(text);
    }
    kiosk.app.borrow_mut().pump();
    assert_eq!(kiosk.screen(), Screen::QrSummary);
    // The summary holds the family's names and address: not read, and the voice says so …
    let (id, text) = kiosk.read_aloud(language);
    let applicant = case.household.members[0].person.name.clone();
    assert!(!text.contains(applicant.as_str()), "{text}");
    contains_all(
        &text,
        &[
            screen_word(language, "この内容で よろしいですか"),
            word(language, Domain::Screens, PERSONAL_LEFT_OUT),
        ],
    );
    kiosk.wait_for_speech(SpeechEvent::Finished, id);
    // … until the resident presses again.
    let (_, text) = kiosk.read_aloud(language);
    let summary: Vec<String> = kiosk
        .window
        .global::<Scanner>()
        .get_summary()
        .iter()
        .map(|line| line.value.to_string())
        .filter(|value| !value.is_empty())
        .collect();
    assert!(!summary.is_empty());
    contains_all(&text, &summary);

    kiosk.tap(&screen_word(language, "はい、この内容で すすむ"));
    assert_eq!(kiosk.screen(), Screen::Result);
    let (id, text) = kiosk.read_aloud(language);
    let procedures = kiosk.procedure_names();
    assert!(procedures.len() >= 3, "{procedures:?}");
    println!("{language} result read aloud:\n{text}");
    contains_all(&text, &procedures);
    contains_all(&text, &[screen_word(language, "あなたに 必要な 手続き")]);

    // Playing into the sound service; the button now stops it.
    kiosk.wait_for_speech(SpeechEvent::Speaking, id);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(sound.streams(), 1, "the voice plays");
    assert!(kiosk.window.global::<Kiosk>().get_speaking());
    assert!(
        ElementHandle::find_by_accessible_label(&kiosk.window, &screen_word(language, "とめる"))
            .next()
            .is_some(),
        "the button says it stops the voice"
    );
    // Printing moves on to the next screen: the voice stops at once.
    kiosk.tap(&screen_word(language, "書類を 印刷する"));
    assert_ne!(kiosk.screen(), Screen::Result);
    kiosk.wait_for_speech(SpeechEvent::Stopped, id);
    let start = Instant::now();
    while sound.streams() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the voice still plays"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    kiosk.wait_for(Screen::Done, 90);
    let (_, text) = kiosk.read_aloud(language);
    contains_all(&text, &[screen_word(language, "印刷しました")]);

    // Filipino has no voice in espeak-ng: no button rather than a voice reading it wrong.
    kiosk.tap("言語\nLanguage");
    kiosk.tap(Language::Filipino.native_name());
    assert!(!kiosk.window.global::<Kiosk>().get_read_aloud());
    assert!(
        ElementHandle::find_by_accessible_label(&kiosk.window, &screen_word(language, "よみあげ"))
            .next()
            .is_none()
    );
}

/// A clerk's question, read in नेपाली for a resident who chose it: the question as the
/// catalogue's table words it, then the screen's own answers.
pub(crate) fn a_question_is_read_with_its_answers(cups: &TestCups) {
    let sound = SoundServer::start().expect("a private PulseAudio");
    let dir = tempfile::tempdir().expect("dir");
    let mut kiosk = TestKiosk::open(Mode::Clerk, store(dir.path()), cups, None).with_voice(&sound);
    kiosk.tap("受付をはじめる");
    kiosk.tap("係員が入力");
    kiosk.type_into("氏名", "山田　太郎");
    kiosk.type_into("生年月日", "1985-04-01");
    kiosk.type_into("住所（前の住所）", "愛知県名古屋市中区三の丸三丁目1番1号");
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Event);
    kiosk.type_into(
        "住み始めた日（異動日）",
        &today().format("%Y-%m-%d").to_string(),
    );
    kiosk.type_into("新しい住所", "標準市港町二丁目8番1号");
    kiosk.tap("次へ");
    assert_eq!(kiosk.screen(), Screen::Household);
    // The household screen is about people: not read unless asked.
    let (_, text) = kiosk.read_aloud(Language::Japanese);
    assert!(text.contains(PERSONAL_LEFT_OUT), "{text}");
    assert!(!text.contains("山田"), "{text}");
    kiosk.tap("質問へ進む");
    assert_eq!(kiosk.screen(), Screen::Question);

    let language = Language::Nepali;
    kiosk.tap("言語\nLanguage");
    kiosk.tap(language.native_name());
    let view = kiosk.app.borrow().view();
    let question = view.question.expect("a question");
    let (_, text) = kiosk.read_aloud(language);
    let mut expected = vec![question.text.get(language).to_string()];
    if kiosk.window.global::<Interview>().get_question_yes_no() {
        expected.push(screen_word(language, "はい"));
        expected.push(screen_word(language, "いいえ"));
    } else {
        expected.extend(
            question
                .options
                .iter()
                .filter(|o| o.id != "unknown")
                .map(|o| o.text.get(language).to_string()),
        );
    }
    expected.push(screen_word(language, "わからない"));
    println!("{language} question read aloud:\n{text}");
    contains_all(&text, &expected);
    // In that order: the question first, わからない last.
    let question_at = text.find(expected[0].as_str()).expect("the question");
    let unknown_at = text
        .rfind(screen_word(language, "わからない").as_str())
        .expect("わからない");
    assert!(question_at < unknown_at, "{text}");
}

/// A kiosk whose sound service does not answer (unplugged, stopped): the resident who presses
/// よみあげ is told, in their language, that nothing could be read and to ask a member of
/// staff; the button is ready again, and the next screen no longer says so.
pub(crate) fn a_voice_that_cannot_play_says_so(cups: &TestCups) {
    let dir = tempfile::tempdir().expect("dir");
    let nowhere = dir.path().join("no-sound-service");
    let voices = Voices::installed(&repo("assets/voices"));
    let output = Output {
        server: Some(format!("unix:{}", nowhere.display())),
    };
    let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None);
    kiosk
        .app
        .borrow_mut()
        .set_speaker(Speaker::start(voices, Delivery::default(), output));
    let language = Language::Vietnamese;
    kiosk.tap("言語\nLanguage");
    kiosk.tap(language.native_name());
    let (id, _) = kiosk.read_aloud(language);
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(60), "no failure");
        let event = kiosk
            .app
            .borrow()
            .speaker()
            .and_then(|s| s.wait_event(Duration::from_millis(100)));
        let Some(event) = event else { continue };
        kiosk.app.borrow_mut().speech_event(&event);
        if matches!(event, SpeechEvent::Failed(failed, _) if failed == id) {
            break;
        }
    }
    let told = word(
        language,
        Domain::Screens,
        "読み上げができませんでした。音が出ないときは、係員に声をかけてください。",
    );
    let kiosk_global = kiosk.window.global::<Kiosk>();
    assert_eq!(kiosk_global.get_notice().as_str(), told);
    assert!(!kiosk_global.get_speaking(), "the button is ready again");
    kiosk.tap(&screen_word(language, "はじめる"));
    assert_eq!(kiosk.screen(), Screen::ScanQr);
    assert!(kiosk.window.global::<Kiosk>().get_notice().is_empty());
}
