//! A resident alone at the self-service kiosk in each translated language: the language
//! chosen with the header's button, the QR code typed by the scanner, the summary, the
//! procedures and the printed packet — every word on those screens in the language (none
//! missing from its catalogues), and the guidance sheet read back from the real cupsd's PDF
//! with the catalogue's words for each procedure.

use madoguchi_domain::Language;
use madoguchi_rules::Engine;
use madoguchi_words::Domain;

use super::*;
use madoguchi_kiosk::ui::Kiosk;

/// The screens' word for the Japanese `ja` in `language`, as its catalogue words it.
fn tr(language: Language, ja: &str) -> String {
    madoguchi_words::catalog(language, Domain::Kiosk)
        .and_then(|c| c.get("", ja))
        .unwrap_or_else(|| panic!("{language}: no word for {ja}"))
        .to_string()
}

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    squeezed(&String::from_utf8_lossy(&output.stdout))
}

pub(crate) fn each_language_prints_from_a_qr_code_in_its_words(cups: &TestCups) {
    let (case, texts) = residents_code();
    let decision = Engine::new(&catalogue())
        .evaluate(&case, case.event.visit_date())
        .expect("decided");
    for language in Language::TRANSLATED {
        let dir = tempfile::tempdir().expect("dir");
        let mut kiosk = TestKiosk::open(Mode::SelfService, store(dir.path()), cups, None);
        kiosk.tap("言語\nLanguage");
        assert!(kiosk.window.global::<Kiosk>().get_picking_language());
        kiosk.tap(language.native_name());
        assert!(!kiosk.window.global::<Kiosk>().get_picking_language());
        // The start screen says the translation is a machine draft, in the language.
        let draft = tr(
            language,
            "この画面の翻訳は機械によるもので、まだ確認されていません。わからないときは係員に聞いてください。",
        );
        assert!(
            ElementHandle::find_by_accessible_label(&kiosk.window, &draft)
                .next()
                .is_some(),
            "{language}: the draft is not said"
        );
        kiosk.tap(&tr(language, "はじめる"));
        for text in &texts {
            kiosk.scanner_types(text);
        }
        kiosk.app.borrow_mut().pump();
        assert_eq!(kiosk.screen(), Screen::QrSummary, "{language}");
        let labels: Vec<String> = kiosk
            .window
            .global::<Scanner>()
            .get_summary()
            .iter()
            .map(|l| l.label.to_string())
            .collect();
        assert!(
            !labels.iter().any(|l| l == "What" || l == "Who moves"),
            "{language}: {labels:?}"
        );
        kiosk.tap(&tr(language, "はい、この内容で すすむ"));
        assert_eq!(kiosk.screen(), Screen::Result, "{language}");
        let shown = kiosk.procedure_names();
        for procedure in &decision.procedures {
            assert!(
                shown.contains(&procedure.name.get(language).to_string()),
                "{language}: {} not among {shown:?}",
                procedure.name.ja
            );
        }
        let printed_before = cups.printed().len();
        kiosk.tap(&tr(language, "書類を 印刷する"));
        let printed_in = kiosk.app.borrow().session().sheet_language();
        assert_eq!(printed_in, language);
        kiosk.wait_for(Screen::Done, 90);
        wait_for_printed(cups, printed_before + 1);
        // cups-pdf's copy has lost the text layer: the packet the runtime made is read back,
        // made again in the language the session printed in.
        let packet = packet_made_in(&case, &catalogue(), printed_in);
        let pdf = dir.path().join("packet.pdf");
        std::fs::write(&pdf, &packet.pdf).expect("written");
        let sheet = pdf_text(&pdf);
        for procedure in &decision.procedures {
            let name = squeezed(procedure.name.get(language));
            assert!(sheet.contains(&name), "{language}: {name} not in {sheet}");
            assert!(
                sheet.contains(&squeezed(&procedure.name.ja)),
                "{language}: the Japanese beside {name}"
            );
            for item in &procedure.bring {
                let item = squeezed(item.get(language));
                assert!(sheet.contains(&item), "{language}: {item} not in {sheet}");
            }
        }
        let missing: Vec<String> = madoguchi_kiosk::ui::missing_words()
            .into_iter()
            .filter(|(l, _)| *l == language)
            .map(|(_, word)| word)
            .collect();
        assert!(
            missing.is_empty(),
            "{language}: words the screens wrote in English: {missing:?}"
        );
    }
}
