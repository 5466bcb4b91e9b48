//! The naming rules, written once as `const fn`s: the derive compiles this
//! very file (`kvstats-derive/src/names.rs` is a link to it) and checks every
//! name it can see while it expands, and the registry runs the same functions
//! on the names it gets at run time.
//!
//! Metric names and label names follow the Prometheus data model with two
//! restrictions of our own: no colons (they are reserved for recording rules)
//! and ASCII only. Names starting with `__` are reserved by Prometheus.
//!
//! ```
//! use kvstats_core::names::{check_name, Problem};
//!
//! assert!(check_name("kvstats_active_blocks").is_ok());
//! let err = check_name("active-blocks").unwrap_err();
//! assert_eq!(err.problem(), Problem::InvalidChar { index: 6 });
//! assert_eq!(check_name("1abc").unwrap_err().problem(), Problem::LeadingDigit);
//! assert_eq!(check_name("__x").unwrap_err().problem(), Problem::Reserved);
//! ```

/// Which rule a name was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Metric names, their parts and label names: `[a-zA-Z_][a-zA-Z0-9_]*`,
    /// not starting with `__` ([`check_name`]).
    Name,
    /// Names of registry levels (namespace, component, endpoint), which may
    /// also contain `-` after the first character: `[a-zA-Z_][a-zA-Z0-9_-]*`
    /// ([`check_level_name`]).
    LevelName,
}

impl Rule {
    /// The pattern names of this rule match.
    ///
    /// ```
    /// use kvstats_core::names::Rule;
    ///
    /// assert_eq!(Rule::LevelName.pattern(), "[a-zA-Z_][a-zA-Z0-9_-]*");
    /// ```
    pub const fn pattern(self) -> &'static str {
        match self {
            Rule::Name => "[a-zA-Z_][a-zA-Z0-9_]*",
            Rule::LevelName => "[a-zA-Z_][a-zA-Z0-9_-]*",
        }
    }
}

/// What is wrong with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
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
    /// The byte at `index` is not allowed by the rule.
    InvalidChar {
        /// Byte offset of the first offending byte.
        index: usize,
    },
}

/// Why a name was rejected: the problem and the rule it breaks.
///
/// ```
/// use kvstats_core::names::{check_level_name, Problem, Rule};
///
/// let err = check_level_name("a.b").unwrap_err();
/// assert_eq!(err.problem(), Problem::InvalidChar { index: 1 });
/// assert_eq!(err.rule(), Rule::LevelName);
/// assert!(err.message().ends_with("level names match [a-zA-Z_][a-zA-Z0-9_-]*"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameError {
    problem: Problem,
    rule: Rule,
}

impl NameError {
    /// What is wrong.
    pub const fn problem(&self) -> Problem {
        self.problem
    }

    /// The rule that was applied.
    pub const fn rule(&self) -> Rule {
        self.rule
    }

    /// A sentence that says what is wrong and which rule applies.
    ///
    /// ```
    /// use kvstats_core::names::check_name;
    ///
    /// assert_eq!(
    ///     check_name("a-b").unwrap_err().message(),
    ///     "name contains a character other than ASCII letters, digits and `_`; \
    ///      names match [a-zA-Z_][a-zA-Z0-9_]*",
    /// );
    /// ```
    pub const fn message(&self) -> &'static str {
        match (self.problem, self.rule) {
            (Problem::Empty, Rule::Name) => "name is empty; names match [a-zA-Z_][a-zA-Z0-9_]*",
            (Problem::Empty, Rule::LevelName) => {
                "name is empty; level names match [a-zA-Z_][a-zA-Z0-9_-]*"
            }
            (Problem::LeadingDigit, Rule::Name) => {
                "name starts with a digit; names match [a-zA-Z_][a-zA-Z0-9_]*"
            }
            (Problem::LeadingDigit, Rule::LevelName) => {
                "name starts with a digit; level names match [a-zA-Z_][a-zA-Z0-9_-]*"
            }
            (Problem::Reserved, _) => "names starting with `__` are reserved by Prometheus",
            (Problem::Colon { .. }, _) => {
                "name contains `:`; colons are reserved for recording rules, use `_` instead"
            }
            (Problem::InvalidChar { index: 0 }, Rule::LevelName) => {
                "name starts with a character other than an ASCII letter or `_`; level names \
                 match [a-zA-Z_][a-zA-Z0-9_-]*"
            }
            (Problem::InvalidChar { .. }, Rule::Name) => {
                "name contains a character other than ASCII letters, digits and `_`; names \
                 match [a-zA-Z_][a-zA-Z0-9_]*"
            }
            (Problem::InvalidChar { .. }, Rule::LevelName) => {
                "name contains a character other than ASCII letters, digits, `_` and `-`; \
                 level names match [a-zA-Z_][a-zA-Z0-9_-]*"
            }
        }
    }
}

