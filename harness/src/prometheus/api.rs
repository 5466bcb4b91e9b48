//! The calls of Prometheus' HTTP API the tests make: the scrape targets and
//! their health, the rules and theirs, and an instant query.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;

use serde_json::Value;

use crate::http;

/// One scrape target, as `/api/v1/targets` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The `instance` label: the `HOST:PORT` scraped.
    pub instance: String,
    /// `up`, `down` or `unknown` (not scraped yet).
    pub health: String,
    /// Why the last scrape failed; empty when it did not.
    pub last_error: String,
}

/// One series of an instant query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Every label, the metric name as `__name__` included.
    pub labels: BTreeMap<String, String>,
    /// The value at the query's time.
    pub value: f64,
}

impl Series {
    /// The value of label `name`, if the series has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.get(name).map(String::as_str)
    }
}

/// `name{label="value",..} value`, the labels sorted: a whole line to
/// compare, and to read in a failure message. The value is printed with
/// `{:?}`, the shortest text that reads back as the same `f64`, so equal
/// lines mean equal bits.
///
/// ```
/// use harness::prometheus::Series;
///
/// let labels = [("__name__", "up"), ("job", "kvstats")];
/// let labels = labels.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
/// assert_eq!(Series { labels, value: 1.0 }.to_string(), r#"up{job="kvstats"} 1.0"#);
/// ```
impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<String> = self
            .labels
            .iter()
            .filter(|(key, _)| *key != "__name__")
            .map(|(key, value)| format!("{key}={value:?}"))
            .collect();
        let name = self.label("__name__").unwrap_or_default();
        write!(f, "{name}{{{}}} {:?}", labels.join(","), self.value)
    }
}

/// One recording or alerting rule, as `/api/v1/rules` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The name of its group.
    pub group: String,
    /// The series it records, or the alert's name.
    pub name: String,
    /// `recording` or `alerting`.
    pub kind: String,
    /// `ok`, `err`, or `unknown` (not evaluated yet).
    pub health: String,
    /// Why its last evaluation failed; empty when it did not.
    pub last_error: String,
}

/// The active targets of the Prometheus server at `addr`.
pub async fn targets(addr: SocketAddr) -> io::Result<Vec<Target>> {
    let data = call(addr, "/api/v1/targets").await?;
    let active = data["activeTargets"]
        .as_array()
        .ok_or_else(|| invalid(&data, "no activeTargets"))?;
    active
        .iter()
        .map(|target| {
            let text = |value: &Value| value.as_str().map(str::to_owned);
            Some(Target {
                instance: text(&target["labels"]["instance"])?,
                health: text(&target["health"])?,
                last_error: text(&target["lastError"]).unwrap_or_default(),
            })
        })
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(&data, "a target without instance or health"))
}

/// Every rule the Prometheus server at `addr` loaded, group by group.
pub async fn rules(addr: SocketAddr) -> io::Result<Vec<Rule>> {
    let data = call(addr, "/api/v1/rules").await?;
    let groups = data["groups"]
        .as_array()
        .ok_or_else(|| invalid(&data, "no groups"))?;
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let mut rules = Vec::new();
    for group in groups {
        let name = text(&group["name"]).ok_or_else(|| invalid(group, "a group without name"))?;
        let members = group["rules"]
            .as_array()
            .ok_or_else(|| invalid(group, "a group without rules"))?;
        for rule in members {
            let read = || {
                Some(Rule {
                    group: name.clone(),
                    name: text(&rule["name"])?,
                    kind: text(&rule["type"])?,
                    health: text(&rule["health"])?,
                    last_error: text(&rule["lastError"]).unwrap_or_default(),
                })
            };
            rules.push(read().ok_or_else(|| invalid(rule, "a rule without name, type or health"))?);
        }
    }
    Ok(rules)
}

/// The instant vector `expr` evaluates to now on the server at `addr`.
pub async fn query(addr: SocketAddr, expr: &str) -> io::Result<Vec<Series>> {
    let data = call(addr, &format!("/api/v1/query?query={}", encode(expr))).await?;
    if data["resultType"] != "vector" {
        return Err(invalid(&data, "not an instant vector"));
    }
    let result = data["result"]
        .as_array()
        .ok_or_else(|| invalid(&data, "no result"))?;
    result
        .iter()
        .map(|series| {
            let labels = series["metric"]
                .as_object()?
                .iter()
                .map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect::<Option<_>>()?;
            // `[timestamp, "value"]`: values are strings so that NaN and ±Inf fit in JSON.
            let value = series["value"][1].as_str()?.parse().ok()?;
            Some(Series { labels, value })
        })
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(&data, "a series without labels or value"))
}

/// `GET path` on the API, and the `data` of a `"status":"success"` answer.
async fn call(addr: SocketAddr, path: &str) -> io::Result<Value> {
    let response = http::get(addr, path).await?;
    let mut json: Value = serde_json::from_str(&response.body)
        .map_err(|e| io::Error::other(format!("{path}: {e}: {}", response.body)))?;
    if response.status != 200 || json["status"] != "success" {
        return Err(io::Error::other(format!(
            "{path}: status {}: {}",
            response.status, response.body
        )));
    }
    Ok(json["data"].take())
}

fn invalid(data: &Value, what: &str) -> io::Error {
    io::Error::other(format!("unexpected API answer ({what}): {data}"))
}

/// Percent-encodes `text` for a query string: everything but the
/// characters RFC 3986 leaves unreserved.
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(
            encode(r#"up{job="kvstats"} == 0"#),
            "up%7Bjob%3D%22kvstats%22%7D%20%3D%3D%200"
        );
        assert_eq!(encode("a_b:c~1.2"), "a_b%3Ac~1.2");
    }
}
