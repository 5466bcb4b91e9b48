//! The selectors and groupings of a PromQL expression:
//! `name{label op "value", ...}` and `by (label, ...)`.

/// One matcher of a selector.
#[derive(Debug)]
pub struct Matcher {
    pub label: String,
    pub op: String,
    pub value: String,
}

/// Every `name{...}` in `expr`.
pub fn selectors(expr: &str) -> Vec<(String, Vec<Matcher>)> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b"_:".contains(&bytes[i])) {
            i += 1;
        }
        if i > start && i < bytes.len() && bytes[i] == b'{' {
            let close = expr[i..]
                .find('}')
                .map(|c| i + c)
                .expect("a closed selector");
            out.push((expr[start..i].to_owned(), matchers(&expr[i + 1..close])));
            i = close;
        }
        i += 1;
    }
    out
}

fn matchers(body: &str) -> Vec<Matcher> {
    body.split(',')
        .filter(|m| !m.is_empty())
        .map(|m| {
            let op_at = m.find(['=', '!']).expect("a matcher operator");
            let value_at = m.find('"').expect("a quoted value");
            Matcher {
                label: m[..op_at].trim().to_owned(),
                op: m[op_at..value_at].trim().to_owned(),
                value: m[value_at..].trim_matches('"').to_owned(),
            }
        })
        .collect()
}

/// The labels of every `by (...)` in `expr`.
pub fn groupings(expr: &str) -> Vec<Vec<String>> {
    expr.split(" by (")
        .skip(1)
        .map(|rest| {
            let list = rest.split(')').next().unwrap_or_default();
            list.split(',').map(|l| l.trim().to_owned()).collect()
        })
        .collect()
}