impl core::fmt::Display for NameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for NameError {}

/// Checks a metric name, a part of one (prefix, field name, unit) or a label
/// name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
///
/// ```
/// use kvstats_core::names::check_name;
///
/// assert!(check_name("gpu_cache_usage_ratio").is_ok());
/// assert!(check_name("tokens/s").is_err());
/// ```
pub const fn check_name(name: &str) -> Result<(), NameError> {
    check(name, Rule::Name)
}

/// Checks the name of a registry level (namespace, component, endpoint).
///
/// These names become label values and are used as identifiers elsewhere
/// (service discovery, paths), so they follow [`check_name`] except that `-`
/// is allowed after the first character (`vllm-worker`).
///
/// ```
/// use kvstats_core::names::check_level_name;
///
/// assert!(check_level_name("vllm-worker").is_ok());
/// assert!(check_level_name("-worker").is_err());
/// ```
pub const fn check_level_name(name: &str) -> Result<(), NameError> {
    check(name, Rule::LevelName)
}

const fn check(name: &str, rule: Rule) -> Result<(), NameError> {
    const fn fail(problem: Problem, rule: Rule) -> Result<(), NameError> {
        Err(NameError { problem, rule })
    }
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return fail(Problem::Empty, rule);
    }
    if bytes[0].is_ascii_digit() {
        return fail(Problem::LeadingDigit, rule);
    }
    if bytes.len() >= 2 && bytes[0] == b'_' && bytes[1] == b'_' {
        return fail(Problem::Reserved, rule);
    }
    let dash_allowed = matches!(rule, Rule::LevelName);
    let mut index = 0;
    while index < bytes.len() {
        let b = bytes[index];
        if b == b':' {
            return fail(Problem::Colon { index }, rule);
        }
        let dash_ok = dash_allowed && index > 0 && b == b'-';
        if !(b.is_ascii_alphanumeric() || b == b'_' || dash_ok) {
            return fail(Problem::InvalidChar { index }, rule);
        }
        index += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(result: Result<(), NameError>) -> Option<Problem> {
        result.err().map(|e| e.problem())
    }

    #[test]
    fn accepts_prometheus_identifiers() {
        for ok in ["a", "_a", "kvstats_active_blocks", "A1_b2", "_"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_each_class_of_bad_name() {
        assert_eq!(problem(check_name("")), Some(Problem::Empty));
        assert_eq!(problem(check_name("1abc")), Some(Problem::LeadingDigit));
        assert_eq!(problem(check_name("__x")), Some(Problem::Reserved));
        assert_eq!(
            problem(check_name("a:b")),
            Some(Problem::Colon { index: 1 })
        );
        for (bad, index) in [("a-b", 1), ("név", 1), ("a b", 1), ("tokens/s", 6)] {
            assert_eq!(
                problem(check_name(bad)),
                Some(Problem::InvalidChar { index }),
                "{bad}"
            );
        }
    }

    #[test]
    fn level_names_allow_inner_dashes_and_say_so() {
        assert_eq!(check_level_name("vllm-worker"), Ok(()));
        assert_eq!(check_level_name("dynamo"), Ok(()));
        let err = check_level_name("-x").unwrap_err();
        assert_eq!(err.problem(), Problem::InvalidChar { index: 0 });
        assert!(err.message().contains("[a-zA-Z_][a-zA-Z0-9_-]*"), "{err}");
        let err = check_level_name("a.b").unwrap_err();
        assert!(err.message().contains("`_` and `-`"), "{err}");
        assert_eq!(
            problem(check_level_name("a:b")),
            Some(Problem::Colon { index: 1 })
        );
        assert_eq!(problem(check_level_name("__x")), Some(Problem::Reserved));
        assert_eq!(problem(check_level_name("1x")), Some(Problem::LeadingDigit));
        assert_eq!(problem(check_level_name("")), Some(Problem::Empty));
    }

    #[test]
    fn metric_name_messages_never_mention_dashes() {
        for bad in ["", "1x", "a-b", "a.b"] {
            let err = check_name(bad).unwrap_err();
            assert!(!err.message().contains("`-`"), "{bad}: {err}");
            assert!(
                err.message().contains("[a-zA-Z_][a-zA-Z0-9_]*"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn rules_are_usable_in_const_context() {
        const OK: bool = check_name("kvstats_x").is_ok();
        const _: () = assert!(OK);
    }
}
