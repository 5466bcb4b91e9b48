//! Bounded waiting for something another process does in its own time (a
//! Prometheus scrape, a server closing a connection): try, sleep, try again,
//! and give up with what was last seen.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How long to sleep between two attempts.
const PAUSE: Duration = Duration::from_millis(100);

/// Calls `attempt` until it returns `Ok`, for at most `timeout`. On timeout
/// the error names `what` and carries the last attempt's error, so a failing
/// test says what it saw instead of only that it waited.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
///
/// let mut tries = 0;
/// let value = harness::poll::until("the third try", Duration::from_secs(5), || {
///     tries += 1;
///     let result = if tries == 3 { Ok(tries) } else { Err(format!("try {tries}")) };
///     async move { result }
/// })
/// .await;
/// assert_eq!(value, Ok(3));
///
/// let never = harness::poll::until("never", Duration::from_millis(1), || async {
///     Err::<(), _>("still no".to_string())
/// })
/// .await;
/// assert_eq!(never.unwrap_err(), "never: not within 1ms; last seen: still no");
/// # }
/// ```
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut attempt: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match attempt().await {
            Ok(value) => return Ok(value),
            Err(last) => last,
        };
        if Instant::now() + PAUSE > deadline {
            return Err(format!("{what}: not within {timeout:?}; last seen: {last}"));
        }
        tokio::time::sleep(PAUSE).await;
    }
}
