//! The catalog as JSON, for tools that are not written in Rust.

use super::json_value::{obj, Json};
use super::{Catalog, Entry, Label, GENERATED};

/// The version of the layout [`Format::Json`](super::Format::Json) writes;
/// raised when a field is renamed or removed, not when one is added.
///
/// ```
/// use kvstats_core::catalog::{Catalog, Format, SCHEMA_VERSION};
/// use kvstats_core::Registry;
///
/// let json = Catalog::new(&Registry::new()).render(Format::Json);
/// assert!(json.contains(&format!("\"schema_version\": {SCHEMA_VERSION},")));
/// ```
pub const SCHEMA_VERSION: u32 = 1;

pub(super) fn render(catalog: &Catalog) -> String {
    let labels = catalog
        .fixed_labels()
        .iter()
        .map(|(k, v)| label(k, Some(v)))
        .chain(catalog.instance_labels().iter().map(|k| label(k, None)))
        .collect();
    obj([
        ("schema_version", Json::from(i64::from(SCHEMA_VERSION))),
        ("comment", Json::from(GENERATED)),
        ("title", Json::from(catalog.title())),
        ("root_prefix", Json::from(catalog.root_prefix())),
        ("labels", Json::Arr(labels)),
        (
            "metrics",
            Json::Arr(catalog.entries().iter().map(metric).collect()),
        ),
    ])
    .pretty()
}

fn label(name: &str, value: Option<&str>) -> Json {
    obj([("name", Json::from(name)), ("value", Json::from(value))])
}

fn metric(entry: &Entry) -> Json {
    let labels = entry
        .labels
        .iter()
        .map(|Label { name, .. }| Json::from(name.as_str()))
        .collect();
    obj([
        ("name", Json::from(entry.name.as_str())),
        ("base_name", Json::from(entry.base_name)),
        ("type", Json::from(entry.kind.as_str())),
        ("unit", Json::from(entry.unit)),
        ("labels", Json::Arr(labels)),
        ("help", Json::from(entry.help)),
        ("group", Json::from(entry.group)),
        ("source", Json::from(entry.source.as_str())),
        ("replaced_by", Json::from(entry.replaced_by.as_deref())),
    ])
}
