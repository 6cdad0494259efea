//! Files the kiosk writes for people: packets, exports and statistics.
//!
//! Every such file may hold personal data, so each is written the same way: into a private
//! temporary file (mode 0600, only the kiosk's user can read it) beside the target, flushed to
//! disk, then renamed over the target. A reader never sees half a file, and a failure — a full
//! disk, a killed process, a missing folder — leaves nothing behind: the temporary file is
//! removed, and an existing target keeps its old content.

use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The mode of every file written here: read and write for the owner only.
pub const PRIVATE_MODE: u32 = 0o600;

/// Writes `bytes` to `path` privately and atomically (see the module documentation).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            format!("{} is a folder; give a file name", path.display()),
        ));
    }
    let mut file = tempfile::Builder::new()
        .prefix(".madoguchi-")
        .suffix(".partial")
        .permissions(Permissions::from_mode(PRIVATE_MODE))
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    // The temporary file is removed if the rename fails; `persist` replaces the target.
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_is_private_and_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("packet.pdf");
        std::fs::write(&path, b"old").expect("an older file");
        std::fs::set_permissions(&path, Permissions::from_mode(0o644)).expect("chmod");
        write_private(&path, b"new content").expect("written");
        assert_eq!(std::fs::read(&path).expect("read"), b"new content");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, PRIVATE_MODE);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("folder");
        std::fs::create_dir(&target).expect("a folder in the way");
        assert!(write_private(&target, b"x").is_err());
        let missing = dir.path().join("no-such-folder").join("out.csv");
        assert!(write_private(&missing, b"x").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("folder")]);
    }
}
