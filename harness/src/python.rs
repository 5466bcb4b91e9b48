//! prometheus_client's parsers, the Python reference readers of the text
//! format 0.0.4 and of OpenMetrics 1.0.0, as an independent check of what
//! kvstats writes: the checked-in `harness/python/parse_exposition.py` runs
//! one on a text and prints what it read as JSON, and [`assert_read_alike`]
//! compares that with what our own reader ([`crate::exposition`]) reads.
//!
//! It runs in the Python environment of `scripts/python.sh`, which pins the
//! package's version. A test that needs it calls [`required`] first, which
//! installs the environment with the script when it is missing, and fails
//! the test with the command to run by hand if that is not possible, unless
//! `KVSTATS_SKIP_PYTHON=1` says to skip it.

use std::io;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use kvstats_core::Format;
use serde_json::Value;

use crate::exposition::{self, parse_value, Family, Sample};
use crate::external::{script_output, Tool};
use crate::worker_process::run_with_input;

/// Set to `1` to skip, instead of fail, the tests that need the Python
/// parser when it is not installed.
pub const SKIP_ENV: &str = "KVSTATS_SKIP_PYTHON";

/// What a developer runs to get it.
pub const INSTALL_HINT: &str =
    "run `scripts/python.sh install` (or `.ci/run`, which installs it when missing)";

/// Python starts and reads a scrape in well under a second; far longer means it hangs.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The script that installs the Python environment and names its interpreter.
pub fn script() -> PathBuf {
    crate::workspace_root().join("scripts/python.sh")
}

/// The checked-in program that runs the parser.
pub fn program() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/parse_exposition.py")
}

/// The environment's interpreter, or what the script says is missing.
fn interpreter() -> Result<PathBuf, String> {
    let path = script_output(&script(), &["python"])?;
    Ok(PathBuf::from(path.trim_end()))
}

/// Whether a test that needs the Python parser can run: `true` when the
/// environment of `scripts/python.sh` has the pinned prometheus_client,
/// after installing it with `scripts/python.sh install` if it had not (once
/// per test binary); `false` when it is still missing and
/// `KVSTATS_SKIP_PYTHON=1` (the skip is said on standard error).
///
/// # Panics
///
/// When it is missing and the skip is not asked for.
pub fn required() -> bool {
    static PYTHON: Tool = Tool {
        script,
        hint: INSTALL_HINT,
        skip_env: SKIP_ENV,
        install: OnceLock::new(),
    };
    PYTHON.required(|| interpreter().err())
}

/// The families prometheus_client reads from `text`, named as the text
/// names them: prometheus_client drops `_total` from a counter family's name
/// (as OpenMetrics does), so it is put back here; its samples keep their
/// names. An `Err` when Python cannot run or the parser refuses the text
/// (with its message).
///
/// ```no_run
/// let families = harness::python::parse("# TYPE up gauge\nup{job=\"a\"} 1\n")?;
/// assert_eq!(families[0].samples[0].label("job"), Some("a"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn parse(text: &str) -> io::Result<Vec<Family>> {
    parse_as(text, Format::Text)
}

/// The families prometheus_client's OpenMetrics parser reads from `text`
/// (named as its `# TYPE` lines name them, with their units), or its
/// refusal: it wants what OpenMetrics does (`# EOF` at the end, `_total` on
/// a counter's samples, histogram buckets in order, a unit that ends the
/// name).
///
/// ```no_run
/// let families = harness::python::parse_openmetrics("# TYPE r counter\nr_total 1\n# EOF\n")?;
/// assert_eq!(families[0].samples[0].name, "r_total");
/// assert!(harness::python::parse_openmetrics("# TYPE r counter\nr_total 1\n").is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn parse_openmetrics(text: &str) -> io::Result<Vec<Family>> {
    parse_as(text, Format::OpenMetrics)
}

/// Our reader's and prometheus_client's families of `text` in `format`,
/// compared as whole lines ([`Family::lines`]); ours when they are equal.
///
/// # Panics
///
/// When either reader refuses the text or they read it differently, with
/// both readings and the text: what a test that calls it checks.
pub fn assert_read_alike(text: &str, format: Format) -> Vec<Family> {
    let ours = match format {
        Format::OpenMetrics => exposition::openmetrics::families(text),
        _ => exposition::families(text),
    };
    let ours = ours.unwrap_or_else(|e| panic!("our reader ({format:?}): {e}\n{text}"));
    let theirs = parse_as(text, format)
        .unwrap_or_else(|e| panic!("prometheus_client ({format:?}): {e}\n{text}"));
    let lines =
        |families: &[Family]| -> Vec<String> { families.iter().flat_map(Family::lines).collect() };
    let (theirs, mine) = (lines(&theirs), lines(&ours));
    if theirs != mine {
        let at = theirs.iter().zip(&mine).take_while(|(a, b)| a == b).count();
        panic!(
            "prometheus_client and our reader read this {format:?} text differently, from \
             line {} of the readings:\n  prometheus_client: {:?}\n  our reader:        {:?}\n\
             prometheus_client read:\n{}\nour reader read:\n{}\nthe text:\n{text}",
            at + 1,
            theirs.get(at),
            mine.get(at),
            theirs.join("\n"),
            mine.join("\n"),
        );
    }
    ours
}

fn parse_as(text: &str, format: Format) -> io::Result<Vec<Family>> {
    let python = interpreter().map_err(io::Error::other)?;
    let mut command = Command::new(python);
    command.arg(program());
    if format == Format::OpenMetrics {
        command.arg("--openmetrics");
    }
    let output = run_with_input(&mut command, text, TIMEOUT)?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "{} exited with {}: {}",
            program().display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let json: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| io::Error::other(format!("the parser's JSON: {e}")))?;
    read_families(&json, format).ok_or_else(|| io::Error::other(format!("unexpected JSON: {json}")))
}

fn read_families(json: &Value, format: Format) -> Option<Vec<Family>> {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    json["families"]
        .as_array()?
        .iter()
        .map(|family| {
            let kind = text(&family["type"])?;
            let mut name = text(&family["name"])?;
            if kind == "counter" && format != Format::OpenMetrics {
                name.push_str("_total");
            }
            let samples = family["samples"]
                .as_array()?
                .iter()
                .map(|sample| {
                    let labels = sample["labels"]
                        .as_array()?
                        .iter()
                        .map(|pair| Some((text(&pair[0])?, text(&pair[1])?)))
                        .collect::<Option<_>>()?;
                    Some(Sample {
                        name: text(&sample["name"])?,
                        labels,
                        value: parse_value(sample["value"].as_str()?).ok()?,
                    })
                })
                .collect::<Option<_>>()?;
            Some(Family {
                name,
                kind,
                help: text(&family["help"])?,
                unit: text(&family["unit"])?,
                samples,
            })
        })
        .collect()
}
