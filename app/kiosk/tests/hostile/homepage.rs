//! The residents' home page (`madoguchi prefill-server`) against hostile requests over real
//! TCP: oversized and unknown fields, answers that are not the page's, slow and half-open
//! connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Madoguchi, Section};

struct Server {
    child: Child,
    address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(madoguchi: &Madoguchi) -> Server {
    let mut child = madoguchi
        .command(&["prefill-server", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, address }
}

/// Sends `request` and reads the whole answer (the server closes after it).
fn exchange(address: SocketAddr, request: &[u8]) -> Result<String, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    // The server may answer (413) before the whole body is sent.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    if answer.is_empty() {
        return Err("no answer".into());
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn post(address: SocketAddr, body: &str) -> Result<String, String> {
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(address, request.as_bytes())
}

/// A filled form at `step`, plus `extra` fields.
fn form(step: &str, extra: &str) -> String {
    format!(
        "lang=ja&step={step}&action=next&event=tennyu&move_date=2026-04-01&visit_date=2026-04-03&members=1&m0_name=%E7%AA%93%E5%8F%A3&m0_relation=head&m0_birth=1990-05-01{extra}"
    )
}

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// The answer is a page (2xx) or a refusal (4xx), never a server error.
fn answered(answer: Result<String, String>) -> Result<String, String> {
    let answer = answer?;
    match status(&answer) {
        200..=299 | 400..=499 => Ok(answer),
        other => Err(format!("status {other}")),
    }
}

/// One hostile request: what it found wrong, if anything.
type Request = Box<dyn Fn() -> Option<String>>;

pub fn routes(madoguchi: &Madoguchi) -> Section {
    let mut section = Section::new("home page routes (prefill-server over TCP)");
    let server = start(madoguchi);
    let at = server.address;
    let big = "a".repeat(100 * 1024);
    let many: String = (0..10_000).map(|i| format!("&x{i}=1")).collect();
    let many_questions: String = (0..2_000).map(|i| format!("&q_q{i}=yes")).collect();
    let cases: Vec<(&str, Request)> = vec![
        (
            "a 100 KB body",
            Box::new(
                move || match answered(post(at, &format!("m0_name={big}"))) {
                    Ok(a) if status(&a) == 413 => None,
                    other => Some(format!("not refused as too large: {other:.80?}")),
                },
            ),
        ),
        (
            "an unknown field is not echoed",
            Box::new(move || {
                let answer = answered(post(at, &form("start", "&evil_field=%3Cscript%3E")));
                match answer {
                    Ok(a) if !a.contains("evil_field") && !a.contains("<script>") => None,
                    other => Some(format!("echoed: {other:.80?}")),
                }
            }),
        ),
        (
            "an answer that is not an option",
            Box::new(move || {
                match answered(post(at, &form("certificates", "&q_dog_or_moped=maybe"))) {
                    Ok(a) if a.contains("読み取れない回答") && !a.contains("多すぎる") => {
                        None
                    }
                    other => Some(format!("unclear: {other:.200?}")),
                }
            }),
        ),
        (
            "a 300-character name",
            Box::new(move || {
                let long = "%E5%90%8D".repeat(300);
                match answered(post(at, &form("household", &format!("&m0_name={long}")))) {
                    Ok(a) if a.contains("長すぎます") => None,
                    other => Some(format!("not refused: {other:.120?}")),
                }
            }),
        ),
        (
            "a name with a line break",
            Box::new(move || answered(post(at, &form("certificates", "&m0_name=a%0Ab"))).err()),
        ),
        (
            "moving in 262142-12-31",
            Box::new(move || answered(post(at, &form("start", "&move_date=262142-12-31"))).err()),
        ),
        (
            "a death whose date is 262142-12-31 and whose subject is member 10^20",
            Box::new(move || {
                let death = "&event=shibou&ev-shibou=262142-12-31&ev-shibou-funeral_date=x&subject=100000000000000000000&members=2&m1_name=x";
                answered(post(at, &form("certificates", death))).err()
            }),
        ),
        (
            "a death whose subject is the person at the counter",
            Box::new(move || {
                let death = "&event=shibou&ev-shibou=2026-03-25&subject=0";
                // Refused: no code is made for it.
                match answered(post(at, &form("certificates", death))) {
                    Ok(a) if !a.contains("QRコードができました") => None,
                    other => Some(format!("a code was made: {other:.200?}")),
                }
            }),
        ),
        (
            "dates of an event the catalogue does not have",
            Box::new(move || {
                let unknown = "&event=sozoku&ev-sozoku=2026-03-25&ev-sozoku-x=2026-03-26";
                match answered(post(at, &form("start", unknown))) {
                    Ok(a) if a.contains("どの手続きか選んでください") => None,
                    other => Some(format!("not refused plainly: {other:.200?}")),
                }
            }),
        ),
        (
            "a language that is not a language: the page stays in Japanese",
            Box::new(move || {
                match answered(post(
                    at,
                    &form("start", "&lang=%3Cscript%3Ealert(1)%3C/script%3E"),
                )) {
                    Ok(a) if a.contains("<html lang=\"ja\"") && !a.contains("<script>") => None,
                    other => Some(format!("not Japanese: {other:.200?}")),
                }
            }),
        ),
        (
            "a language button naming 50,000 characters",
            Box::new(move || {
                let body = format!("action=lang-{}&lang=vi&step=start", "x".repeat(50_000));
                match answered(post(at, &body)) {
                    Ok(a) if a.contains("<html lang=\"ja\"") && !a.contains("xxxxxxxx") => None,
                    other => Some(format!("not Japanese: {other:.200?}")),
                }
            }),
        ),
        (
            "1,000 members",
            Box::new(move || answered(post(at, &form("household", "&members=1000"))).err()),
        ),
        (
            "member 999",
            Box::new(move || answered(post(at, &form("household", "&m999_name=x"))).err()),
        ),
        (
            "10,000 fields",
            Box::new(move || answered(post(at, &form("start", &many))).err()),
        ),
        (
            "2,000 answers",
            Box::new(move || answered(post(at, &form("certificates", &many_questions))).err()),
        ),
        (
            "bytes that are not UTF-8",
            Box::new(move || answered(post(at, "m0_name=%FF%FE&step=household")).err()),
        ),
        (
            "an empty post",
            Box::new(move || answered(post(at, "")).err()),
        ),
        (
            "an unknown step",
            Box::new(move || {
                answered(post(
                    at,
                    "step=..%2F..%2Fetc&action=remove_99999999999999999999",
                ))
                .err()
            }),
        ),
        (
            "a script in the language",
            Box::new(move || {
                match answered(exchange(at, b"GET /?lang=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
                    Ok(a) if !a.contains("<script>alert") => None,
                    other => Some(format!("{other:.80?}")),
                }
            }),
        ),
        (
            "PUT",
            Box::new(move || {
                answered(exchange(
                    at,
                    b"PUT / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                ))
                .err()
            }),
        ),
        (
            "a 100 KB header",
            Box::new(move || {
                let request = format!(
                    "GET / HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\nConnection: close\r\n\r\n",
                    "a".repeat(100 * 1024)
                );
                // Refused (431), or the connection closed: either way, not answered as a page.
                match exchange(at, request.as_bytes()) {
                    Ok(a) if status(&a) == 200 => Some("a 100 KB header was accepted".into()),
                    _ => None,
                }
            }),
        ),
        (
            "HTTP/1.0 without a host",
            Box::new(move || answered(exchange(at, b"GET / HTTP/1.0\r\n\r\n")).err()),
        ),
        (
            "not HTTP",
            Box::new(
                move || match exchange(at, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03") {
                    Ok(a) if status(&a) >= 500 => Some(format!("{a:.80}")),
                    _ => None,
                },
            ),
        ),
        (
            "headers that never end",
            Box::new(move || {
                let started = Instant::now();
                let Ok(mut stream) = TcpStream::connect(at) else {
                    return Some("cannot connect".into());
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(40)));
                let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
                let mut rest = Vec::new();
                let _ = stream.read_to_end(&mut rest);
                let took = started.elapsed();
                (took >= Duration::from_secs(35))
                    .then(|| format!("still open after {} s", took.as_secs()))
            }),
        ),
        (
            "300 idle connections, then a visitor",
            Box::new(move || {
                let idle: Vec<_> = (0..300)
                    .filter_map(|_| TcpStream::connect(at).ok())
                    .collect();
                let answer = answered(exchange(
                    at,
                    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                ));
                drop(idle);
                answer.err()
            }),
        ),
    ];
    for (name, case) in cases {
        section.check(name, case());
    }
    let mut server = server;
    section.check(
        "the server is still running",
        match server.child.try_wait() {
            Ok(None) => None,
            other => Some(format!("it ended: {other:?}")),
        },
    );
    section
}
