//! The places `#[prom(..)]` stands in, and what to say about a key that a
//! place does not take. The keys themselves, and the two places, are
//! declared in `attr.rs`.

/// Where an attribute stands, and the keys it takes there.
pub struct Place {
    pub what: &'static str,
    pub keys: &'static [&'static str],
    /// Where the keys of this place go, for a key written in the other place.
    pub put: &'static str,
}

impl Place {
    pub fn list(&self) -> String {
        self.keys.join(", ")
    }

    /// The error for `key`, which this place does not take: where it belongs
    /// if it is a key of the `other` place, else the nearest known key if one
    /// is close, and always the list of keys this place takes.
    pub fn unknown(&self, other: &Place, key: &str) -> String {
        let (what, list) = (self.what, self.list());
        if other.keys.contains(&key) {
            return format!(
                "`{key}` is a {} attribute: put it in the `#[prom(..)]` {}; {what} keys are: \
                 {list}",
                other.what, other.put
            );
        }
        match self.nearest(key) {
            Some(near) => format!(
                "unknown kvstats {what} attribute `{key}`; did you mean `{near}`? expected one \
                 of: {list}"
            ),
            None => format!("unknown kvstats {what} attribute `{key}`; expected one of: {list}"),
        }
    }

    /// A key at most two edits from `key` (a typo), if there is one.
    fn nearest(&self, key: &str) -> Option<&'static str> {
        self.keys
            .iter()
            .map(|k| (edit_distance(k, key), *k))
            .filter(|(d, _)| *d <= 2 && *d < key.chars().count())
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion_and_misplaced_keys_a_place() {
        const CONTAINER: Place = Place {
            what: "container",
            keys: &["prefix", "module"],
            put: "on the struct",
        };
        const FIELD: Place = Place {
            what: "field",
            keys: &["name", "help"],
            put: "on a field",
        };
        assert!(FIELD
            .unknown(&CONTAINER, "hepl")
            .contains("did you mean `help`?"));
        assert!(FIELD
            .unknown(&CONTAINER, "prefix")
            .starts_with("`prefix` is a container attribute"));
        assert!(CONTAINER
            .unknown(&FIELD, "name")
            .starts_with("`name` is a field attribute"));
        assert!(!FIELD.unknown(&CONTAINER, "colour").contains("did you mean"));
        assert!(!FIELD.unknown(&CONTAINER, "").contains("did you mean"));
    }

    #[test]
    fn edit_distance_counts_single_char_edits() {
        assert_eq!(edit_distance("help", "help"), 0);
        assert_eq!(edit_distance("help", "hepl"), 2);
        assert_eq!(edit_distance("max", "maxx"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("név", "nev"), 1);
    }
}
