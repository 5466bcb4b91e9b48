//! Just enough of the text exposition format to check names and labels.

use std::collections::{BTreeMap, BTreeSet};

/// One metric family of a scrape, or the samples of one name: a histogram's
/// `# TYPE` line names its family, its samples `_bucket`, `_sum` and `_count`.
#[derive(Debug, Default)]
pub struct Family {
    pub help: String,
    pub kind: String,
    /// The labels of each series.
    pub series: Vec<BTreeMap<String, String>>,
}

/// The families of `text`, by the names its `# HELP`, `# TYPE` and sample
/// lines give.
pub fn parse(text: &str) -> BTreeMap<String, Family> {
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            families.entry(name.to_owned()).or_default().help = help.to_owned();
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, ""));
            families.entry(name.to_owned()).or_default().kind = kind.to_owned();
        } else if !line.is_empty() && !line.starts_with('#') {
            let (name, labels) = series(line);
            families.entry(name).or_default().series.push(labels);
        }
    }
    families
}

/// The name and labels of a sample line; label values of our metrics
/// contain no quotes or commas.
fn series(line: &str) -> (String, BTreeMap<String, String>) {
    let end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = line[..end].to_owned();
    let mut labels = BTreeMap::new();
    if line[end..].starts_with('{') {
        let close = line.find('}').expect("a closed label set");
        for pair in line[end + 1..close].split(',') {
            let (k, v) = pair.split_once('=').expect("label=value");
            labels.insert(k.to_owned(), v.trim_matches('"').to_owned());
        }
    }
    (name, labels)
}

/// The label names the series of `family` have, together.
pub fn label_names(family: &Family) -> BTreeSet<&str> {
    family
        .series
        .iter()
        .flat_map(|s| s.keys().map(String::as_str))
        .collect()
}
