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
use madoguchi_domain::{Answer, CertificateKind, Nationality, Sex};
use madoguchi_homepage::App;
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

async fn start_server() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue");
    let catalogue = madoguchi_rules::load(&dir).expect("catalogue").catalogue;
    let catalogue: &'static _ = Box::leak(Box::new(catalogue));
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
    if let Ok(png) = client.screenshot().await {
        std::fs::write(
            std::env::temp_dir().join("madoguchi-homepage-household.png"),
            &png,
        )
        .ok();
    }
    next(&client).await;

    // Step 3: the questions are in やさしい日本語 with ルビ: the browser sets the readings over
    // the kanji.
    assert!(
        has(&client, "fieldset legend ruby rt").await,
        "the questions carry ルビ"
    );
    if let Ok(png) = client.screenshot().await {
        std::fs::write(
            std::env::temp_dir().join("madoguchi-homepage-questions.png"),
            &png,
        )
        .ok();
    }
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
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(
        std::env::temp_dir().join("madoguchi-homepage-result.png"),
        &png,
    )
    .ok();
    let frame = image::load_from_memory(&png).expect("png").to_luma8();
    let symbols = madoguchi_prefill::scan::symbols_in(&frame);
    assert!(!symbols.is_empty(), "a QR code in the screenshot");
    let prefill = madoguchi_prefill::decode(&symbols, test_today()).expect("decodes");
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
    if let Ok(png) = client.screenshot().await {
        std::fs::write(
            std::env::temp_dir().join("madoguchi-homepage-okuyami-start.png"),
            &png,
        )
        .ok();
    }
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
    if let Ok(png) = client.screenshot().await {
        std::fs::write(
            std::env::temp_dir().join("madoguchi-homepage-okuyami-household.png"),
            &png,
        )
        .ok();
    }
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
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(
        std::env::temp_dir().join("madoguchi-homepage-okuyami-result.png"),
        &png,
    )
    .ok();
    let frame = image::load_from_memory(&png).expect("png").to_luma8();
    let symbols = madoguchi_prefill::scan::symbols_in(&frame);
    let prefill = madoguchi_prefill::decode(&symbols, test_today()).expect("decodes");
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
