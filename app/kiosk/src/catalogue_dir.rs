//! Where the catalogue is, and loading it with diagnostics a supervisor can act on.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use madoguchi_rules::{Catalogue, Loaded, load};

/// The shipped catalogue: `$MADOGUCHI_CATALOGUE`, else the installed copy next to the binary
/// (`../share/madoguchi/catalogue`), else the source tree's `assets/catalogue`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MADOGUCHI_CATALOGUE") {
        return PathBuf::from(dir);
    }
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .map(|bin| bin.join("../share/madoguchi/catalogue"))
        })
        .filter(|dir| dir.join("catalogue.toml").exists());
    let dir = installed
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalogue"));
    dir.canonicalize().unwrap_or(dir)
}

/// Loads the catalogue, printing every problem on its own line (paths relative to the
/// catalogue folder are shown under it).
pub fn load_or_report(dir: &Path) -> Result<Loaded> {
    match load(dir) {
        Ok(loaded) => Ok(loaded),
        Err(problems) => {
            let errors = problems.iter().filter(|p| p.is_error()).count();
            for problem in &problems {
                eprintln!("{}", shown_under(dir, problem));
            }
            bail!(
                "the catalogue in {} has {errors} error(s); fix the lines above and run `madoguchi rules check` again",
                dir.display()
            )
        }
    }
}

/// A diagnostic with its file shown as a path under the catalogue folder.
pub fn shown_under(dir: &Path, problem: &madoguchi_rules::Diagnostic) -> String {
    let mut shown = problem.clone();
    shown.file = dir.join(&problem.file);
    shown.to_string()
}

pub fn load_quietly(dir: &Path) -> Result<Catalogue> {
    Ok(load_or_report(dir)?.catalogue)
}

/// Every file under a catalogue folder, by its path relative to the folder (with `/`), for
/// storing a catalogue version.
pub fn read_files(dir: &Path) -> Result<std::collections::BTreeMap<String, String>> {
    let mut files = std::collections::BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let relative = path
                    .strip_prefix(dir)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let text = madoguchi_rules::read_source(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                files.insert(relative, text);
            }
        }
    }
    Ok(files)
}

/// Writes a stored catalogue version out as a folder.
pub fn write_files(dir: &Path, files: &std::collections::BTreeMap<String, String>) -> Result<()> {
    for (relative, text) in files {
        if relative
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            bail!("refusing the file name {relative:?}");
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// A catalogue version's files loaded through a private temporary folder (the loader and the
/// scenario runner read folders). The folder lives as long as the returned guard.
pub fn load_files(
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(Loaded, tempfile::TempDir), Vec<madoguchi_rules::Diagnostic>> {
    let folder = tempfile::Builder::new()
        .prefix("madoguchi-catalogue-")
        .tempdir()
        .map_err(|e| {
            vec![whole_problem(format!(
                "cannot make a temporary folder: {e}"
            ))]
        })?;
    write_files(folder.path(), files).map_err(|e| vec![whole_problem(e.to_string())])?;
    let loaded = load(folder.path())?;
    Ok((loaded, folder))
}

fn whole_problem(message: String) -> madoguchi_rules::Diagnostic {
    madoguchi_rules::Diagnostic {
        severity: madoguchi_rules::Severity::Error,
        file: PathBuf::from("."),
        line: 0,
        message,
    }
}
