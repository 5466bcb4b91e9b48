//! The naming rules, written once as `const fn`s so that the derive (through
//! constants it generates) and the runtime registry enforce exactly the same rule.
//!
//! Metric names and label names follow the Prometheus data model with two
//! restrictions of our own: no colons (they are reserved for recording rules)
//! and ASCII only. Names starting with `__` are reserved by Prometheus.
//!
//! ```
//! use kvstats_core::names::{check_name, NameError};
//!
//! assert!(check_name("kvstats_active_blocks").is_ok());
//! assert_eq!(check_name("active-blocks"), Err(NameError::InvalidChar { index: 6 }));
//! assert_eq!(check_name("1abc"), Err(NameError::LeadingDigit));
//! assert_eq!(check_name("__x"), Err(NameError::Reserved));
//! ```

/// Why a name was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    Empty,
    /// The name starts with a digit.
    LeadingDigit,
    /// The name starts with `__`, which Prometheus reserves for internal use.
    Reserved,
    /// The byte at `index` is a colon; colons are reserved for recording rules.
    Colon {
        /// Byte offset of the colon.
        index: usize,
    },
    /// The byte at `index` is neither an ASCII letter, an ASCII digit nor `_`.
    InvalidChar {
        /// Byte offset of the first offending byte.
        index: usize,
    },
}

impl NameError {
    /// A sentence that says what is wrong and what is allowed instead.
    pub const fn message(&self) -> &'static str {
        match self {
            NameError::Empty => "name is empty; use ASCII letters, digits and `_`",
            NameError::LeadingDigit => {
                "name starts with a digit; names must match [a-zA-Z_][a-zA-Z0-9_]*"
            }
            NameError::Reserved => "names starting with `__` are reserved by Prometheus",
            NameError::Colon { .. } => {
                "name contains `:`; colons are reserved for recording rules, use `_` instead"
            }
            NameError::InvalidChar { .. } => {
                "name contains a character other than ASCII letters, digits and `_`; names must match [a-zA-Z_][a-zA-Z0-9_]*"
            }
        }
    }
}

impl core::fmt::Display for NameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

/// Checks a metric name, a part of one (prefix, field name, unit) or a label
/// name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
pub const fn check_name(name: &str) -> Result<(), NameError> {
    check(name, false)
}

/// Checks the name of a registry level (namespace, component, endpoint).
///
/// These names become label values and are used as identifiers elsewhere
/// (service discovery, paths), so they follow [`check_name`] except that `-`
/// is allowed after the first character (`vllm-worker`).
pub const fn check_level_name(name: &str) -> Result<(), NameError> {
    check(name, true)
}

const fn check(name: &str, allow_inner_dash: bool) -> Result<(), NameError> {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return Err(NameError::Empty);
    }
    if bytes[0].is_ascii_digit() {
        return Err(NameError::LeadingDigit);
    }
    if bytes.len() >= 2 && bytes[0] == b'_' && bytes[1] == b'_' {
        return Err(NameError::Reserved);
    }
    let mut index = 0;
    while index < bytes.len() {
        let b = bytes[index];
        let dash_ok = allow_inner_dash && index > 0 && b == b'-';
        if b == b':' {
            return Err(NameError::Colon { index });
        }
        if !(b.is_ascii_alphanumeric() || b == b'_' || dash_ok) {
            return Err(NameError::InvalidChar { index });
        }
        index += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_prometheus_identifiers() {
        for ok in ["a", "_a", "kvstats_active_blocks", "A1_b2", "_"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_each_class_of_bad_name() {
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name("1abc"), Err(NameError::LeadingDigit));
        assert_eq!(check_name("__x"), Err(NameError::Reserved));
        assert_eq!(check_name("a:b"), Err(NameError::Colon { index: 1 }));
        assert_eq!(check_name("a-b"), Err(NameError::InvalidChar { index: 1 }));
        assert_eq!(check_name("név"), Err(NameError::InvalidChar { index: 1 }));
        assert_eq!(check_name("a b"), Err(NameError::InvalidChar { index: 1 }));
    }

    #[test]
    fn level_names_allow_dashes_but_nothing_else_new() {
        assert_eq!(check_level_name("vllm-worker"), Ok(()));
        assert_eq!(check_level_name("dynamo"), Ok(()));
        assert_eq!(
            check_level_name("-x"),
            Err(NameError::InvalidChar { index: 0 })
        );
        assert_eq!(
            check_level_name("a.b"),
            Err(NameError::InvalidChar { index: 1 })
        );
        assert_eq!(check_level_name("a:b"), Err(NameError::Colon { index: 1 }));
        assert_eq!(check_level_name("__x"), Err(NameError::Reserved));
        assert_eq!(check_level_name("1x"), Err(NameError::LeadingDigit));
        assert_eq!(check_level_name(""), Err(NameError::Empty));
    }

    #[test]
    fn rules_are_usable_in_const_context() {
        const OK: bool = check_name("kvstats_x").is_ok();
        const _: () = assert!(OK);
    }
}
