//! The fleet view as a Prometheus rule file: a group of recording rules per
//! level, then the alerting rules (see `fleet.rs` for what each holds).

use super::fleet::{Level, Plan, FLEET};
use super::yaml::{comment, field, key};
use super::{slug, Catalog, GENERATED};

pub(super) fn render(catalog: &Catalog) -> String {
    let entries = catalog.entries();
    let plan = Plan::new(catalog, &entries);
    let prefix = slug(catalog.title());
    let mut out = String::new();
    comment(&mut out, 0, GENERATED);
    comment(
        &mut out,
        0,
        &format!(
            "The fleet view of `{title}`. Load this file in every Prometheus that scrapes the \
             workers,\nand in one that federates their `{level}:` series (or in the ruler of a \
             remote-write store):\n- `{level}:` series aggregate the workers each Prometheus \
             scrapes;\n- `{FLEET}:` series aggregate those over every Prometheus, dropping their \
             external labels\n  (on a single Prometheus they equal the `{level}:` series).",
            title = catalog.title(),
            level = plan.level,
        ),
    );
    if plan.records.is_empty() && plan.alerts.is_empty() {
        out.push_str("groups: []\n");
        return out;
    }
    key(&mut out, 0, "groups");
    for (level, name) in [
        (Level::Registry, plan.level.as_str()),
        (Level::Fleet, FLEET),
    ] {
        let records: Vec<_> = plan.records.iter().filter(|r| r.level == level).collect();
        if records.is_empty() {
            continue;
        }
        group_head(&mut out, &format!("{prefix}:{name}"));
        let mut source = "";
        for record in records {
            let entry = &entries[record.entry];
            if entry.source != source {
                comment(&mut out, 6, &entry.source);
                source = &entry.source;
            }
            first_field(&mut out, "record", &record.name);
            field(&mut out, 8, "expr", &record.expr);
            if !record.labels.is_empty() {
                key(&mut out, 8, "labels");
                for (k, v) in &record.labels {
                    field(&mut out, 10, k, v);
                }
            }
        }
    }
    if !plan.alerts.is_empty() {
        group_head(&mut out, &format!("{prefix}:alerts"));
        for alert in &plan.alerts {
            comment(&mut out, 6, &entries[alert.entry].source);
            first_field(&mut out, "alert", alert.name);
            field(&mut out, 8, "expr", &alert.expr);
            field(&mut out, 8, "for", alert.hold);
            key(&mut out, 8, "labels");
            field(&mut out, 10, "severity", alert.severity);
            key(&mut out, 8, "annotations");
            field(&mut out, 10, "summary", alert.summary);
            field(&mut out, 10, "description", &alert.description);
        }
    }
    out
}

fn group_head(out: &mut String, name: &str) {
    out.push_str(&format!("  - name: {}\n", super::yaml::quoted(name)));
    key(out, 4, "rules");
}

/// The first field of a list item: `- key: "value"`.
fn first_field(out: &mut String, key: &str, value: &str) {
    out.push_str(&format!("      - {key}: {}\n", super::yaml::quoted(value)));
}
