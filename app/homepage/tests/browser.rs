//! End to end in a real browser: headless Chromium, driven through chromedriver, fills in the
//! home page as a resident would, the test takes a screenshot of the result, decodes the QR
//! code in it with our own decoder, and compares it with what was typed.
//! Needs the `chromium` and `chromium-driver` packages (scripts/setup installs them).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fantoccini::{Client, ClientBuilder, Locator};
use madoguchi_domain::Language;
use madoguchi_domain::{Answer, CertificateKind, Nationality, Sex};
use madoguchi_homepage::App;
use madoguchi_rules::Catalogue;
use serde_json::json;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn test_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 3).expect("date")
}

/// chromedriver in a process group of its own, with the Chromium it starts. Dropping it (even
/// when a test fails before closing the browser) stops the whole group by its id.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_browser() -> (Driver, Client, tempfile::TempDir) {
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (package chromium-driver)"),
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=480,1400",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let started = Instant::now();
    loop {
        let builder = ClientBuilder::rustls().expect("TLS roots");
        match builder
            .clone()
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client, profile),
            Err(e) if started.elapsed() > Duration::from_secs(20) => panic!("chromedriver: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn shipped_catalogue() -> &'static Catalogue {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    let catalogue = madoguchi_rules::load(&dir).expect("catalogue").catalogue;
    Box::leak(Box::new(catalogue))
}

async fn start_server() -> String {
    let catalogue = shipped_catalogue();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = madoguchi_homepage::router(App::with_today(catalogue, test_today));
    tokio::spawn(async move { axum_serve(listener, router).await });
    format!("http://{address}/")
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    let _ = axum::serve(listener, router).await;
}

/// Sets a field the way a person's typing ends up: ChromeDriver cannot type characters
/// outside the BMP (𠮷), so the value is set through the DOM, then the form is submitted by
/// clicking its real buttons.
async fn fill(client: &Client, id: &str, value: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("field {id}: {e}"));
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Clicks a button that submits the form, and waits until the next page has replaced this one.
async fn submit(client: &Client, css: &str) {
    let old = client.find(Locator::Css("main")).await.expect("a page");
    click(client, css).await;
    let started = Instant::now();
    while old.attr("class").await.is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no new page after {css}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client
        .wait()
        .for_element(Locator::Css("main"))
        .await
        .expect("the next page");
}

async fn next(client: &Client) {
    submit(client, "button[name=action][value=next]").await;
}

async fn has(client: &Client, css: &str) -> bool {
    !client
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_default()
        .is_empty()
}

