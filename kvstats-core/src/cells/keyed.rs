//! The cells of a keyed field (`#[prom(label = "..")]` on a map): one value
//! per key, up to a cap. Keys are only known at run time, so they live in a
//! sorted list behind a short lock the scrape shares. An update whose keys
//! were all seen before allocates nothing; a new key allocates once, for
//! its text.

use core::cmp::Ordering;
use core::fmt::{self, Write as _};
use std::sync::{Mutex, MutexGuard};

use super::counter::refusal;
use super::{Drops, Mode, ReadSeries, Reason, SeriesKey};

/// Keys up to this many bytes are written on the stack before they are
/// looked up; a longer one goes to a string kept between updates.
const INLINE: usize = 128;

/// One value per key of a map field: the key (as its `Display` writes it)
/// is the label value of its series.
///
/// At most `MAX` keys are kept: values of further keys are dropped and
/// counted in `kvstats_values_dropped_total` (`reason="over_max"`). A gauge's
/// update replaces the set of keys (a key that disappears leaves the scrape);
/// a counter's keys stay once seen.
///
/// Allocation: none for keys seen before; one for a new key's text. The
/// first key also makes room for all `MAX` (one more allocation, of
/// 32 bytes a key), so later keys never grow the list; a key longer than
/// 128 bytes may cost one more the first time one that long is written.
///
/// ```
/// use kvstats_core::PerKey;
///
/// let adapters = PerKey::<2>::new();
/// adapters.set_all([("sql-lora", 3.0), ("chat-lora", 1.0), ("third", 7.0)]);
/// assert_eq!(adapters.values(), [("chat-lora".to_owned(), 1.0), ("sql-lora".to_owned(), 3.0)]);
/// assert_eq!(adapters.dropped(), 1);
/// ```
pub struct PerKey<const MAX: usize> {
    keys: Mutex<Keys>,
    drops: Drops,
}

#[derive(Default)]
struct Keys {
    /// In key order (bytes compared, as `str` compares); no capacity until
    /// the first key, then room for `MAX`.
    entries: Vec<Entry>,
    /// Where a key longer than [`INLINE`] bytes is written; kept between updates.
    long: String,
    /// Counts updates, so a gauge's update can tell the keys it saw.
    generation: u64,
}

struct Entry {
    key: Box<str>,
    value: f64,
    seen: u64,
}

impl<const MAX: usize> PerKey<MAX> {
    /// No keys.
    pub fn new() -> Self {
        PerKey {
            keys: Mutex::new(Keys::default()),
            drops: Drops::new(),
        }
    }

    /// Replaces the keys and values with `items` (a gauge's update).
    pub fn set_all<K: fmt::Display>(&self, items: impl IntoIterator<Item = (K, f64)>) {
        self.store(items.into_iter().map(|(k, v)| (k, Some(v))), Mode::Set);
    }

    /// Writes `items` as `mode` says; an item without a value is no series
    /// (for a gauge) or no change (for a counter).
    pub(crate) fn store<K: fmt::Display>(
        &self,
        items: impl IntoIterator<Item = (K, Option<f64>)>,
        mode: Mode,
    ) {
        let mut keys = self.lock();
        let Keys {
            entries,
            long,
            generation,
        } = &mut *keys;
        *generation += 1;
        let generation = *generation;
        let mut text = KeyText::new(long);
        for (key, value) in items {
            let Some(value) = value else { continue };
            // A counter holds no negative, infinite or NaN value.
            if mode != Mode::Set {
                if let Some(reason) = refusal(value) {
                    self.drops.count(reason, 1);
                    continue;
                }
            }
            let key = text.write(key);
            let at = match find(entries, key) {
                Ok(at) => {
                    let known = &mut entries[at];
                    known.value = match mode {
                        Mode::Delta => known.value + value,
                        Mode::Set | Mode::Total => value,
                    };
                    known.seen = generation;
                    continue;
                }
                Err(at) => at,
            };
            let at = if entries.len() < MAX {
                at
            } else if mode == Mode::Set && evict_unseen(entries, generation) {
                // The eviction may have moved the place of the new key.
                find(entries, key).unwrap_or_else(|at| at)
            } else {
                self.drops.count(Reason::OverMax, 1);
                continue;
            };
            if entries.capacity() == 0 {
                entries.reserve_exact(MAX);
            }
            let entry = Entry {
                key: core::str::from_utf8(key).unwrap_or_default().into(),
                value,
                seen: generation,
            };
            entries.insert(at, entry);
        }
        if mode == Mode::Set {
            entries.retain(|e| e.seen == generation);
        }
    }

    /// Removes every key (a gauge's `None`).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// The keys and values, in key order.
    pub fn values(&self) -> Vec<(String, f64)> {
        let keys = self.lock();
        keys.entries
            .iter()
            .map(|e| (e.key.to_string(), e.value))
            .collect()
    }

    /// How many values were dropped because their key was past the cap, ever.
    pub fn dropped(&self) -> u64 {
        self.drops.get(Reason::OverMax)
    }

