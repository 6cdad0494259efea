//! The counter's printer, over IPP: the only crate that knows IPP or CUPS.
//!
//! It owns where CUPS listens ([`cups_base`]), whether a printer takes jobs now and why not
//! in words a clerk can act on ([`Cups::readiness`]: stopped, not accepting, paper jam, out of
//! paper, a cover open …), handing a PDF over ([`Cups::submit`]), following a job
//! ([`Cups::job`]) and withdrawing one ([`Cups::cancel`]).
//!
//! Invariants: every request has a timeout (10 s), so a printer that never answers cannot hang
//! the caller; documents are sent, never logged or kept; the job's title is the only text
//! sent besides the document. What is queued and retried, and when a document is wiped, is
//! the store's print queue and the kiosk's spooler, where the store and the printer meet.

pub mod testbed;

use std::time::Duration;

use ipp::operation::IppOperation;
use ipp::prelude::*;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where CUPS listens: `$MADOGUCHI_CUPS` (a URL such as `http://127.0.0.1:631`), else
/// `$CUPS_SERVER` (`host[:port]`, as the CUPS tools read it), else this machine.
pub fn cups_base() -> String {
    if let Ok(url) = std::env::var("MADOGUCHI_CUPS") {
        return url.trim_end_matches('/').to_string();
    }
    match std::env::var("CUPS_SERVER") {
        Ok(server) if !server.starts_with('/') && !server.is_empty() => {
            if server.contains(':') {
                format!("http://{server}")
            } else {
                format!("http://{server}:631")
            }
        }
        _ => "http://localhost:631".to_string(),
    }
}

/// Whether a printer setting is an IPP printer's URI (`ipp://` or `http://`) rather than a
/// CUPS queue's name.
pub fn is_printer_uri(printer: &str) -> bool {
    printer.starts_with("ipp://") || printer.starts_with("http://")
}

/// What a printer says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterReadiness {
    Ready,
    /// Not taking jobs now; the words say why.
    NotReady(String),
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("印刷サービス（CUPS）に接続できません / cannot reach the print service at {0}")]
    Unreachable(String),
    #[error(
        "プリンター「{0}」が見つかりません。設定を確認してください / printer {0} not found: check the printer setting"
    )]
    NoSuchPrinter(String),
    #[error("印刷サービスがエラーを返しました / the print service answered {0}")]
    Refused(String),
}

/// A CUPS server.
#[derive(Clone, Debug)]
pub struct Cups {
    base: String,
}

/// CUPS's view of one job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CupsJob {
    Completed,
    /// Waiting or printing; the words say why it is not done, if CUPS says.
    Busy(Option<String>),
    Aborted(String),
    Canceled,
    /// CUPS no longer knows it (cupsd lost its spool).
    Gone,
}

impl Cups {
    pub fn new(base: impl Into<String>) -> Cups {
        Cups { base: base.into() }
    }

    pub fn from_env() -> Cups {
        Cups::new(cups_base())
    }

    /// A CUPS queue's URI on this server, or the printer's own when `printer` is one
    /// (`ipp://192.0.2.10/ipp/print`: an IPP Everywhere printer, spoken to directly).
    fn printer_uri(&self, printer: &str) -> Result<Uri, PrintError> {
        let uri = if is_printer_uri(printer) {
            printer.to_string()
        } else {
            format!("{}/printers/{printer}", self.base)
        };
        uri.parse()
            .map_err(|_| PrintError::NoSuchPrinter(printer.to_string()))
    }

    fn send(
        &self,
        uri: &Uri,
        request: IppRequestResponse,
    ) -> Result<IppRequestResponse, PrintError> {
        let client = IppClient::builder(uri.clone())
            .request_timeout(REQUEST_TIMEOUT)
            .build();
        client.send(request).map_err(|e| match e {
            IppError::StatusError(status) => PrintError::Refused(format!("{status:?}")),
            _ => PrintError::Unreachable(self.base.clone()),
        })
    }