/// Answers every question offered, round after round, choosing the first option (and 1 for a
/// number), until the certificates step; returns what was answered by field name.
async fn answer_every_question(client: &Client) -> BTreeMap<String, String> {
    let mut answered: BTreeMap<String, String> = BTreeMap::new();
    for _ in 0..10 {
        if has(client, "input[name=cert_juminhyo]").await {
            break;
        }
        let radios = client
            .find_all(Locator::Css("input[type=radio][name^=q_]"))
            .await
            .expect("questions");
        for radio in radios {
            let name = radio.attr("name").await.expect("name").unwrap_or_default();
            let value = radio
                .attr("value")
                .await
                .expect("value")
                .unwrap_or_default();
            if let std::collections::btree_map::Entry::Vacant(slot) = answered.entry(name) {
                radio.click().await.expect("click");
                slot.insert(value);
            }
        }
        for input in client
            .find_all(Locator::Css("input[type=number][name^=q_]"))
            .await
            .expect("numbers")
        {
            let name = input.attr("name").await.expect("name").unwrap_or_default();
            let id = name.trim_start_matches("q_").to_owned();
            client
                .execute(
                    "document.getElementsByName(arguments[0])[0].value = '1';",
                    vec![json!(name)],
                )
                .await
                .expect("number");
            answered.insert(format!("q_{id}"), "1".into());
        }
        next(client).await;
    }
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_fills_the_page_and_the_qr_in_the_screenshot_holds_it() {
    let url = start_server().await;
    let (_driver, client, _profile) = start_browser().await;
    client.goto(&url).await.expect("page opens");

    // Step 1: the event and dates.
    click(&client, "input[name=event][value=tennyu]").await;
    fill(&client, "move_date", "2026-04-01").await;
    fill(&client, "visit_date", "2026-04-03").await;
    fill(
        &client,
        "new_address",
        "横浜市中区本町一丁目１番地　港ハイツ１０１",
    )
    .await;
    fill(&client, "new_postal", "２３１－０００５").await;
    fill(
        &client,
        "previous_address",
        "東京都千代田区霞が関二丁目１番２号",
    )
    .await;
    fill(&client, "moved_out_date", "2026-03-30").await;
    next(&client).await;

    // Step 2: a wrong reading is refused with a message beside the field.
    fill(&client, "m0_name", "𠮷田　髙志").await;
    fill(&client, "m0_kana", "Yoshida").await;
    next(&client).await;
    assert!(has(&client, "#err-m0_kana").await, "the reading is checked");
    fill(&client, "m0_kana", "よしだ　たかし").await;
    fill(&client, "m0_birth", "1980-05-05").await;
    click(&client, "input[name=m0_sex][value=male]").await;
    click(&client, "input[name=m0_nationality][value=japanese]").await;
    submit(&client, "button[name=action][value=add_member]").await;
    fill(&client, "m1_name", "𠮷田　葛\u{E0100}子").await;
    fill(&client, "m1_kana", "よしだ　かつこ").await;
    fill(&client, "m1_birth", "2019-06-01").await;
    click(&client, "input[name=m1_sex][value=female]").await;
    // A foreign child: the 在留カード fields show once 日本以外 is chosen (the Japanese
    // parent's stay hidden), and the number is read as typed.
    let shown = |name: &'static str| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css(&format!("input[name={name}]")))
                .await
                .expect("the field")
                .is_displayed()
                .await
                .expect("displayed or not")
        }
    };
    assert!(
        !shown("m0_card").await,
        "a Japanese member has no card fields"
    );
    click(&client, "input[name=m1_nationality][value=foreign]").await;
    assert!(shown("m1_card").await, "shown for a foreign member");
    fill(&client, "m1_country", "ベトナム").await;
    fill(&client, "m1_card", "ij 3456 7890 kl").await;
    click(&client, "select[name=m1_status] option[value='家族滞在']").await;
    fill(&client, "m1_until", "2029-04-30").await;
    click(
        &client,
        "select[name=m1_category] option[value=mid_long_term]",
    )
    .await;
    // For a person to look at, as the result's screenshot.
    save_screenshot(&client, "madoguchi-homepage-household.png").await;
    next(&client).await;

    // Step 3: the questions are in やさしい日本語 with ルビ: the browser sets the readings over
    // the kanji.
    assert!(
        has(&client, "fieldset legend ruby rt").await,
        "the questions carry ルビ"
    );
    save_screenshot(&client, "madoguchi-homepage-questions.png").await;
    let answered = answer_every_question(&client).await;
    assert!(!answered.is_empty(), "questions were asked");

    // Step 4: certificates.
    fill(&client, "cert_juminhyo", "2").await;
    next(&client).await;

    // The result: screenshot, decode, compare.
    assert!(
        has(&client, ".code svg").await,
        "the QR code is on the page"
    );
    let page = client.source().await.expect("source");
    assert!(page.contains("window.print()"), "a print button");
    let prefill = code_on_screen(&client, "madoguchi-homepage-result.png").await;
    client.close().await.expect("browser closes");

    let case = &prefill.case;
    assert_eq!(prefill.issued, test_today());
    assert_eq!(
        case.event.date,
        NaiveDate::from_ymd_opt(2026, 4, 1).expect("date")
    );
    let members = &case.household.members;
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].person.name.as_bytes(), "𠮷田　髙志".as_bytes());
    assert_eq!(
        members[1].person.name.as_bytes(),
        "𠮷田　葛\u{E0100}子".as_bytes()
    );
    assert_eq!(members[0].person.kana.as_deref(), Some("よしだ　たかし"));
    assert_eq!(members[1].person.sex, Some(Sex::Female));
    assert_eq!(members[0].person.nationality, Some(Nationality::Japanese));
    let child = members[1]
        .person
        .nationality
        .as_ref()
        .and_then(Nationality::foreign)
        .expect("a foreign resident");
    assert_eq!(child.country.as_deref(), Some("ベトナム"));
    assert_eq!(
        child.card_number.as_ref().map(|n| n.as_str()),
        Some("IJ34567890KL")
    );
    assert_eq!(child.status.map(|s| s.as_str()), Some("家族滞在"));
    assert_eq!(child.period_end, NaiveDate::from_ymd_opt(2029, 4, 30));
    assert_eq!(
        child.category,
        Some(madoguchi_domain::ForeignCategory::MidLongTerm)
    );
    assert_eq!(
        members[1].person.birth_date,
        NaiveDate::from_ymd_opt(2019, 6, 1)
    );
    assert_eq!(case.event.kind, madoguchi_domain::EventKind::TENNYU);
    let address = case.event.new_address.as_ref().expect("the new address");
    assert_eq!(address.text, "横浜市中区本町一丁目１番地　港ハイツ１０１");
    assert_eq!(address.postal_code.as_deref(), Some("2310005"));
    for (name, value) in &answered {
        let id = name.trim_start_matches("q_");
        let expected = match value.parse::<i64>() {
            Ok(n) => Answer::Number(n),
            Err(_) => Answer::from_text(value),
        };
        assert_eq!(case.answers.get(id), Some(&expected), "{id}");
    }
    assert_eq!(case.certificates.len(), 1);
    assert_eq!(case.certificates[0].kind, CertificateKind::Juminhyo);
    assert_eq!(case.certificates[0].copies, 2);
}

