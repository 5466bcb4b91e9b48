//! The command line of the `worker` example, read by clap: `--help`, the
//! defaults, the range checks and the errors (which name the flag and the
//! value, and exit with status 2) are clap's.

use std::net::SocketAddr;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::{CommandFactory as _, Parser};
use kvstats_core::server::parse_addr;

/// The settings of one worker run. Each field's doc is its flag's help.
///
/// ```
/// use clap::Parser;
/// use simulation::cli::WorkerArgs;
///
/// let args = WorkerArgs::try_parse_from(["worker", "--ranks", "2", "--seed=7"])?;
/// assert_eq!((args.ranks, args.seed, args.steps), (2, 7, None));
///
/// let err = WorkerArgs::try_parse_from(["worker", "--ranks", "0"]).unwrap_err();
/// assert_eq!(err.exit_code(), 2);
/// assert!(err.to_string().starts_with("error: invalid value '0' for '--ranks <N>': 0 is not in 1..=64"));
/// # Ok::<(), clap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "worker",
    about = "A simulated inference worker (namespace `dynamo`, component `backend`) that\n\
             publishes ForwardPassMetrics and EngineStats and serves them on /metrics.",
    long_about = None
)]
pub struct WorkerArgs {
    /// Address to serve on [default: $KVSTATS_METRICS_ADDR, else 127.0.0.1:8081]
    // `None` leaves it to `MetricsServer::new`, which reads the variable
    // (`addr_from_env`) and names it in its error.
    #[arg(long, value_name = "IP:PORT", value_parser = addr)]
    pub addr: Option<SocketAddr>,

    /// Data-parallel ranks, each with its publishers (1..=64)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub ranks: u32,

    /// The rank of the first publisher
    // The bound keeps `first_rank + ranks` within u32.
    #[arg(long, value_name = "R", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(u32::MAX - 64)))]
    pub first_rank: u32,

    /// Time between two publishes, in milliseconds (1..=3600000)
    #[arg(long = "interval-ms", value_name = "MS", default_value = "100",
          value_parser = clap::value_parser!(u64).range(1..=3_600_000).map(Duration::from_millis))]
    pub interval: Duration,

    /// Seed of the simulation; the same seed publishes the same values
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Publish N times, then keep the last values and keep serving
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,

    /// Print one line per publish: published rank=R step=N kv_active_blocks=..
    #[arg(long)]
    pub print_published: bool,

    /// Keep rank R's KV cache 97% full, over the KvCacheNearlyFull alert's 0.95 (restart without it to cool down)
    #[arg(long, value_name = "R")]
    pub hot_rank: Option<u32>,
}

impl WorkerArgs {
    /// The data-parallel ranks this worker publishes.
    ///
    /// ```
    /// use clap::Parser;
    ///
    /// let args = simulation::cli::WorkerArgs::parse_from(["worker", "--ranks=2", "--first-rank=4"]);
    /// assert_eq!(args.rank_ids().collect::<Vec<_>>(), [4, 5]);
    /// ```
    pub fn rank_ids(&self) -> impl Iterator<Item = u32> {
        self.first_rank..self.first_rank.saturating_add(self.ranks)
    }

    /// Reads `args` (the program's name first) as clap does, then checks
    /// what one flag alone cannot say: that `--hot-rank` is one of the
    /// worker's ranks (a hot rank that is not published would never drive
    /// the alert it is there for).
    ///
    /// ```
    /// use simulation::cli::WorkerArgs;
    ///
    /// let args = WorkerArgs::try_parse_checked(["worker", "--ranks=2", "--hot-rank=1"])?;
    /// assert_eq!(args.hot_rank, Some(1));
    /// let err = WorkerArgs::try_parse_checked(["worker", "--hot-rank=1"]).unwrap_err();
    /// assert_eq!(err.exit_code(), 2);
    /// # Ok::<(), clap::Error>(())
    /// ```
    pub fn try_parse_checked<I, T>(args: I) -> Result<WorkerArgs, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args = WorkerArgs::try_parse_from(args)?;
        match args.hot_rank {
            Some(hot) if !args.rank_ids().any(|rank| rank == hot) => {
                let last = args.first_rank + (args.ranks - 1);
                Err(WorkerArgs::command().error(
                    clap::error::ErrorKind::ValueValidation,
                    format!(
                        "invalid value '{hot}' for '--hot-rank <R>': not one of the ranks \
                         {}..={last} this worker publishes",
                        args.first_rank
                    ),
                ))
            }
            _ => Ok(args),
        }
    }
}

