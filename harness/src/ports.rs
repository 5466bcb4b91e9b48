//! Addresses chosen before the process that listens on them starts.
//!
//! A Prometheus must know its targets when it starts, so the tests pick a
//! worker's port first and start the worker later. A port from the kernel's
//! ephemeral range can be taken in between as the local end of an outgoing
//! connection (Prometheus scraping a target that is not up yet is one), and
//! the worker then fails to bind. Ports are therefore picked below that
//! range, where the kernel never hands them out on its own.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};

/// Lowest port picked; below it live the well-known and registered services
/// a test machine may run.
const FLOOR: u16 = 20_000;

/// Where the kernel's ephemeral range starts when it cannot be read.
const DEFAULT_EPHEMERAL_START: u16 = 32_768;

/// The next candidate offset, so the tests of one process never pick the
/// same port twice.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A port of 127.0.0.1 that is free now and outside the kernel's ephemeral
/// range, for a server that starts later.
///
/// # Errors
/// When every candidate port is taken.
pub fn reserved_addr() -> io::Result<SocketAddr> {
    let span = u32::from(ephemeral_start().saturating_sub(FLOOR).max(1));
    // Separate processes (test binaries, parallel CI jobs) start at
    // different offsets so they rarely probe the same ports.
    let start = std::process::id() % span;
    for _ in 0..span {
        let offset = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        let port = FLOOR + u16::try_from(offset).expect("offset below the span, a u16");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        if TcpListener::bind(addr).is_ok() {
            return Ok(addr);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("no free port of 127.0.0.1 between {FLOOR} and the ephemeral range"),
    ))
}

fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(DEFAULT_EPHEMERAL_START)
}