/// A bereaved family prepares at home: the page offers the catalogue's events, asks a death's
/// dates by their names, has the household say who died (and refuses to go on until it does),
/// and the code holds the event, its dates and whom it is about.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_prepares_the_procedures_after_a_death() {
    let url = start_server().await;
    let (_driver, client, _profile) = start_browser().await;
    client.goto(&url).await.expect("page opens");

    click(&client, "input[name=event][value=shibou]").await;
    fill(&client, "ev-shibou", "2026-03-25").await;
    fill(&client, "ev-shibou-funeral_date", "2026-03-28").await;
    fill(&client, "visit_date", "2026-04-03").await;
    save_screenshot(&client, "madoguchi-homepage-okuyami-start.png").await;
    next(&client).await;

    // The household: the widow comes to the counter; her husband, the 世帯主, died.
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .expect("heading")
        .text()
        .await
        .expect("text");
    assert!(heading.contains("世帯の人"), "{heading}");
    fill(&client, "m0_name", "相談　和子").await;
    fill(&client, "m0_kana", "そうだん　かずこ").await;
    fill(&client, "m0_birth", "1959-09-03").await;
    click(&client, "input[name=m0_sex][value=female]").await;
    click(&client, "input[name=m0_nationality][value=japanese]").await;
    click(&client, "select[name=m0_relation] option[value='妻']").await;
    submit(&client, "button[name=action][value=add_member]").await;
    fill(&client, "m1_name", "相談　正男").await;
    fill(&client, "m1_kana", "そうだん　まさお").await;
    fill(&client, "m1_birth", "1957-05-12").await;
    click(&client, "input[name=m1_sex][value=male]").await;
    click(&client, "input[name=m1_nationality][value=japanese]").await;
    click(&client, "select[name=m1_relation] option[value='世帯主']").await;
    next(&client).await;
    assert!(
        has(&client, "#err-subject").await,
        "who died must be said before going on"
    );
    click(&client, "input[name=subject][value='1']").await;
    save_screenshot(&client, "madoguchi-homepage-okuyami-household.png").await;
    next(&client).await;

    let answered = answer_every_question(&client).await;
    assert!(
        answered.contains_key("q_deceased_pension"),
        "the death's own questions are asked: {answered:?}"
    );
    next(&client).await;

    assert!(
        has(&client, ".code svg").await,
        "the QR code is on the page"
    );
    let prefill = code_on_screen(&client, "madoguchi-homepage-okuyami-result.png").await;
    client.close().await.expect("browser closes");

    let event = &prefill.case.event;
    assert_eq!(event.kind.id(), "shibou");
    assert_eq!(
        event.date,
        NaiveDate::from_ymd_opt(2026, 3, 25).expect("date")
    );
    assert_eq!(
        event.named_date(madoguchi_domain::EventDate::new("funeral_date").expect("id")),
        NaiveDate::from_ymd_opt(2026, 3, 28)
    );
    assert_eq!(event.subject, Some(1));
    let members = &prefill.case.household.members;
    assert_eq!(members[1].person.name, "相談　正男");
    assert_eq!(members[1].relation, madoguchi_domain::Zokugara::HEAD);
    for (name, value) in &answered {
        let id = name.trim_start_matches("q_");
        let expected = match value.parse::<i64>() {
            Ok(n) => Answer::Number(n),
            Err(_) => Answer::from_text(value),
        };
        assert_eq!(prefill.case.answers.get(id), Some(&expected), "{id}");
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

async fn texts_of(client: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.expect("elements") {
        texts.push(element.text().await.expect("text").trim().to_string());
    }
    texts
}

/// The page's own word as the language's catalogue writes it.
fn page_word(language: Language, japanese: &str) -> &'static str {
    madoguchi_words::catalog(language, madoguchi_words::Domain::Homepage)
        .and_then(|c| c.get("", japanese))
        .unwrap_or_else(|| panic!("{}: no {japanese}", language.code()))
}

