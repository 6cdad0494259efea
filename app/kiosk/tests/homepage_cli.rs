//! `madoguchi prefill-server` as a process: the pages answer over HTTP, and even at the most
//! detailed log level nothing a resident typed reaches the log.

#[path = "support/log.rs"]
mod log;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts the server on port 0 and reads the port it got from its first line, so tests
    /// running side by side never share a port.
    fn start() -> Server {
        Server::start_with(&[])
    }

    fn start_with(options: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["prefill-server", "--listen", "127.0.0.1:0"])
            .args(options)
            .env("MADOGUCHI_LOG", "trace")
            .env_remove("MADOGUCHI_CATALOGUE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("server prints its address");
        let port = first
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        Server { child, port }
    }

    fn request(&self, method: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let request = format!(
            "{method} / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        response
    }

    /// Stops the server by its PID and returns its log.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let output = self.child.wait_with_output().expect("server ends");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let escape = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const NAME: &str = "𠮷田　髙志";
const KANA: &str = "よしだ　たかし";
const ADDRESS: &str = "横浜市中区本町一丁目１番地";
const BIRTH: &str = "1980-05-05";

#[test]
fn the_pages_work_over_http_and_the_log_holds_no_personal_data() {
    let server = Server::start();
    let first = server.request("GET", "");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(first.contains("cache-control: no-store"));
    assert!(first.contains("市役所の手続きを、家で準備できます"));
    // Every event of the catalogue is offered, with the dates it asks for by their names.
    for offered in [
        "value=\"tennyu\"",
        "value=\"shibou\"",
        "おくやみ（死亡）",
        "name=\"ev-shibou-funeral_date\"",
        "value=\"shussei\"",
        "value=\"kekkon\"",
    ] {
        assert!(first.contains(offered), "{offered} not offered: {first}");
    }
    assert!(
        !first.contains("<script"),
        "no script is needed to fill the page in"
    );
    let fields = [
        ("lang", "ja"),
        ("event", "tennyu"),
        ("move_date", "2026-04-01"),
        ("visit_date", "2026-04-03"),
        ("new_address", ADDRESS),
        ("new_postal", "231-0005"),
        ("members", "1"),
        ("m0_name", NAME),
        ("m0_kana", KANA),
        ("m0_birth", BIRTH),
        ("m0_sex", "male"),
        ("m0_relation", "世帯主"),
        ("cert_juminhyo", "1"),
    ];
    let mut household = fields.to_vec();
    household.push(("step", "household"));
    let questions = server.request("POST", &encode(&household));
    assert!(
        questions.contains("name=\"q_"),
        "questions follow the household"
    );
    let mut result = fields.to_vec();
    result.push(("step", "certificates"));
    let page = server.request("POST", &encode(&result));
    assert!(page.contains("<svg"), "the result shows the QR code");
    let mut wrong = fields.to_vec();
    wrong.push(("step", "start"));
    wrong.retain(|(k, _)| *k != "move_date");
    let refused = server.request("POST", &encode(&wrong));
    assert!(
        refused.contains("日付を入れてください"),
        "a missing date is named"
    );
    let mut bad_phone = fields.to_vec();
    bad_phone.extend([("step", "start"), ("phone", "046-822-4000 内線")]);
    let refused = server.request("POST", &encode(&bad_phone));
    assert!(
        refused.contains("電話番号は数字で入力してください"),
        "a phone number that is not one is named beside its field"
    );
    // A typed number is read as the kiosk reads it and goes into the code.
    let mut with_phone = result.clone();
    with_phone.push(("phone", "０４６－８２２－４０００"));
    let page = server.request("POST", &encode(&with_phone));
    assert!(page.contains("<svg"), "the result shows the QR code");

    let log = log::without_timestamps(&server.stop());
    assert!(log.contains("page"), "the server logs its steps: {log}");
    for secret in [
        NAME, "𠮷", "髙志", KANA, ADDRESS, "本町", BIRTH, "1980", "2310005", "231-0005",
    ] {
        assert!(!log.contains(secret), "the log shows {secret}: {log}");
    }
}

#[test]
fn the_result_tells_what_an_age_brings_soon_after_the_move() {
    let server = Server::start();
    let fields = [
        ("lang", "ja"),
        ("event", "tennyu"),
        ("move_date", "2026-04-01"),
        ("visit_date", "2026-04-03"),
        ("new_address", ADDRESS),
        ("members", "1"),
        ("m0_name", NAME),
        ("m0_birth", "1951-04-10"),
        ("m0_sex", "male"),
        ("m0_relation", "世帯主"),
        ("step", "certificates"),
    ];
    let page = server.request("POST", &encode(&fields));
    assert!(
        page.contains("<svg"),
        "the result shows the QR code: {page}"
    );
    assert!(page.contains("これからの節目"), "{page}");
    assert!(
        page.contains("令和8年4月10日") && page.contains("後期高齢者医療の被保険者になります"),
        "75 on 10 April: {page}"
    );
    server.stop();
}

#[test]
fn the_page_speaks_english_when_asked() {
    let server = Server::start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream
        .write_all(b"GET /?lang=en HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut page = String::new();
    stream.read_to_string(&mut page).expect("read");
    assert!(
        page.contains("Prepare your city hall procedures at home"),
        "{page}"
    );
    assert!(page.contains("lang=\"en\""));
    // Switching language keeps what was typed.
    let switched = server.request(
        "POST",
        &encode(&[
            ("lang", "en"),
            ("step", "start"),
            ("action", "lang-ja"),
            ("new_address", "横浜市"),
        ]),
    );
    assert!(
        switched.contains("<html lang=\"ja\"") && switched.contains("value=\"横浜市\""),
        "{switched}"
    );
    // Every translated language is offered by default, each named in itself.
    assert!(
        switched.contains("value=\"lang-ne\" lang=\"ne\" formnovalidate>नेपाली"),
        "{switched}"
    );
    server.stop();
}

/// A city offers the languages it chose, and hides machine drafts when it asks: the page
/// then stays in Japanese for a language it does not offer, and the log says why (never
/// anything typed). A code that is no language is refused before the server starts.
#[test]
fn the_city_chooses_the_pages_languages() {
    let first_page = |server: &Server, query: &str| {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        let request =
            format!("GET /?lang={query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut page = String::new();
        stream.read_to_string(&mut page).expect("read");
        page
    };
    let server = Server::start_with(&["--languages", "vi,ne"]);
    let vietnamese = first_page(&server, "vi");
    assert!(vietnamese.contains("<html lang=\"vi\""), "{vietnamese}");
    assert!(vietnamese.contains("class=\"draft\""), "drafts are marked");
    assert!(!vietnamese.contains("lang-ko"), "Korean is not listed");
    let korean = first_page(&server, "ko");
    assert!(
        korean.contains("<html lang=\"ja\""),
        "not offered: Japanese"
    );
    server.stop();

    let server = Server::start_with(&["--languages", "vi", "--unreviewed", "hide"]);
    let page = first_page(&server, "vi");
    assert!(page.contains("<html lang=\"ja\""), "a draft is hidden");
    assert!(!page.contains("lang-vi"));
    let log = server.stop();
    assert!(
        log.contains("a language is not offered") && log.contains("machine drafts"),
        "{log}"
    );

    let refused = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "prefill-server",
            "--listen",
            "127.0.0.1:0",
            "--languages",
            "vi,xx",
        ])
        .env_remove("MADOGUCHI_CATALOGUE")
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("`xx` is not one of zh-Hans, vi"), "{said}");
}

#[test]
fn going_back_from_the_certificates_offers_the_answers_to_change() {
    let server = Server::start();
    let page = server.request(
        "POST",
        &encode(&[
            ("lang", "ja"),
            ("step", "certificates"),
            ("action", "back"),
            ("event", "tennyu"),
            ("move_date", "2026-04-01"),
            ("visit_date", "2026-04-03"),
            ("members", "1"),
            ("m0_name", "山田 太郎"),
            ("m0_relation", "世帯主"),
            ("q_seal", "no"),
            ("shown", "seal"),
        ]),
    );
    assert!(
        page.contains("name=\"q_seal\" value=\"no\" checked"),
        "{page}"
    );
    server.stop();
}
