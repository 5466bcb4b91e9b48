//! Regenerates the metric catalog of the `worker` example: the shipped
//! stats structs and the engine's (`simulation::catalog::worker`).
//!
//! ```text
//! cargo run --example catalog -- --format markdown --out docs/METRICS.md
//! cargo run --example catalog -- --format json     --out docs/metrics.json
//! cargo run --example catalog -- --format grafana  --out dashboards/kvstats.json
//! cargo run --example catalog -- --format python   --out python/kvstats_names.py
//! cargo run --example catalog -- --format rules    --out prometheus/kvstats.rules.yml
//! cargo run --example catalog -- --format rules-test --out prometheus/kvstats.rules.test.yml
//! ```
//!
//! `tests/catalog_drift.rs` fails when a checked-in file differs from what
//! this prints, and names the command that fixes it.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use kvstats_core::catalog::Format;
use simulation::catalog::worker;

const DESCRIPTION: &str = "\
Renders the metric catalog of the worker example (ForwardPassMetrics and the
engine's EngineStats as the worker exports them: namespace `dynamo`, component
`backend`, one registration per `dp_rank`).
";

const SYNOPSIS: &str = "Usage: cargo run --example catalog -- --format <FORMAT> [--out <FILE>]\n";

const OPTIONS: &str = "\
Options:
  --format <FORMAT>  markdown, json, grafana, python, rules (Prometheus recording
                     and alerting rules) or rules-test (their promtool tests)
  --out <FILE>       write to FILE instead of standard output
  -h, --help         print this help
";

/// What the command line asks for.
struct Args {
    format: Format,
    out: Option<PathBuf>,
}

/// Why the command line was not understood: a message for standard error.
struct Usage(String);

fn main() -> ExitCode {
    let args = match parse(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{DESCRIPTION}\n{SYNOPSIS}\n{OPTIONS}");
            return ExitCode::SUCCESS;
        }
        Err(Usage(message)) => {
            eprintln!("error: {message}\n\n{SYNOPSIS}\nFor more information, try `--help`.");
            return ExitCode::from(2);
        }
    };
    let text = match worker() {
        Ok(catalog) => catalog.render(args.format),
        Err(e) => {
            eprintln!("error: cannot build the catalog: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match &args.out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to standard output: {e}")),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(None)` for `--help`. Arguments are `OsString`s so that a path that
/// is not UTF-8 is still a valid `--out`.
fn parse(mut args: impl Iterator<Item = OsString>) -> Result<Option<Args>, Usage> {
    let mut format = None;
    let mut out = None;
    while let Some(arg) = args.next() {
        let text = arg
            .to_str()
            .ok_or_else(|| Usage(format!("unexpected argument {arg:?}")))?;
        let (key, inline) = match text.split_once('=') {
            Some((key, value)) => (key, Some(OsString::from(value))),
            None => (text, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| Usage(format!("`{name}` needs a value")))
        };
        match key {
            "-h" | "--help" => return Ok(None),
            "--format" => {
                let name = value("--format")?;
                let name = name.to_string_lossy();
                format = Some(name.parse::<Format>().map_err(|e| Usage(e.to_string()))?);
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            other => return Err(Usage(format!("unexpected argument `{other}`"))),
        }
    }
    let format = format.ok_or_else(|| Usage("`--format` is required".to_owned()))?;
    Ok(Some(Args { format, out }))
}
