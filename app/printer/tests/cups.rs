//! The printer crate against a real cupsd with a PDF-writing queue (cups-pdf): a job is
//! submitted and followed to completion, a stopped queue says why in words, a missing printer
//! and an unreachable CUPS are their own errors, and a withdrawn job is gone. Needs root, like
//! the backend (CI runs as root).

use std::time::{Duration, Instant};

use madoguchi_printer::testbed::TestCups;
use madoguchi_printer::{Cups, CupsJob, PrintError, PrinterReadiness};

/// A one-page PDF written by hand, with a correct cross-reference table.
fn one_page_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 18 >>\nstream\n0 0 m 100 100 l S\nendstream",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn wait_for(cups: &Cups, printer: &str, job: i32, wanted: fn(&CupsJob) -> bool) -> CupsJob {
    let started = Instant::now();
    loop {
        let state = cups.job(printer, job).expect("job state");
        if wanted(&state) || started.elapsed() > Duration::from_secs(60) {
            return state;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_job_prints_and_a_stopped_printer_says_why() {
    let server = TestCups::start("printer-crate");
    let cups = Cups::new(server.url());
    assert_eq!(
        cups.readiness(&server.queue).expect("readiness"),
        PrinterReadiness::Ready
    );

    let job = cups
        .submit(&server.queue, "madoguchi test", one_page_pdf())
        .expect("submitted");
    let state = wait_for(&cups, &server.queue, job, |s| {
        matches!(s, CupsJob::Completed | CupsJob::Aborted(_))
    });
    assert_eq!(state, CupsJob::Completed);
    assert_eq!(server.printed().len(), 1, "cups-pdf wrote the page");

    server.stop_queue();
    match cups.readiness(&server.queue).expect("readiness") {
        PrinterReadiness::NotReady(why) => {
            assert!(why.contains("停止"), "{why}");
            assert!(why.contains("stopped"), "{why}");
        }
        ready => panic!("a stopped queue is not ready: {ready:?}"),
    }
    // A job accepted while the queue is stopped waits, and can be withdrawn.
    let waiting = cups
        .submit(&server.queue, "withdrawn", one_page_pdf())
        .expect("accepted while stopped");
    assert!(matches!(
        cups.job(&server.queue, waiting).expect("state"),
        CupsJob::Busy(_)
    ));
    cups.cancel(&server.queue, waiting).expect("cancelled");
    let state = wait_for(&cups, &server.queue, waiting, |s| {
        matches!(s, CupsJob::Canceled | CupsJob::Gone)
    });
    assert!(
        matches!(state, CupsJob::Canceled | CupsJob::Gone),
        "{state:?}"
    );
    cups.cancel(&server.queue, waiting)
        .expect("withdrawing twice is not an error");

    assert!(matches!(
        cups.readiness("no-such-printer"),
        Err(PrintError::NoSuchPrinter(name)) if name == "no-such-printer"
    ));
}

#[test]
fn an_unreachable_print_service_is_named() {
    // Port 9 (discard) has no CUPS behind it.
    let cups = Cups::new("http://127.0.0.1:9");
    assert!(matches!(
        cups.readiness("any"),
        Err(PrintError::Unreachable(base)) if base == "http://127.0.0.1:9"
    ));
}
