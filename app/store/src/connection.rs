//! One SQLite connection per database file per process, and what happens before it exists.
//!
//! POSIX record locks belong to the process, not to the descriptor: closing *any* descriptor
//! of a file drops every lock the process holds on it (SQLite's "How To Corrupt An SQLite
//! Database File", §2.2.1). A process that opened the database twice — or read its header with
//! `std::fs::File` while a connection was open — silently lost its locks, and the next process
//! to close the file believed it was alone and deleted the WAL the first was still writing
//! into. So:
//!
//! - every [`crate::Store`] opened on the same file in this process shares one connection,
//!   found in a process-wide registry ([`open_shared`]);
//! - the header is read with `std::fs` only while the registry is locked and no connection to
//!   the file exists in this process;
//! - [`close_all`] closes every connection cleanly (the signal handler of the binary calls it
//!   on SIGTERM and SIGINT), after which the stores answer [`StoreError::Closed`].

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use rusqlite::Connection;

use crate::StoreError;

/// The connection of one database file, shared by every store on it in this process. `None`
/// once [`close_all`] has closed it.
pub(crate) struct Shared {
    conn: Mutex<Option<Connection>>,
    pub(crate) path: PathBuf,
}

/// The open files, by canonical path. Entries whose stores are all gone are dropped lazily.
static OPEN: Mutex<Vec<(PathBuf, Weak<Shared>)>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<(PathBuf, Weak<Shared>)>> {
    // A panic elsewhere while the list was locked leaves it consistent: it only holds pointers.
    OPEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The connection while a store uses it. Holding it is holding the file for this process:
/// keep it for one operation, never across a call that takes it again.
pub(crate) struct Conn<'a>(MutexGuard<'a, Option<Connection>>);

impl Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self.0.as_ref() {
            Some(conn) => conn,
            // `Shared::lock` hands out a `Conn` only when the connection is there.
            None => unreachable!("a closed connection was handed out"),
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        match self.0.as_mut() {
            Some(conn) => conn,
            None => unreachable!("a closed connection was handed out"),
        }
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> Result<Conn<'_>, StoreError> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            return Err(StoreError::Closed);
        }
        Ok(Conn(guard))
    }

    fn close(&self) {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        close_connection(guard.take(), &self.path);
    }
}

/// Closing the last connection checkpoints the WAL into the database and removes it.
fn close_connection(conn: Option<Connection>, path: &Path) {
    if let Some(conn) = conn
        && let Err((_, error)) = conn.close()
    {
        tracing::warn!(%error, path = %path.display(), "closing the store");
    }
}

impl Drop for Shared {
    /// The last store on the file is gone. The connection closes with the registry locked, so
    /// that no open of the same file in this process reads its header meanwhile. (Nothing
    /// drops a `Shared` while holding the registry: see `open_shared` and `close_all`.)
    fn drop(&mut self) {
        let _registry = registry();
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        close_connection(conn, &self.path);
    }
}

/// The file's identity for the registry: its canonical path (the folder's, plus the name, while
/// the file does not exist yet).
fn canonical(path: &Path) -> Result<PathBuf, StoreError> {
    let unusable = |detail: String| StoreError::Unusable {
        path: path.display().to_string(),
        detail,
    };
    if let Ok(real) = std::fs::canonicalize(path) {
        return Ok(real);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| unusable(e.to_string()))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| unusable(e.to_string()))?;
    let name = path
        .file_name()
        .ok_or_else(|| unusable("the path names no file".into()))?;
    Ok(dir.join(name))
}

/// What the caller of [`open_shared`] learns: the shared connection, and whether this call
/// made it (and so must finish setting the file up).
pub(crate) struct Opening {
    pub shared: Arc<Shared>,
    pub first: bool,
}

/// The connection to `path` in this process: the existing one, or a new one made by `connect`
/// — which runs with the registry locked, so that no other store in this process can have the
/// file open while it looks at it.
pub(crate) fn open_shared(
    path: &Path,
    connect: impl FnOnce(&Path) -> Result<Connection, StoreError>,
) -> Result<Opening, StoreError> {
    let key = canonical(path)?;
    let mut open = registry();
    open.retain(|(_, weak)| weak.strong_count() > 0);
    if let Some(shared) = open
        .iter()
        .find(|(known, _)| *known == key)
        .and_then(|(_, weak)| weak.upgrade())
    {
        let closed = shared.lock().is_err();
        // Let go of the registry before `shared` can be dropped (its drop takes the registry).
        drop(open);
        if closed {
            // Closed by `close_all`: the process is stopping; refuse rather than reopen.
            return Err(StoreError::Closed);
        }
        return Ok(Opening {
            shared,
            first: false,
        });
    }
    let conn = connect(&key)?;
    let shared = Arc::new(Shared {
        conn: Mutex::new(Some(conn)),
        path: key.clone(),
    });
    open.push((key, Arc::downgrade(&shared)));
    Ok(Opening {
        shared,
        first: true,
    })
}

/// Closes every store of this process: each waits for the operation in progress, checkpoints
/// and closes. Stores used afterwards answer [`StoreError::Closed`]. For the signal handler of
/// the binary, just before it exits.
pub fn close_all() {
    let open: Vec<Arc<Shared>> = registry()
        .iter()
        .filter_map(|(_, weak)| weak.upgrade())
        .collect();
    for shared in &open {
        shared.close();
    }
}
