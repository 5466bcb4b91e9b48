//! Marks the tests that need a tool from outside cargo as ignored when the
//! build is asked to skip them, so a run without the tool says "ignored" for
//! them instead of a silent "ok": `KVSTATS_SKIP_PROMETHEUS=1` for a real
//! Prometheus and promtool, `KVSTATS_SKIP_PYTHON=1` for prometheus_client's
//! Python parser.

fn main() {
    for (env, cfg) in [
        ("KVSTATS_SKIP_PROMETHEUS", "kvstats_skip_prometheus"),
        ("KVSTATS_SKIP_PYTHON", "kvstats_skip_python"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={env}");
        if std::env::var_os(env).is_some_and(|v| v == "1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