    /// Whether `printer` takes jobs now.
    pub fn readiness(&self, printer: &str) -> Result<PrinterReadiness, PrintError> {
        let uri = self.printer_uri(printer)?;
        let operation = IppOperationBuilder::get_printer_attributes(uri.clone())
            .attributes([
                "printer-state",
                "printer-state-reasons",
                "printer-state-message",
                "printer-is-accepting-jobs",
            ])
            .build()
            .map_err(|e| PrintError::Refused(e.to_string()))?;
        let response = self.send(&uri, operation.into_ipp_request())?;
        printer_answered(&response, printer)?;
        let attrs = response.attributes();
        let state = find(attrs, DelimiterTag::PrinterAttributes, "printer-state");
        let accepting = find(
            attrs,
            DelimiterTag::PrinterAttributes,
            "printer-is-accepting-jobs",
        );
        let reasons = keywords(find(
            attrs,
            DelimiterTag::PrinterAttributes,
            "printer-state-reasons",
        ));
        let message = find(
            attrs,
            DelimiterTag::PrinterAttributes,
            "printer-state-message",
        )
        .map(|v| v.to_string())
        .filter(|m| !m.trim().is_empty());
        let stopped = matches!(state, Some(IppValue::Enum(5)));
        let refusing = matches!(accepting, Some(IppValue::Boolean(false)));
        if stopped || refusing {
            let mut why = if refusing {
                "プリンターが受付を停止しています / the printer is not accepting jobs".to_string()
            } else {
                "プリンターが停止しています / the printer is stopped".to_string()
            };
            if let Some(detail) = describe(&reasons).or(message) {
                why.push_str(&format!("（{detail}）"));
            }
            return Ok(PrinterReadiness::NotReady(why));
        }
        Ok(PrinterReadiness::Ready)
    }

    /// Hands a PDF to CUPS; returns its job id. A title longer than IPP allows is cut (see
    /// [`job_name`]): a packet of many forms still prints.
    pub fn submit(&self, printer: &str, title: &str, pdf: Vec<u8>) -> Result<i32, PrintError> {
        let uri = self.printer_uri(printer)?;
        let operation =
            IppOperationBuilder::print_job(uri.clone(), IppPayload::new(std::io::Cursor::new(pdf)))
                .user_name("madoguchi")
                .job_title(job_name(title))
                .document_format("application/pdf")
                .build()
                .map_err(|e| PrintError::Refused(e.to_string()))?;
        let response = self.send(&uri, operation.into_ipp_request())?;
        printer_answered(&response, printer)?;
        match find(response.attributes(), DelimiterTag::JobAttributes, "job-id") {
            Some(IppValue::Integer(id)) => Ok(*id),
            _ => Err(PrintError::Refused("no job-id".into())),
        }
    }

    /// Withdraws a job CUPS accepted (a case abandoned while its packet waited). A job that
    /// is already gone or finished is not an error.
    pub fn cancel(&self, printer: &str, job: i32) -> Result<(), PrintError> {
        let uri = self.printer_uri(printer)?;
        let operation = IppOperationBuilder::cancel_job(uri.clone(), job)
            .build()
            .map_err(|e| PrintError::Refused(e.to_string()))?;
        let response = self.send(&uri, operation.into_ipp_request())?;
        match response.header().status_code() {
            status if status.is_success() => Ok(()),
            StatusCode::ClientErrorNotFound | StatusCode::ClientErrorNotPossible => Ok(()),
            status => Err(PrintError::Refused(format!("{status:?}"))),
        }
    }

