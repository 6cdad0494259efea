//! Printing against a real cupsd with a PDF-writing queue (cups-pdf): a packet made by
//! `madoguchi forms render --print` comes out of the printer; with the queue stopped the job
//! waits in our queue, survives a restart of our process and prints once the queue is started;
//! a missing printer or an unreachable CUPS keeps the job and says why.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use madoguchi_printer::testbed::TestCups;

const SAMPLE: &str = "../../docs/examples/family-of-four.json";

fn madoguchi(dir: &Path, cups_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
    command
        .env("MADOGUCHI_DB", dir.join("madoguchi.sqlite3"))
        .env("MADOGUCHI_STORE_KEY_FILE", dir.join("store.key"))
        .env("MADOGUCHI_CUPS", cups_url)
        .env_remove("MADOGUCHI_STORE_KEY")
        .env_remove("MADOGUCHI_PRINTER")
        .env_remove("MADOGUCHI_LOG");
    command
}

fn run(dir: &Path, cups_url: &str, args: &[&str]) -> Output {
    madoguchi(dir, cups_url).args(args).output().expect("runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Queues `pdf` for `printer`, follows it for a second, and expects it still waiting (exit 3)
/// with `reason` in what it says.
fn expect_waiting(dir: &Path, url: &str, pdf: &str, printer: &str, reason: &str) {
    let output = run(
        dir,
        url,
        &["print", "file", pdf, "--printer", printer, "--wait", "1"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(text(&output).contains(reason), "{}", text(&output));
}

fn pages(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse().expect("number"))
        })
        .expect("a page count")
}

fn wait_for_printed(cups: &TestCups, count: usize) -> Vec<std::path::PathBuf> {
    let started = Instant::now();
    loop {
        let printed = cups.printed();
        if printed.len() >= count || started.elapsed() > Duration::from_secs(60) {
            return printed;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn packets_print_and_wait_out_a_stopped_printer_across_restarts() {
    let cups = TestCups::start("print");
    let dir = tempfile::tempdir().expect("dir");
    let url = cups.url();
    let packet = dir.path().join("packet.pdf");
    let packet_arg = packet.to_str().expect("utf-8 path");

    // 1. A packet rendered and printed in one go comes out of the printer, every page.
    let done = run(
        dir.path(),
        &url,
        &[
            "forms",
            "render",
            "--case",
            SAMPLE,
            "--out",
            packet_arg,
            "--print",
            &cups.queue,
            "--wait",
            "90",
        ],
    );
    assert!(done.status.success(), "{}", text(&done));
    let printed = wait_for_printed(&cups, 1);
    assert_eq!(printed.len(), 1, "{}", text(&done));
    assert_eq!(pages(&printed[0]), pages(&packet));

    // 2. The queue is stopped: the job waits in our queue, with the reason, and nothing prints.
    cups.stop_queue();
    let waiting = run(
        dir.path(),
        &url,
        &[
            "print",
            "file",
            packet_arg,
            "--printer",
            &cups.queue,
            "--wait",
            "2",
        ],
    );
    assert_eq!(waiting.status.code(), Some(3), "{}", text(&waiting));
    assert!(text(&waiting).contains("停止"), "{}", text(&waiting));
    let queue = run(dir.path(), &url, &["print", "queue", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&queue.stdout).expect("JSON");
    let newest = &jobs[0];
    assert_eq!(newest["state"], "queued", "{jobs:#}");
    assert!(
        newest["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("停止"))
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        cups.printed().len(),
        1,
        "nothing may print while the queue is stopped"
    );

    // 3. A new process (the kiosk restarted) finds the job and prints it once the queue runs.
    let still = run(dir.path(), &url, &["print", "resume", "--wait", "1"]);
    assert_eq!(still.status.code(), Some(3), "{}", text(&still));
    cups.start_queue();
    let resumed = run(dir.path(), &url, &["print", "resume", "--wait", "90"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    let printed = wait_for_printed(&cups, 2);
    assert_eq!(printed.len(), 2);
    let queue = run(dir.path(), &url, &["print", "queue", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&queue.stdout).expect("JSON");
    assert!(
        jobs.as_array()
            .expect("list")
            .iter()
            .all(|j| j["state"] == "done"),
        "{jobs:#}"
    );
    let info = run(dir.path(), &url, &["store", "info", "--json"]);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).expect("JSON");
    assert_eq!(info["print_jobs_waiting"], 0);

    // 4. A printer that does not exist: the job is kept and the message says what to check.
    expect_waiting(
        dir.path(),
        &url,
        packet_arg,
        "no-such-printer",
        "見つかりません",
    );
}

#[test]
fn an_unreachable_print_service_keeps_the_job_and_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    // Nothing listens on that port now.
    let url = format!("http://127.0.0.1:{port}");
    let pdf = dir.path().join("one.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").expect("write");
    expect_waiting(
        dir.path(),
        &url,
        pdf.to_str().expect("utf-8"),
        "counter",
        "接続できません",
    );
    let queue = run(dir.path(), &url, &["print", "queue", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&queue.stdout).expect("JSON");
    assert_eq!(jobs[0]["state"], "queued");
}