    fn lock(&self) -> MutexGuard<'_, Keys> {
        // The list is valid after any panic (no update leaves it half-written
        // in a way a scrape could misread).
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Up to this many keys, [`find`] scans the list instead of bisecting it.
const SCAN: usize = 16;

/// Where `key` is in `entries`, or where it would go.
///
/// A short list is scanned in order, as a B-tree scans a node: the
/// comparisons of a scan do not wait for one another, those of a binary
/// search each wait for the one before, which made 8 keys looked up by
/// bisection slower than the same keys in a `BTreeMap`.
#[inline]
fn find(entries: &[Entry], key: &[u8]) -> Result<usize, usize> {
    if entries.len() > SCAN {
        return entries.binary_search_by(|e| e.key.as_bytes().cmp(key));
    }
    for (at, entry) in entries.iter().enumerate() {
        match entry.key.as_bytes().cmp(key) {
            Ordering::Less => {}
            Ordering::Equal => return Ok(at),
            Ordering::Greater => return Err(at),
        }
    }
    Err(entries.len())
}

/// Makes room for a new key in a gauge's update by removing one its update
/// has not seen (it would be removed at the end anyway); `false` if all were seen.
fn evict_unseen(entries: &mut Vec<Entry>, generation: u64) -> bool {
    match entries.iter().position(|e| e.seen != generation) {
        Some(at) => {
            entries.remove(at);
            true
        }
        None => false,
    }
}

/// A key as its `Display` writes it: on the stack when it fits in
/// [`INLINE`] bytes, else in a string kept between updates.
struct KeyText<'a> {
    inline: [u8; INLINE],
    len: usize,
    long: &'a mut String,
    spilled: bool,
}

impl<'a> KeyText<'a> {
    fn new(long: &'a mut String) -> Self {
        KeyText {
            inline: [0; INLINE],
            len: 0,
            long,
            spilled: false,
        }
    }

    /// The UTF-8 bytes `key` writes (what it wrote before is forgotten).
    #[inline]
    fn write(&mut self, key: impl fmt::Display) -> &[u8] {
        self.len = 0;
        self.spilled = false;
        // Writing to memory cannot fail; a `Display` that fails leaves what
        // it wrote so far, which is still a key.
        let _ = write!(self, "{key}");
        if self.spilled {
            self.long.as_bytes()
        } else {
            &self.inline[..self.len]
        }
    }
}

impl fmt::Write for KeyText<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if !self.spilled {
            if let Some(room) = self.inline.get_mut(self.len..self.len + s.len()) {
                room.copy_from_slice(s.as_bytes());
                self.len += s.len();
                return Ok(());
            }
            // Whole `str`s were copied, so the bytes so far are UTF-8.
            let so_far = core::str::from_utf8(&self.inline[..self.len]).unwrap_or_default();
            self.long.clear();
            self.long.push_str(so_far);
            self.spilled = true;
        }
        self.long.push_str(s);
        Ok(())
    }
}

impl<const MAX: usize> ReadSeries for PerKey<MAX> {
    fn for_each_series(&self, each: &mut dyn FnMut(SeriesKey<'_>, f64)) {
        let keys = self.lock();
        for entry in &keys.entries {
            each(SeriesKey::Key(&entry.key), entry.value);
        }
    }

    fn drops(&self) -> &Drops {
        &self.drops
    }
}

impl<const MAX: usize> Default for PerKey<MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MAX: usize> fmt::Debug for PerKey<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerKey")
            .field("values", &self.values())
            .field("dropped", &self.dropped())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_longer_than_the_stack_buffer_are_kept_whole_and_in_order() {
        let long = "x".repeat(INLINE + 5);
        let longer = format!("{long}y");
        let keys = PerKey::<8>::new();
        let items = [("b", 1.0), (long.as_str(), 2.0), ("a", 3.0), (&longer, 4.0)];
        keys.store(items.map(|(k, v)| (k, Some(v))), Mode::Delta);
        keys.store([(long.as_str(), Some(10.0)), ("a", Some(1.0))], Mode::Delta);
        assert_eq!(
            keys.values(),
            [
                ("a".to_owned(), 4.0),
                ("b".to_owned(), 1.0),
                (long.clone(), 12.0),
                (longer, 4.0),
            ]
        );
    }

    #[test]
    fn a_gauge_at_its_cap_makes_room_from_keys_its_update_did_not_see() {
        let keys = PerKey::<2>::new();
        keys.set_all([("2", 1.0), ("10", 2.0)]);
        // "10" sorts before "2", as gather() orders label values.
        keys.set_all([("3", 3.0), ("2", 4.0), ("1", 5.0)]);
        assert_eq!(
            keys.values(),
            [("2".to_owned(), 4.0), ("3".to_owned(), 3.0)]
        );
        assert_eq!(keys.dropped(), 1);
    }

    #[test]
    fn more_keys_than_a_scan_covers_stay_sorted_and_are_found_again() {
        let keys = PerKey::<64>::new();
        // 40 keys in a scrambled order, each given twice.
        let order: Vec<usize> = (0..40).map(|i| (i * 17) % 40).collect();
        for _ in 0..2 {
            keys.store(order.iter().map(|i| (i, Some(1.0))), Mode::Delta);
        }
        let mut expected: Vec<(String, f64)> = (0..40).map(|i| (i.to_string(), 2.0)).collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(expected.len() > SCAN);
        assert_eq!(keys.values(), expected);
    }
}
