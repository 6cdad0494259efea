//! `madoguchi qr encode|decode`: the pre-fill QR format (docs/qr-format.md) from the command
//! line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use madoguchi_domain::Case;
use madoguchi_prefill::{Prefill, PrefillError, render, scan};
use serde::Serialize;

/// Today on the kiosk's clock (the kiosk runs in the city's time zone).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn prefill_failure(error: &PrefillError) -> ExitCode {
    eprintln!("error[{}]: {}", error.code(), error.message_ja());
    eprintln!("{}", error.message_en());
    ExitCode::FAILURE
}

fn read_case(path: &Path) -> Result<Case> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).context("reading the case from stdin")?
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    let case: Case = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a case (docs/case.md)", path.display()))?;
    case.validate()
        .with_context(|| format!("{} cannot be encoded", path.display()))?;
    Ok(case)
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
    let case = read_case(case)?;
    let issued = issued.unwrap_or_else(today);
    let prefill = Prefill {
        issued,
        expires: issued + chrono::Days::new(u64::from(valid_days)),
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
        std::fs::write(out, symbols.join("\n") + "\n")
            .with_context(|| format!("writing {}", out.display()))?;
    }
    for (index, symbol) in symbols.iter().enumerate() {
        let path = part_path(out, index, symbols.len());
        match extension.as_str() {
            "png" => std::fs::write(&path, render::png(symbol, 8)?),
            "svg" => std::fs::write(&path, render::svg(symbol, 400)?),
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

/// Symbol texts from files: images are scanned; `.txt` files hold one symbol per line, as a
/// scanner types them.
fn symbols_from_files(files: &[PathBuf]) -> Result<Vec<String>> {
    let mut symbols = Vec::new();
    for file in files {
        let is_text = file
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("txt"));
        if is_text {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            symbols.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(String::from),
            );
        } else {
            let found = scan::symbols_in_file(file)?;
            if found.is_empty() {
                eprintln!(
                    "{}: no QR code found / QRコードが見つかりません",
                    file.display()
                );
            }
            symbols.extend(found);
        }
    }
    Ok(symbols)
}

pub fn decode(
    files: &[PathBuf],
    texts: &[String],
    today_override: Option<NaiveDate>,
) -> Result<ExitCode> {
    let mut symbols = symbols_from_files(files)?;
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
