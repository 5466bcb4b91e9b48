//! The derive in a user's crate outside this workspace (`tests/user_crate/`):
//! `cargo check` and `cargo doc --no-deps` (with `RUSTDOCFLAGS=-D warnings`,
//! as a user's documentation CI runs it) pass for each feature set of
//! kvstats-core a user may pick. The generated items' rustdoc is part of what
//! users see, and a broken link in it fails their build, not ours.
//!
//! The crate builds in `target/tests/user_crate`, where its dependencies stay
//! compiled from one run to the next; its lock file is the workspace's, copied
//! beside it before each run, so it builds the versions the workspace tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The feature sets, as arguments to cargo (the crate forwards each feature
/// to kvstats-core's of the same name).
const FEATURE_SETS: [&[&str]; 4] = [
    &[],
    &["--no-default-features", "--features", "derive"],
    // The routes as a tower service, without the server and its hyper.
    &["--no-default-features", "--features", "derive,tower"],
    &["--features", "derive,server,dynamo,catalog,tower"],
];

#[test]
fn user_crate_checks_and_documents_without_a_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/user_crate");
    std::fs::copy(root.join("Cargo.lock"), fixture.join("Cargo.lock"))
        .expect("copy the workspace's Cargo.lock to tests/user_crate");
    for features in FEATURE_SETS {
        cargo(&fixture, &["check", "--lib"], features, &[]);
        cargo(&fixture, &["doc", "--no-deps", "--lib"], features, &[]);
        // Crates with binaries document their private items too.
        cargo(
            &fixture,
            &["doc", "--no-deps", "--lib"],
            features,
            &["--document-private-items"],
        );
    }
}

/// kvstats-core alone (no other package's features unified in) with no
/// feature, each feature alone, and all of them.
#[test]
fn kvstats_core_builds_with_every_feature_set() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sets = [
        "",
        "derive",
        "server",
        "dynamo",
        "catalog",
        "gzip",
        "tower",
        "derive,server,dynamo,catalog,gzip,tower",
    ];
    for set in sets {
        cargo(
            root,
            &["check", "--lib", "-p", "kvstats-core"],
            &["--no-default-features", "--features", set],
            &[],
        );
    }
}

/// Runs `cargo <command> <features>` in `fixture` (a folder with a
/// `Cargo.toml`); `doc_flags` go to rustdoc after `-D warnings`. Fails with
/// cargo's whole output when cargo fails.
fn cargo(fixture: &Path, command: &[&str], features: &[&str], doc_flags: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut rustdoc_flags = vec!["-D", "warnings"];
    rustdoc_flags.extend(doc_flags);
    let output = Command::new(cargo)
        .args(command)
        .args(features)
        .arg("--quiet")
        .current_dir(fixture)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("RUSTDOCFLAGS", rustdoc_flags.join(" "))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "`cargo {} {}` in {} (RUSTDOCFLAGS=\"{}\") failed ({}):\n\
         --- stdout ---\n{}\n--- stderr ---\n{}",
        command.join(" "),
        features.join(" "),
        fixture.display(),
        rustdoc_flags.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// `target/tests/user_crate` of this workspace (next to trybuild's).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("tests/user_crate")
}