/// The command line of this process: prints the help and exits with status
/// 0 for `--help`, prints the error and exits with status 2 for arguments
/// that cannot be run.
pub fn parse() -> WorkerArgs {
    WorkerArgs::try_parse_checked(std::env::args_os()).unwrap_or_else(|e| e.exit())
}

/// `--addr`: an `IP:PORT`, as `kvstats_core` reads addresses everywhere.
fn addr(value: &str) -> kvstats_core::Result<SocketAddr> {
    parse_addr("--addr", value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<WorkerArgs, clap::Error> {
        WorkerArgs::try_parse_checked(std::iter::once("worker").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_is_well_formed() {
        WorkerArgs::command().debug_assert();
    }

    #[test]
    fn no_flag_gives_the_defaults() {
        assert_eq!(
            run(&[]).unwrap(),
            WorkerArgs {
                addr: None,
                ranks: 1,
                first_rank: 0,
                interval: Duration::from_millis(100),
                seed: 42,
                steps: None,
                print_published: false,
                hot_rank: None,
            }
        );
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
            "--hot-rank",
            "4",
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
                hot_rank: Some(4),
            }
        );
    }

    #[test]
    fn bad_command_lines_name_the_flag_and_value_and_exit_2() {
        let cases = [
            (&["--ranks", "0"][..], "error: invalid value '0' for '--ranks <N>': 0 is not in 1..=64"),
            (&["--ranks=65"], "error: invalid value '65' for '--ranks <N>': 65 is not in 1..=64"),
            (
                &["--first-rank", "4294967232"],
                "error: invalid value '4294967232' for '--first-rank <R>': 4294967232 is not in 0..=4294967231",
            ),
            (
                &["--interval-ms=0"],
                "error: invalid value '0' for '--interval-ms <MS>': 0 is not in 1..=3600000",
            ),
            (
                &["--interval-ms", "3600001"],
                "error: invalid value '3600001' for '--interval-ms <MS>': 3600001 is not in 1..=3600000",
            ),
            (
                &["--steps=-1"],
                "error: invalid value '-1' for '--steps <N>': invalid digit found in string",
            ),
            (
                &["--seed", "x"],
                "error: invalid value 'x' for '--seed <S>': invalid digit found in string",
            ),
            (
                &["--interval-ms"],
                "error: a value is required for '--interval-ms <MS>' but none was supplied",
            ),
            (&["--verbose"], "error: unexpected argument '--verbose' found"),
            (
                &["--hot-rank", "1"],
                "error: invalid value '1' for '--hot-rank <R>': not one of the ranks 0..=0 \
                 this worker publishes",
            ),
            (
                &["--first-rank=2", "--ranks=2", "--hot-rank=4"],
                "error: invalid value '4' for '--hot-rank <R>': not one of the ranks 2..=3 \
                 this worker publishes",
            ),
            (
                &["--addr", "localhost"],
                "error: invalid value 'localhost' for '--addr <IP:PORT>': invalid --addr \
                 `localhost`: expected an IP address and a port, such as 127.0.0.1:8081",
            ),
        ];
        for (args, message) in cases {
            let err = run(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
            let text = err.to_string();
            assert_eq!(text.lines().next(), Some(message), "{args:?}: {text}");
        }
    }
}
