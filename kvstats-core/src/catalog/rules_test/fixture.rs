//! The workers and ranks every input series of the tests is built from.

use super::super::Catalog;
use super::{JOB, WORKERS};

/// One instance of the test: a worker and, when the catalog has
/// per-registration labels, a rank.
pub(super) struct Instance {
    pub(super) worker: &'static str,
    pub(super) labels: Vec<(String, String)>,
}

/// The instances and labels every input series is built from.
pub(super) struct Fixture {
    pub(super) fixed: Vec<(String, String)>,
    pub(super) instances: Vec<Instance>,
}

impl Fixture {
    /// Two workers with two and three ranks, or three workers when
    /// registrations set no labels of their own.
    pub(super) fn new(catalog: &Catalog) -> Fixture {
        let ranked = !catalog.instance_labels().is_empty();
        let layout: Vec<(&'static str, Option<&str>)> = if ranked {
            vec![
                (WORKERS[0], Some("0")),
                (WORKERS[0], Some("1")),
                (WORKERS[1], Some("0")),
                (WORKERS[1], Some("1")),
                (WORKERS[1], Some("2")),
            ]
        } else {
            WORKERS.iter().map(|w| (*w, None)).collect()
        };
        let instances = layout
            .into_iter()
            .map(|(worker, rank)| Instance {
                worker,
                labels: catalog
                    .instance_labels()
                    .iter()
                    .map(|l| (l.clone(), rank.unwrap_or_default().to_owned()))
                    .collect(),
            })
            .collect();
        Fixture {
            fixed: catalog.fixed_labels().to_vec(),
            instances,
        }
    }

    /// The labels of instance `k`'s series of `entry` for `combo` (values of
    /// the metric's own labels), scrape labels included.
    pub(super) fn series_labels(&self, k: usize, combo: &[(&str, &str)]) -> Vec<(String, String)> {
        let instance = &self.instances[k];
        let mut labels = self.fixed.clone();
        labels.push(("job".to_owned(), JOB.to_owned()));
        labels.push(("instance".to_owned(), instance.worker.to_owned()));
        labels.extend(instance.labels.iter().cloned());
        labels.extend(
            combo
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        labels
    }

    /// The labels a rule grouped `by` keeps, for `combo`.
    pub(super) fn group_labels(
        &self,
        by: &[String],
        combo: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        by.iter()
            .map(|name| {
                let value = self
                    .fixed
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
                    .or_else(|| combo.iter().find(|(k, _)| k == name).map(|(_, v)| *v))
                    .unwrap_or(JOB);
                (name.clone(), value.to_owned())
            })
            .collect()
    }
}
