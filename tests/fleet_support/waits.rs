//! Bounded waits on a Prometheus server.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use harness::prometheus::Prometheus;

use super::{ok, RuleFile, WAIT};

/// Waits until Prometheus has tried to scrape each of `targets` (it knows
/// them, and has a health other than `unknown`), so that workers started
/// now are scraped while they publish.
pub async fn wait_until_scraping(prometheus: &Prometheus, targets: &[SocketAddr]) {
    let wanted: BTreeSet<String> = targets.iter().map(SocketAddr::to_string).collect();
    let tried = harness::poll::until("every target tried", WAIT, || async {
        let targets = prometheus.targets().await.map_err(|e| e.to_string())?;
        let tried: BTreeSet<String> = targets
            .iter()
            .filter(|t| t.health != "unknown")
            .map(|t| t.instance.clone())
            .collect();
        if tried == wanted {
            Ok(())
        } else {
            Err(format!("{targets:?}"))
        }
    })
    .await;
    ok(tried.map_err(|e| format!("{e}\nprometheus log:\n{}", prometheus.log())));
}

/// Waits until every rule the server loaded from `rules` has been evaluated
/// without error.
pub async fn wait_for_healthy_rules(prometheus: &Prometheus, rules: &RuleFile) {
    let names: BTreeSet<String> = rules
        .recorded()
        .into_iter()
        .chain(rules.values("alert"))
        .collect();
    let count = rules.values("record").len() + rules.values("alert").len();
    let healthy = harness::poll::until("every rule evaluated", WAIT, || async {
        let loaded = prometheus.rules().await.map_err(|e| e.to_string())?;
        let loaded_names: BTreeSet<String> = loaded.iter().map(|r| r.name.clone()).collect();
        let all_ok = loaded.iter().all(|r| r.health == "ok");
        if loaded.len() == count && loaded_names == names && all_ok {
            Ok(())
        } else {
            Err(format!("{loaded:#?}"))
        }
    })
    .await;
    ok(healthy.map_err(|e| format!("{e}\nprometheus log:\n{}", prometheus.log())));
}
