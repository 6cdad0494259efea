//! Where the shipped catalogue (and the read-aloud voice) is, and loading a catalogue with
//! diagnostics a supervisor can act on: from a folder (the shipped one, one a supervisor
//! checks) or from a stored version's files, in memory.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use madoguchi_rules::{Catalogue, CatalogueFiles, Diagnostic, Loaded, load_files, read_folder};

/// The shipped catalogue: `$MADOGUCHI_CATALOGUE`, else the installed copy next to the binary
/// (`../share/madoguchi/catalogue`), else the source tree's `assets/catalogue`.
pub fn default_dir() -> PathBuf {
    shipped("MADOGUCHI_CATALOGUE", "catalogue", "catalogue.toml")
}

/// The shipped voice for よみあげ (the Mei voice): `$MADOGUCHI_VOICES`, else
/// `../share/madoguchi/voices` next to the binary, else the source tree's `assets/voices`.
pub fn voice_dir() -> PathBuf {
    shipped("MADOGUCHI_VOICES", "voices", "mei_normal.htsvoice")
}

/// A folder the product ships: named by `variable`, else installed beside the binary (where it
/// holds `marker`), else the source tree's `assets/<name>`.
fn shipped(variable: &str, name: &str, marker: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(variable) {
        return PathBuf::from(dir);
    }
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .map(|bin| bin.join("../share/madoguchi").join(name))
        })
        .filter(|dir| dir.join(marker).exists());
    let dir = installed.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets")
            .join(name)
    });
    dir.canonicalize().unwrap_or(dir)
}

/// Reads and loads the catalogue folder, printing every problem on its own line (paths
/// relative to the catalogue folder are shown under it). The files come back too, for storing
/// the version or running its scenarios.
pub fn load_or_report(dir: &Path) -> Result<(Loaded, CatalogueFiles)> {
    let loaded = read_folder(dir).and_then(|files| Ok((load_files(&files)?, files)));
    loaded.map_err(|problems| report(dir, &problems))
}

/// Prints every problem under `dir` and says how many errors there were.
pub fn report(dir: &Path, problems: &[Diagnostic]) -> anyhow::Error {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    for problem in problems {
        eprintln!("{}", shown_under(dir, problem));
    }
    anyhow!(
        "the catalogue in {} has {errors} error(s); fix the lines above and run `madoguchi rules check` again",
        dir.display()
    )
}

/// A diagnostic with its file shown as a path under the catalogue folder.
pub fn shown_under(dir: &Path, problem: &Diagnostic) -> String {
    let mut shown = problem.clone();
    shown.file = dir.join(&problem.file);
    shown.to_string()
}

pub fn load_quietly(dir: &Path) -> Result<Catalogue> {
    Ok(load_or_report(dir)?.0.catalogue)
}

/// A stored version's files, loaded from memory; its problems joined on one line.
pub fn load_version(files: &CatalogueFiles) -> Result<Loaded, String> {
    load_files(files).map_err(|problems| joined(&problems))
}

/// The files of a folder written by `export-catalogue`, checked against its `SHA256SUM` and,
/// on a terminal that trusts publishing keys, its `SIGNATURE`.
pub fn read_export(dir: &Path) -> Result<CatalogueFiles, String> {
    let files = read_folder(dir).map_err(|problems| joined(&problems))?;
    madoguchi_store::catalogue_folder::verify_export(dir, &files).map_err(|e| e.to_string())?;
    if let Some(trusted) = crate::floor::config::trusted_keys().map_err(|e| format!("{e:#}"))? {
        madoguchi_store::catalogue_folder::verify_signature(dir, &files, &trusted)
            .map_err(|e| e.to_string())?;
    }
    Ok(files)
}

fn joined(problems: &[Diagnostic]) -> String {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" / ")
}
