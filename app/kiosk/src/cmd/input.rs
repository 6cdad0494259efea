//! What the command line reads from outside: case files, dates and other bounded input.
//!
//! Every file is read through [`read_bounded`], which stops at a stated size instead of
//! reading a mistaken `/dev/zero` or a log file to the end; every date given as an argument
//! goes through [`day`], which holds it to the window of `madoguchi_domain::limits`.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use madoguchi_domain::{Case, limits};

/// Reads at most `max` bytes from `path` (`-` is standard input); more is an error that says
/// what the limit is.
pub fn read_bounded(path: &Path, max: usize, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    if path == Path::new("-") {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what} from standard input"))?;
    } else {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot read {what} {}", path.display()))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            bail!("{} is a folder; give {what} file", path.display());
        }
        file.take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what} {}", path.display()))?;
    }
    if bytes.len() > max {
        bail!(
            "{} is larger than {max} bytes, more than {what} can be; check the file",
            shown(path)
        );
    }
    Ok(bytes)
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// A case JSON file (`docs/case.md`), or `-` for standard input: bounded, strict and
/// validated.
pub fn read_case(path: &Path) -> Result<Case> {
    let bytes = read_bounded(path, limits::MAX_CASE_JSON_BYTES, "a case")?;
    Case::from_json(&bytes).with_context(|| format!("{} cannot be used", shown(path)))
}

/// A date argument (`YYYY-MM-DD`) inside the window cases may name: clap's value parser for
/// every date the command line takes.
pub fn day(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: write YYYY-MM-DD"))?;
    if limits::date_in_window(date) {
        Ok(date)
    } else {
        Err(format!(
            "{date} is outside the dates Madoguchi handles ({} to {})",
            limits::FIRST_DAY,
            limits::LAST_DAY
        ))
    }
}

/// Any language of the counter, by its code (`ja`, `easy`, `en`, `vi`, …).
pub fn language(text: &str) -> Result<madoguchi_domain::Language, String> {
    madoguchi_domain::Language::from_code(text.trim()).ok_or_else(|| {
        let codes: Vec<&str> = madoguchi_domain::Language::ALL
            .iter()
            .map(|l| l.code())
            .collect();
        format!("`{text}` is not a language: one of {}", codes.join(", "))
    })
}

/// A language translated in text tables, by its code (`vi`, `zh-Hans`, …).
pub fn translated_language(text: &str) -> Result<madoguchi_domain::Language, String> {
    madoguchi_domain::Language::from_code(text.trim())
        .filter(|l| l.is_translated())
        .ok_or_else(|| {
            let codes: Vec<&str> = madoguchi_domain::Language::TRANSLATED
                .iter()
                .map(|l| l.code())
                .collect();
            format!(
                "`{text}` is not a translated language: one of {}",
                codes.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_the_window_are_refused() {
        assert!(day("2026-11-30").is_ok());
        assert!(day("262142-12-31").is_err());
        assert!(day("1867-12-31").is_err());
        assert!(day("-0001-01-01").is_err());
        assert!(day("2026-02-30").is_err());
    }

    #[test]
    fn a_file_over_the_limit_is_refused_without_reading_it_all() {
        let error = read_bounded(Path::new("/dev/zero"), 1000, "a case").expect_err("too big");
        assert!(
            error.to_string().contains("larger than 1000 bytes"),
            "{error}"
        );
        let dir = tempfile::tempdir().expect("dir");
        let error = read_bounded(dir.path(), 1000, "a case").expect_err("a folder");
        assert!(error.to_string().contains("is a folder"), "{error}");
    }
}
