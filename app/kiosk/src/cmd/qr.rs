//! `madoguchi qr encode|decode`: the pre-fill QR format (docs/qr-format.md) from the command
//! line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::output::write_private;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use madoguchi_domain::Case;
use madoguchi_prefill::{Prefill, PrefillError, render, scan};
use serde::Serialize;

/// Today on the kiosk's clock (the kiosk runs in the city's time zone).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// One line: the code, then the message in Japanese and in English.
fn prefill_failure(error: &PrefillError) -> ExitCode {
    super::coded_failure(error.code(), error.message_ja(), error.message_en())
}

/// The file for symbol `index` of `count`: `qr.png`, or `qr-1.png`, `qr-2.png`… for parts.
fn part_path(out: &Path, index: usize, count: usize) -> PathBuf {
    if count == 1 {
        return out.to_path_buf();
    }
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let name = match out.extension() {
        Some(ext) => format!("{stem}-{}.{}", index + 1, ext.to_string_lossy()),
        None => format!("{stem}-{}", index + 1),
    };
    out.with_file_name(name)
}

pub fn encode(
    case: &Path,
    out: &Path,
    issued: Option<NaiveDate>,
    valid_days: u32,
) -> Result<ExitCode> {
    let case = crate::cmd::input::read_case(case)?;
    let issued = issued.unwrap_or_else(today);
    let expires = issued
        .checked_add_days(chrono::Days::new(u64::from(valid_days)))
        .context("the last valid day falls outside the calendar")?;
    let prefill = Prefill {
        issued,
        expires,
        case,
    };
    let symbols = match madoguchi_prefill::encode(&prefill) {
        Ok(symbols) => symbols,
        Err(error) => return Ok(prefill_failure(&error)),
    };
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if extension == "txt" {
        // Scanner text: one symbol per line, as a 2D scanner would type them.
        write_private(out, (symbols.join("\n") + "\n").as_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
    }
    for (index, symbol) in symbols.iter().enumerate() {
        let path = part_path(out, index, symbols.len());
        match extension.as_str() {
            "png" => write_private(&path, &render::png(symbol, 8)?),
            "svg" => write_private(&path, render::svg(symbol, 400)?.as_bytes()),
            "txt" => Ok(()),
            _ => bail!("--out must end in .png, .svg or .txt"),
        }
        .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "symbol {} of {}: {} characters, QR version {} at ECC M{}",
            index + 1,
            symbols.len(),
            symbol.len(),
            render::qr_version(symbol).unwrap_or(0),
            if extension == "txt" {
                String::new()
            } else {
                format!(" → {}", path.display())
            }
        );
    }
    eprintln!("valid until {} (inclusive)", prefill.expires);
    Ok(ExitCode::SUCCESS)
}

/// What `qr decode` prints.
#[derive(Serialize)]
struct Decoded<'a> {
    issued: NaiveDate,
    expires: NaiveDate,
    /// Symbols given (decode); unknown for a stream of frames (scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    symbols: Option<usize>,
    case: &'a Case,
}

/// The largest file of scanner lines read: four symbols of the largest QR version are 17 KB.
const MAX_SCANNER_FILE_BYTES: usize = 64 * 1024;

/// Symbol texts from files: images are scanned; `.txt` files hold one symbol per line, as a
/// scanner types them.
/// Files in which no code was found are named: in the one error line when nothing was read at
/// all, as a note when other files gave parts.
fn symbols_from_files(files: &[PathBuf], nothing_else: bool) -> Result<Vec<String>> {
    let mut symbols = Vec::new();
    let mut empty: Vec<String> = Vec::new();
    for file in files {
        let is_text = file
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("txt"));
        if is_text {
            let bytes =
                crate::cmd::input::read_bounded(file, MAX_SCANNER_FILE_BYTES, "scanner text")?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", file.display()))?;
            symbols.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(String::from),
            );
        } else {
            let found = scan::symbols_in_file(file)?;
            if found.is_empty() {
                empty.push(file.display().to_string());
            }
            symbols.extend(found);
        }
    }
    if nothing_else && symbols.is_empty() && !empty.is_empty() {
        bail!(
            "{}: QRコードが見つかりません / no QR code found",
            empty.join(", ")
        );
    }
    for file in empty {
        eprintln!("{file}: QRコードが見つかりません / no QR code found");
    }
    Ok(symbols)
}

pub fn decode(
    files: &[PathBuf],
    texts: &[String],
    today_override: Option<NaiveDate>,
) -> Result<ExitCode> {
    let mut symbols = symbols_from_files(files, texts.is_empty())?;
    symbols.extend(texts.iter().cloned());
    let today = today_override.unwrap_or_else(today);
    match madoguchi_prefill::decode(&symbols, today) {
        Ok(prefill) => {
            let decoded = Decoded {
                issued: prefill.issued,
                expires: prefill.expires,
                symbols: Some(symbols.len()),
                case: &prefill.case,
            };
            println!("{}", serde_json::to_string_pretty(&decoded)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(prefill_failure(&error)),
    }
}

/// `qr scan`: read a code from a stream of frames, as the kiosk's camera does.
pub fn scan(
    frames: &[PathBuf],
    camera: Option<&str>,
    timeout_s: u64,
    today_override: Option<NaiveDate>,
) -> Result<ExitCode> {
    use madoguchi_prefill::camera::{FrameSource, ImageSequence, ReadError, read_code};

    let mut source: Box<dyn FrameSource> = match camera {
        None => Box::new(ImageSequence::new(frames.to_vec())),
        Some(pipeline) => open_camera(pipeline)?,
    };
    let today = today_override.unwrap_or_else(today);
    match read_code(
        source.as_mut(),
        today,
        std::time::Duration::from_secs(timeout_s),
    ) {
        Ok(prefill) => {
            let decoded = Decoded {
                issued: prefill.issued,
                expires: prefill.expires,
                symbols: None,
                case: &prefill.case,
            };
            println!("{}", serde_json::to_string_pretty(&decoded)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(ReadError::Code(error)) => Ok(prefill_failure(&error)),
        Err(error) => {
            eprintln!("error: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(feature = "camera")]
fn open_camera(pipeline: &str) -> Result<Box<dyn madoguchi_prefill::camera::FrameSource>> {
    let pipeline = if pipeline.is_empty() {
        madoguchi_prefill::camera::DEFAULT_PIPELINE
    } else {
        pipeline
    };
    Ok(Box::new(madoguchi_prefill::camera::GstCamera::open(
        pipeline,
    )?))
}

#[cfg(not(feature = "camera"))]
fn open_camera(_pipeline: &str) -> Result<Box<dyn madoguchi_prefill::camera::FrameSource>> {
    bail!("this build has no camera support: build with `--features camera` (needs GStreamer)")
}
