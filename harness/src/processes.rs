//! What `/proc` says about processes the tests started: whether one is
//! still there, how much memory it holds, how many sockets it has open.
//! Linux only, as the tests that use it.

use std::io;
use std::path::Path;

/// Whether process `pid` exists (a zombie counts: it has not been reaped).
///
/// ```
/// assert!(harness::processes::exists(std::process::id()));
/// ```
pub fn exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The processes whose command line contains `text`, other than this one:
/// a way to find what a test started even where a script forked it.
///
/// ```
/// assert!(harness::processes::mentioning("no such argument 0c5e1f").is_empty());
/// ```
pub fn mentioning(text: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut pids: Vec<u32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            // Arguments are separated by NUL bytes; a process gone meanwhile reads as empty.
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(text)
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// The resident memory of process `pid`, in KiB (`VmRSS` of its status).
///
/// ```
/// assert!(harness::processes::resident_kib(std::process::id())? > 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn resident_kib(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no VmRSS in /proc/{pid}/status")))
}

/// How many sockets process `pid` has open (listening ones included): seen
/// from outside, a server's open connections are its sockets but the listener.
///
/// ```
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// assert!(harness::processes::open_sockets(std::process::id())? >= 1);
/// # drop(listener);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn open_sockets(pid: u32) -> io::Result<usize> {
    let mut sockets = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        // A descriptor closed between the listing and the readlink is not open.
        let Ok(target) = std::fs::read_link(entry?.path()) else {
            continue;
        };
        if target.to_string_lossy().starts_with("socket:") {
            sockets += 1;
        }
    }
    Ok(sockets)
}
