//! The command line of the `worker` example.
//!
//! Seven flags do not need clap: a hand-written loop keeps the example's
//! build to the crates the worker itself uses, and its errors can name the
//! flag and the value exactly as the user typed them.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use kvstats_core::server::parse_addr;

/// What `--help` prints.
pub const USAGE: &str = "\
Usage: worker [OPTIONS]

A simulated inference worker (namespace `dynamo`, component `backend`) that
publishes ForwardPassMetrics and serves them on /metrics.

Options:
  --addr IP:PORT       address to serve on [default: $KVSTATS_METRICS_ADDR, else 127.0.0.1:8081]
  --ranks N            data-parallel ranks, one publisher each (1..=64) [default: 1]
  --first-rank R       the rank of the first publisher [default: 0]
  --interval-ms MS     time between two publishes (1..=3600000) [default: 100]
  --seed S             seed of the simulation; the same seed publishes the same values [default: 42]
  --steps N            publish N times, then keep the last values and keep serving
  --print-published    print one line per publish: published rank=R step=N kv_active_blocks=..
  -h, --help           print this help
";

/// The settings of one worker run.
///
/// ```
/// use simulation::cli::{parse, Command};
///
/// let Command::Run(args) = parse(["--ranks", "2", "--seed=7"].map(String::from))? else {
///     unreachable!()
/// };
/// assert_eq!((args.ranks, args.seed, args.steps), (2, 7, None));
/// # Ok::<(), simulation::cli::ArgsError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerArgs {
    /// `--addr`; `None` leaves it to `KVSTATS_METRICS_ADDR` or the default.
    pub addr: Option<SocketAddr>,
    /// `--ranks`.
    pub ranks: u32,
    /// `--first-rank`.
    pub first_rank: u32,
    /// `--interval-ms`.
    pub interval: Duration,
    /// `--seed`.
    pub seed: u64,
    /// `--steps`.
    pub steps: Option<u64>,
    /// `--print-published`.
    pub print_published: bool,
}

impl Default for WorkerArgs {
    fn default() -> Self {
        WorkerArgs {
            addr: None,
            ranks: 1,
            first_rank: 0,
            interval: Duration::from_millis(100),
            seed: 42,
            steps: None,
            print_published: false,
        }
    }
}

impl WorkerArgs {
    /// The data-parallel ranks this worker publishes.
    ///
    /// ```
    /// let args = simulation::cli::WorkerArgs { ranks: 2, first_rank: 4, ..Default::default() };
    /// assert_eq!(args.rank_ids().collect::<Vec<_>>(), [4, 5]);
    /// ```
    pub fn rank_ids(&self) -> impl Iterator<Item = u32> {
        // `parse` keeps first_rank + ranks within u32.
        self.first_rank..self.first_rank.saturating_add(self.ranks)
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run the worker.
    Run(WorkerArgs),
    /// Print [`USAGE`] and exit.
    Help,
}

/// A command line that cannot be run, with the flag and value at fault.
///
/// ```
/// let err = simulation::cli::parse(["--ranks", "zero"].map(String::from)).unwrap_err();
/// assert_eq!(err.to_string(), "invalid value `zero` for --ranks: expected a whole number in 1..=64");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgsError {}

/// Parses the arguments after the program name. Flags take their value as
/// the next argument or after `=`.
///
/// ```
/// use simulation::cli::{parse, Command};
///
/// assert_eq!(parse(["--help".to_string()])?, Command::Help);
/// assert!(parse(["--bogus".to_string()]).is_err());
/// # Ok::<(), simulation::cli::ArgsError>(())
/// ```
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, ArgsError> {
    let mut parsed = WorkerArgs::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| ArgsError(format!("{flag} needs a value; see --help")))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--print-published" => parsed.print_published = true,
            "--addr" => {
                let value = value()?;
                let addr = parse_addr("--addr", &value).map_err(|e| ArgsError(e.to_string()))?;
                parsed.addr = Some(addr);
            }
            "--ranks" => parsed.ranks = number(&flag, &value()?, 1, 64)?,
            "--first-rank" => parsed.first_rank = number(&flag, &value()?, 0, u32::MAX - 64)?,
            "--interval-ms" => {
                parsed.interval = Duration::from_millis(number(&flag, &value()?, 1, 3_600_000)?)
            }
            "--seed" => parsed.seed = number(&flag, &value()?, 0, u64::MAX)?,
            "--steps" => parsed.steps = Some(number(&flag, &value()?, 0, u64::MAX)?),
            other => return Err(ArgsError(format!("unknown argument `{other}`; see --help"))),
        }
    }
    Ok(Command::Run(parsed))
}

fn number<N>(flag: &str, value: &str, min: N, max: N) -> Result<N, ArgsError>
where
    N: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    match value.parse::<N>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(ArgsError(format!(
            "invalid value `{value}` for {flag}: expected a whole number in {min}..={max}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<WorkerArgs, ArgsError> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(args) => Ok(args),
            Command::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn every_flag_is_read_in_both_spellings() {
        let args = run(&[
            "--addr=127.0.0.1:0",
            "--ranks",
            "3",
            "--first-rank=2",
            "--interval-ms",
            "10",
            "--seed",
            "9",
            "--steps=5",
            "--print-published",
        ])
        .unwrap();
        assert_eq!(
            args,
            WorkerArgs {
                addr: Some("127.0.0.1:0".parse().unwrap()),
                ranks: 3,
                first_rank: 2,
                interval: Duration::from_millis(10),
                seed: 9,
                steps: Some(5),
                print_published: true,
            }
        );
    }

    #[test]
    fn bad_command_lines_name_the_flag_and_value() {
        let cases = [
            (&["--ranks", "0"][..], "invalid value `0` for --ranks: expected a whole number in 1..=64"),
            (&["--interval-ms"], "--interval-ms needs a value; see --help"),
            (&["--verbose"], "unknown argument `--verbose`; see --help"),
            (&["--steps=-1"], "invalid value `-1` for --steps: expected a whole number in 0..=18446744073709551615"),
            (
                &["--addr", "localhost"],
                "invalid --addr `localhost`: expected an IP address and a port, such as 127.0.0.1:8081",
            ),
        ];
        for (args, message) in cases {
            assert_eq!(run(args).unwrap_err().to_string(), message, "{args:?}");
        }
    }
}