async fn save_screenshot(client: &Client, name: &str) {
    if let Ok(png) = client.screenshot().await {
        std::fs::write(std::env::temp_dir().join(name), &png).ok();
    }
}

/// The code on the page as a camera would see it: a screenshot (kept as `name` in the
/// temporary folder for a person to look at), decoded with our own decoder.
async fn code_on_screen(client: &Client, name: &str) -> madoguchi_prefill::Prefill {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(std::env::temp_dir().join(name), &png).ok();
    let frame = image::load_from_memory(&png).expect("png").to_luma8();
    let symbols = madoguchi_prefill::scan::symbols_in(&frame);
    assert!(!symbols.is_empty(), "a QR code in the screenshot");
    madoguchi_prefill::decode(&symbols, test_today()).expect("decodes")
}

/// A Vietnamese, a Nepali … resident prepares a move in their own language: every heading,
/// label and button is their catalogue's, the questions and the procedures are the catalogue's
/// texts in that language, a change of language keeps what was typed, and the code holds the
/// same case as in Japanese. No word of the page is missing in any language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_prepares_in_each_language() {
    let catalogue = shipped_catalogue();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("address"));
    let router = madoguchi_homepage::router(App::with_today(catalogue, test_today));
    tokio::spawn(async move { axum_serve(listener, router).await });
    let (_driver, client, _profile) = start_browser().await;
    let event = madoguchi_domain::EventKind::TENNYU;

    for language in Language::TRANSLATED {
        let code = language.code();
        client
            .goto(&format!("{url}?lang={code}"))
            .await
            .expect("page opens");
        let html_lang = client
            .find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("lang")
            .await
            .expect("lang");
        assert_eq!(html_lang.as_deref(), Some(code));
        assert_eq!(
            text_of(&client, "h1").await,
            page_word(language, "市役所の手続きを、家で準備できます")
        );
        // The shipped translations are drafts: the page says so, in the language.
        assert_eq!(
            text_of(&client, "p.draft").await,
            page_word(
                language,
                "この言語の文は機械翻訳で、まだ確認されていません。わからないときは、窓口で聞いてください。"
            )
        );
        // Every language is listed, each in itself.
        let listed = texts_of(&client, ".languages > *").await;
        assert_eq!(
            listed,
            Language::ALL
                .iter()
                .filter(|l| **l != Language::Easy)
                .map(|l| l.native_name().to_string())
                .collect::<Vec<_>>(),
            "{code}"
        );
        let event_name = catalogue.event(event).expect("tennyu").name.get(language);
        let choices = texts_of(&client, "fieldset label.choice span").await;
        assert!(
            choices
                .iter()
                .any(|c| c == page_word(language, "ほかの市町村から引っ越してきた（転入）")),
            "{code}: {choices:?} ({event_name})"
        );

        click(&client, "input[name=event][value=tennyu]").await;
        fill(&client, "move_date", "2026-04-01").await;
        fill(&client, "visit_date", "2026-04-03").await;
        fill(&client, "new_address", "横須賀市小川町11番地").await;
        fill(
            &client,
            "previous_address",
            "東京都新宿区西新宿二丁目8番1号",
        )
        .await;
        fill(&client, "moved_out_date", "2026-03-30").await;
        next(&client).await;

        // The household: a foreign resident, with a mistake the page explains in the language.
        assert_eq!(
            text_of(&client, "h1").await,
            page_word(language, "引っ越す人")
        );
        fill(&client, "m0_name", "NGUYEN VAN AN").await;
        fill(&client, "m0_birth", "1995-07-15").await;
        click(&client, "input[name=m0_sex][value=male]").await;
        click(&client, "input[name=m0_nationality][value=foreign]").await;
        fill(&client, "m0_card", "AB1234").await;
        next(&client).await;
        assert_eq!(
            text_of(&client, "#err-m0_card").await,
            page_word(
                language,
                madoguchi_domain::input::InputError::ResidenceCard.message_ja()
            )
        );
        fill(&client, "m0_card", "AB12345678CD").await;
        fill(&client, "m0_country", "ベトナム").await;
        click(&client, "select[name=m0_status] option[value='留学']").await;
        fill(&client, "m0_until", "2028-03-31").await;
        // Another language on the way keeps what was typed.
        if language == Language::Korean {
            submit(&client, "button[name=action][value=lang-pt-BR]").await;
            assert_eq!(
                text_of(&client, "h1").await,
                page_word(Language::PortugueseBrazil, "引っ越す人")
            );
            let name = client
                .find(Locator::Css("#m0_name"))
                .await
                .expect("name")
                .prop("value")
                .await
                .expect("value");
            assert_eq!(name.as_deref(), Some("NGUYEN VAN AN"));
            submit(&client, "button[name=action][value=lang-ko]").await;
        }
        next(&client).await;

        // The questions are the catalogue's, in the language.
        let legends = texts_of(&client, "fieldset legend").await;
        assert!(!legends.is_empty(), "{code}: questions");
        for legend in &legends {
            let known = catalogue
                .questions
                .iter()
                .any(|q| q.text_for(event).get(language) == legend);
            assert!(
                known,
                "{code}: {legend} is not a question of the catalogue in it"
            );
        }
        if matches!(language, Language::Vietnamese | Language::Nepali) {
            save_screenshot(&client, &format!("madoguchi-homepage-{code}-questions.png")).await;
        }
        answer_every_question(&client).await;

        assert!(
            text_of(&client, "label[for=cert_juminhyo]")
                .await
                .starts_with(page_word(language, "住民票の写し")),
            "{code}"
        );
        fill(&client, "cert_juminhyo", "1").await;
        next(&client).await;

        // The result: the procedures by their names in the language, and the code.
        assert_eq!(
            text_of(&client, "h1").await,
            page_word(language, "QRコードができました")
        );
        let procedures = texts_of(&client, "ul.procedures li strong").await;
        assert!(!procedures.is_empty(), "{code}: procedures");
        for name in &procedures {
            let known = catalogue
                .procedures
                .iter()
                .any(|p| p.name.get(language) == name);
            assert!(
                known,
                "{code}: {name} is not a procedure of the catalogue in it"
            );
        }
        let prefill =
            code_on_screen(&client, &format!("madoguchi-homepage-{code}-result.png")).await;
        let member = &prefill.case.household.members[0];
        assert_eq!(member.person.name, "NGUYEN VAN AN", "{code}");
        let card = member
            .person
            .nationality
            .as_ref()
            .and_then(Nationality::foreign)
            .and_then(|f| f.card_number.as_ref())
            .map(|n| n.as_str().to_string());
        assert_eq!(card.as_deref(), Some("AB12345678CD"), "{code}");
    }
    client.close().await.expect("browser closes");
    assert!(
        madoguchi_homepage::missing_words().is_empty(),
        "words without a translation: {:?}",
        madoguchi_homepage::missing_words()
    );
}
