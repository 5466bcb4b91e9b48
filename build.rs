//! Marks the tests that need a real Prometheus as ignored when the build is
//! asked to skip them (`KVSTATS_SKIP_PROMETHEUS=1`), so a run without
//! Prometheus says "ignored" for them instead of a silent "ok".

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kvstats_skip_prometheus)");
    println!("cargo::rerun-if-env-changed=KVSTATS_SKIP_PROMETHEUS");
    if std::env::var_os("KVSTATS_SKIP_PROMETHEUS").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=kvstats_skip_prometheus");
    }
}
