//! Both library crates package on their own: every source file they compile
//! lies inside their own folder, so it is in the `.crate` users download.
//! (`names.rs`, the naming rule both crates compile, is a file of
//! kvstats-core that kvstats-derive links to; cargo packages the link's
//! content.)

use std::path::Path;
use std::process::Command;

/// The files `cargo package --list` puts in the package of `crate_name`.
fn packaged(crate_name: &str) -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--quiet",
            "-p",
            crate_name,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo package --list");
    assert!(
        output.status.success(),
        "cargo package --list -p {crate_name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every `.rs` file under `dir`, relative to the crate folder `root`.
fn sources(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).expect("inside the crate");
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_source_file_of_the_library_crates_is_in_its_package() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    for crate_name in ["kvstats-core", "kvstats-derive"] {
        let root = workspace.join(crate_name);
        let mut expected = Vec::new();
        sources(&root, &root.join("src"), &mut expected);
        let listed = packaged(crate_name);
        let missing: Vec<&String> = expected.iter().filter(|f| !listed.contains(f)).collect();
        assert!(
            missing.is_empty(),
            "{crate_name} does not package {missing:?}"
        );
        assert!(
            listed.contains(&"src/names.rs".to_owned()),
            "{crate_name}: {listed:?}"
        );
        // No `#[path]` reaches outside the crate's folder.
        for file in &expected {
            let text = std::fs::read_to_string(root.join(file)).expect("read a source file");
            assert!(
                !text.contains("#[path = \"../"),
                "{crate_name}/{file} compiles a file outside its crate"
            );
        }
    }
}
