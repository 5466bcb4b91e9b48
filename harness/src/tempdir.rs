//! A directory of its own for one test, removed when the test ends.
//!
//! Prometheus needs a storage directory per server; the tests run in
//! parallel, so each server gets a fresh one, and a failing test must not
//! leave it behind. A dozen lines of std do this; no `tempfile` dependency.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh directory under the system's temporary directory; dropping it
/// removes it and everything in it.
///
/// ```
/// let dir = harness::tempdir::TempDir::new("demo")?;
/// let path = dir.path().to_owned();
/// std::fs::write(path.join("x"), "1")?;
/// drop(dir);
/// assert!(!path.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `kvstats-<prefix>-<pid>-<nanos>-<n>`: unique across processes
    /// (the pid), across runs (the time) and within one process (the counter).
    pub fn new(prefix: &str) -> io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "kvstats-{prefix}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(TempDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