    /// CUPS's state of a job it accepted.
    pub fn job(&self, printer: &str, job: i32) -> Result<CupsJob, PrintError> {
        let uri = self.printer_uri(printer)?;
        let operation = IppOperationBuilder::get_job_attributes(uri.clone(), job)
            .build()
            .map_err(|e| PrintError::Refused(e.to_string()))?;
        let response = self.send(&uri, operation.into_ipp_request())?;
        match response.header().status_code() {
            status if status.is_success() => {}
            StatusCode::ClientErrorNotFound => return Ok(CupsJob::Gone),
            status => return Err(PrintError::Refused(format!("{status:?}"))),
        }
        let attrs = response.attributes();
        let reasons = keywords(find(
            attrs,
            DelimiterTag::JobAttributes,
            "job-state-reasons",
        ));
        let state = match find(attrs, DelimiterTag::JobAttributes, "job-state") {
            Some(IppValue::Enum(state)) => *state,
            _ => return Ok(CupsJob::Busy(None)),
        };
        Ok(match state {
            9 => CupsJob::Completed,
            7 => CupsJob::Canceled,
            8 => CupsJob::Aborted(describe(&reasons).unwrap_or_else(|| reasons.join(", "))),
            // 3 pending, 4 held, 5 processing, 6 processing-stopped
            _ => CupsJob::Busy(describe(&reasons)),
        })
    }
}

/// An IPP answer about `printer` that is not a success is an error: not found, or refused.
fn printer_answered(response: &IppRequestResponse, printer: &str) -> Result<(), PrintError> {
    match response.header().status_code() {
        status if status.is_success() => Ok(()),
        StatusCode::ClientErrorNotFound => Err(PrintError::NoSuchPrinter(printer.to_string())),
        status => Err(PrintError::Refused(format!("{status:?}"))),
    }
}

fn find<'a>(attrs: &'a IppAttributes, tag: DelimiterTag, name: &str) -> Option<&'a IppValue> {
    attrs
        .groups_of(tag)
        .find_map(|group| {
            group
                .attributes()
                .iter()
                .find(|a| a.name().as_str() == name)
        })
        .map(|a| a.value())
}

fn keywords(value: Option<&IppValue>) -> Vec<String> {
    match value {
        Some(IppValue::Array(values)) => values.iter().map(|v| v.to_string()).collect(),
        Some(value) => vec![value.to_string()],
        None => Vec::new(),
    }
}

/// The state reasons a clerk can act on, in words.
fn describe(reasons: &[String]) -> Option<String> {
    let words: Vec<&str> = reasons
        .iter()
        .filter_map(|reason| {
            let reason = reason
                .trim_end_matches("-error")
                .trim_end_matches("-warning")
                .trim_end_matches("-report");
            Some(match reason {
                "media-jam" => "紙づまり / paper jam",
                "media-empty" | "media-needed" => "用紙切れ / out of paper",
                "toner-empty" | "marker-supply-empty" => "トナー切れ / out of toner",
                "door-open" | "cover-open" => "カバーが開いています / a cover is open",
                "offline" | "connecting-to-device" => {
                    "プリンターに接続できません / printer offline"
                }
                "paused" => "一時停止中 / paused",
                "job-hold-until-specified" => "保留中 / held",
                _ => return None,
            })
        })
        .collect();
    (!words.is_empty()).then(|| words.join("、"))
}

/// IPP's `name` values hold at most 255 octets (RFC 8011 §5.1.3): CUPS refuses a longer
/// job-name, and the job would wait forever. The title is cut at a character boundary with
/// 「…」 to fit.
pub fn job_name(title: &str) -> String {
    const MAX_OCTETS: usize = 255;
    if title.len() <= MAX_OCTETS {
        return title.to_string();
    }
    let ellipsis = "…";
    let mut end = MAX_OCTETS - ellipsis.len();
    while !title.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &title[..end])
}

#[cfg(test)]
mod tests {
    use super::job_name;

    #[test]
    fn a_long_title_is_cut_to_what_ipp_carries_at_a_character() {
        let short = "窓口案内シート・住民異動届";
        assert_eq!(job_name(short), short);
        let long = "窓口案内シート・".to_string()
            + &"個人番号カード 継続利用・券面記載事項変更届・".repeat(6);
        let cut = job_name(&long);
        assert!(cut.len() <= 255, "{} octets", cut.len());
        assert!(cut.ends_with('…'));
        assert!(long.starts_with(cut.trim_end_matches('…')));
    }
}
