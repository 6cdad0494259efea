//! A catalogue as files in memory: each file's text by its path relative to the catalogue
//! folder, with `/` between folders (`procedures/juminhyo.toml`).
//!
//! This is the one shape a catalogue travels in. The store keeps a version as these files, the
//! supervisor's draft edits them, the loader ([`crate::load_files`]) and the scenario runner
//! read them. Only a catalogue on disk — the shipped one, a folder a supervisor checks with
//! `madoguchi rules check` — is read once into this shape by [`read_folder`]; nothing is ever
//! written to disk on its way from the store to the engine.
//!
//! Invariants: every path is relative, made of non-empty parts other than `.` and `..`; every
//! text is at most [`MAX_SOURCE_BYTES`]; a catalogue holds at most [`MAX_FILES`] files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// A catalogue's files: relative path (with `/`) → text.
pub type CatalogueFiles = BTreeMap<String, String>;

/// The files of a catalogue's `forms/` folder: form templates and the base64 text of their
/// background pictures. Shown by name and size only: a background is megabytes of text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FormFiles(pub CatalogueFiles);

/// Where a catalogue keeps the form templates it carries.
pub const FORMS_FOLDER: &str = "forms/";

impl FormFiles {
    /// The `forms/` files among a catalogue's.
    pub fn of(files: &CatalogueFiles) -> FormFiles {
        FormFiles(
            files
                .iter()
                .filter(|(name, _)| name.starts_with(FORMS_FOLDER))
                .map(|(name, text)| (name.clone(), text.clone()))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for FormFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, text)| (name, text.len())))
            .finish()
    }
}

/// The largest catalogue or scenario file read: the shipped catalogue's largest is 40 KB.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// The most files one catalogue holds: the shipped one has about 60.
pub const MAX_FILES: usize = 2000;

/// How deep a catalogue folder's subfolders are followed.
const MAX_DEPTH: usize = 4;

/// A catalogue or scenario file's text: a regular file of at most [`MAX_SOURCE_BYTES`], so
/// that a stray link to `/dev/zero` or a log file in a catalogue folder is refused unread.
pub fn read_source(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let metadata = file.metadata()?;
    let refuse = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
    if !metadata.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    let mut text = String::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SOURCE_BYTES {
        return Err(refuse(too_large()));
    }
    Ok(text)
}

fn too_large() -> String {
    format!(
        "larger than {} MB; a catalogue file is smaller",
        MAX_SOURCE_BYTES / (1024 * 1024)
    )
}

/// Every `.toml`, `.csv` and `.b64` file under `dir` (subfolders included; the one `.csv` a
/// catalogue uses is its list of holidays, `.b64` files are the pictures behind the form
/// templates of `forms/`, as base64 text), each read bounded. Every file that
/// cannot be read is reported, by its path under the folder.
pub fn read_folder(dir: &Path) -> Result<CatalogueFiles, Vec<Diagnostic>> {
    let mut files = CatalogueFiles::new();
    let mut problems = Vec::new();
    let mut folders = vec![(PathBuf::new(), 0)];
    while let Some((relative, depth)) = folders.pop() {
        let entries = match fs::read_dir(dir.join(&relative)) {
            Ok(entries) => entries,
            Err(e) => {
                let shown = if relative.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    &relative
                };
                problems.push(Diagnostic::error(
                    shown,
                    0,
                    format!("cannot read the folder: {e}"),
                ));
                continue;
            }
        };
        for entry in entries.filter_map(Result::ok) {
            let name = relative.join(entry.file_name());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && depth < MAX_DEPTH {
                folders.push((name, depth + 1));
            } else if !is_dir
                && name
                    .extension()
                    .is_some_and(|e| e == "toml" || e == "csv" || e == "b64")
            {
                if files.len() == MAX_FILES {
                    problems.push(Diagnostic::error(
                        Path::new("."),
                        0,
                        format!("more than {MAX_FILES} files; is this a catalogue folder?"),
                    ));
                    return Err(problems);
                }
                match read_source(&dir.join(&name)) {
                    Ok(text) => {
                        files.insert(key(&name), text);
                    }
                    Err(e) => problems.push(Diagnostic::error(
                        &name,
                        0,
                        format!("cannot read the file: {e}"),
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        problems.sort_by(|a, b| a.file.cmp(&b.file));
        Err(problems)
    }
}

/// A relative path as a key, with `/` between its parts.
fn key(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` is a key a catalogue may hold (see the module's invariants).
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

/// The problems that keep `files` from being loaded at all: too many, a path outside the
/// catalogue, a file too large.
pub(crate) fn check(files: &CatalogueFiles) -> Vec<Diagnostic> {
    if files.len() > MAX_FILES {
        return vec![Diagnostic::error(
            Path::new("."),
            0,
            format!(
                "{} files; a catalogue holds at most {MAX_FILES}",
                files.len()
            ),
        )];
    }
    files
        .iter()
        .filter_map(|(path, text)| {
            if !is_safe_path(path) {
                Some(Diagnostic::error(
                    Path::new(path),
                    0,
                    "not a path inside the catalogue",
                ))
            } else if text.len() as u64 > MAX_SOURCE_BYTES {
                Some(Diagnostic::error(Path::new(path), 0, too_large()))
            } else {
                None
            }
        })
        .collect()
}

/// The files directly inside `folder` (`procedures`, `scenarios`) ending in `.toml`, in name
/// order, as (relative path, text).
pub(crate) fn in_folder<'f>(
    files: &'f CatalogueFiles,
    folder: &str,
) -> impl Iterator<Item = (&'f str, &'f str)> {
    let prefix = format!("{folder}/");
    files
        .range(prefix.clone()..)
        .take_while(move |(path, _)| path.starts_with(&prefix))
        .filter(move |(path, _)| {
            let name = &path[folder.len() + 1..];
            !name.contains('/') && name.ends_with(".toml")
        })
        .map(|(path, text)| (path.as_str(), text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_reads_as_relative_paths() {
        let dir = tempfile::tempdir().expect("temp");
        fs::create_dir_all(dir.path().join("procedures")).expect("mkdir");
        fs::write(dir.path().join("catalogue.toml"), "a").expect("write");
        fs::write(dir.path().join("procedures/x.toml"), "b").expect("write");
        fs::write(dir.path().join("README.md"), "not read").expect("write");
        let files = read_folder(dir.path()).expect("reads");
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["catalogue.toml", "procedures/x.toml"]
        );
    }

    #[test]
    fn paths_outside_the_catalogue_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x.toml",
            "a//b.toml",
            "./a.toml",
            "a\\..\\b",
        ] {
            assert!(!is_safe_path(bad), "{bad:?}");
        }
        assert!(is_safe_path("procedures/x.toml"));
        let files = CatalogueFiles::from([("../x.toml".to_string(), String::new())]);
        assert_eq!(check(&files).len(), 1);
    }

    #[test]
    fn only_direct_children_of_a_folder_are_listed() {
        let files = CatalogueFiles::from(
            [
                "procedures/a.toml",
                "procedures/old/b.toml",
                "procedures/notes.md",
                "proceduresx.toml",
                "scenarios/c.toml",
            ]
            .map(|p| (p.to_string(), String::new())),
        );
        let listed: Vec<&str> = in_folder(&files, "procedures").map(|(p, _)| p).collect();
        assert_eq!(listed, ["procedures/a.toml"]);
    }
}
