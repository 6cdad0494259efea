//! Opening the city's paper form for the form editor: the file is read by `madoguchi forms
//! page` in a child process, which is stopped if it takes longer than [`PAGE_TIMEOUT`] — a PDF
//! from outside may be made to draw slowly or to need much memory, and the desk must not hang
//! or fall with it.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use madoguchi_forms::scan::{MAX_FILE_BYTES, ScannedPage};

/// How long the child may take to draw one page.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The file's bytes, refused unread when it is not a regular file or is larger than a form's
/// page can be.
pub fn read_bounded(file: &Path) -> Result<Vec<u8>> {
    let opened =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let metadata = opened.metadata()?;
    if !metadata.is_file() {
        anyhow::bail!("{} is not a file", file.display());
    }
    let mut bytes = Vec::new();
    opened
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", file.display()))?;
    if bytes.len() > MAX_FILE_BYTES {
        anyhow::bail!(
            "{} is larger than {} MB: give one page, as a PDF or a picture of about 300 dpi",
            file.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    Ok(bytes)
}

/// The page of `file`, drawn by `program forms page` (the `madoguchi` binary) within
/// `timeout`. The error is one line saying what to do.
pub fn open_isolated(
    program: &Path,
    file: &Path,
    timeout: Duration,
) -> Result<ScannedPage, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("一時フォルダを作れません: {e}"))?;
    let out = dir.path().join("page.png");
    let mut child = Command::new(program)
        .args(["forms", "page"])
        .arg(file)
        .arg("--out")
        .arg(&out)
        .env_remove("MADOGUCHI_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("様式を読むプログラムを起動できません: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "様式のファイルを{}秒で読み終えられませんでした。1ページだけのPDFか画像にしてください。",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("様式を読むプログラムが止まりました: {e}")),
        }
    };
    if !status.success() {
        let mut said = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.by_ref().take(4096).read_to_string(&mut said);
        }
        let line = said
            .lines()
            .map(|l| l.trim_start_matches("error: "))
            .find(|l| !l.trim().is_empty())
            .unwrap_or("様式のファイルを読めませんでした。")
            .to_string();
        return Err(line);
    }
    let png = std::fs::read(&out).map_err(|e| format!("読んだページがありません: {e}"))?;
    let grey = image::load_from_memory(&png)
        .map_err(|e| format!("読んだページが壊れています: {e}"))?
        .to_luma8();
    Ok(ScannedPage {
        width: grey.width() as usize,
        height: grey.height() as usize,
        grey: grey.into_raw(),
    })
}
