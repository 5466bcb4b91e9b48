//! The cells of a keyed field (`#[prom(label = "..")]` on a map): one value
//! per key, up to a cap. Keys are only known at run time, so they live in a
//! sorted map behind a short lock the scrape shares; an update whose keys
//! were all seen before allocates nothing.

use core::fmt::{self, Write as _};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::counter::refusal;
use super::{Drops, Mode, ReadSeries, Reason, SeriesKey};

/// One value per key of a map field: the key (as its `Display` writes it)
/// is the label value of its series.
///
/// At most `MAX` keys are kept: values of further keys are dropped and
/// counted in `kvstats_values_dropped_total` (`reason="over_max"`). A gauge's
/// update replaces the set of keys (a key that disappears leaves the scrape);
/// a counter's keys stay once seen.
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
    map: Mutex<Keys>,
    drops: Drops,
}

#[derive(Default)]
struct Keys {
    values: BTreeMap<Box<str>, Value>,
    /// Where a key is written before it is looked up; kept between updates.
    scratch: String,
    /// Counts updates, so a gauge's update can tell the keys it saw.
    generation: u64,
}

#[derive(Clone, Copy)]
struct Value {
    value: f64,
    seen: u64,
}

impl<const MAX: usize> PerKey<MAX> {
    /// No keys.
    pub fn new() -> Self {
        PerKey {
            map: Mutex::new(Keys::default()),
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
        let keys = &mut *keys;
        keys.generation += 1;
        let generation = keys.generation;
        for (key, value) in items {
            let Some(value) = value else { continue };
            // A counter holds no negative, infinite or NaN value.
            if mode != Mode::Set {
                if let Some(reason) = refusal(value) {
                    self.drops.count(reason, 1);
                    continue;
                }
            }
            keys.scratch.clear();
            let _ = write!(keys.scratch, "{key}");
            if let Some(known) = keys.values.get_mut(keys.scratch.as_str()) {
                known.value = match mode {
                    Mode::Delta => known.value + value,
                    Mode::Set | Mode::Total => value,
                };
                known.seen = generation;
                continue;
            }
            if keys.values.len() >= MAX && !(mode == Mode::Set && evict_unseen(keys)) {
                self.drops.count(Reason::OverMax, 1);
                continue;
            }
            let entry = Value {
                value,
                seen: generation,
            };
            keys.values.insert(keys.scratch.as_str().into(), entry);
        }
        if mode == Mode::Set {
            keys.values.retain(|_, v| v.seen == generation);
        }
    }

    /// Removes every key (a gauge's `None`).
    pub fn clear(&self) {
        self.lock().values.clear();
    }

    /// The keys and values, in key order.
    pub fn values(&self) -> Vec<(String, f64)> {
        let keys = self.lock();
        keys.values
            .iter()
            .map(|(k, v)| (k.to_string(), v.value))
            .collect()
    }

    /// How many values were dropped because their key was past the cap, ever.
    pub fn dropped(&self) -> u64 {
        self.drops.get(Reason::OverMax)
    }

    fn lock(&self) -> MutexGuard<'_, Keys> {
        // The map is valid after any panic (no update leaves it half-written
        // in a way a scrape could misread).
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Makes room for a new key in a gauge's update by removing one its update
/// has not seen (it would be removed at the end anyway); `false` if all were seen.
fn evict_unseen(keys: &mut Keys) -> bool {
    let generation = keys.generation;
    let stale = keys
        .values
        .iter()
        .find(|(_, v)| v.seen != generation)
        .map(|(k, _)| k.clone());
    match stale {
        Some(key) => keys.values.remove(&key).is_some(),
        None => false,
    }
}

impl<const MAX: usize> ReadSeries for PerKey<MAX> {
    fn for_each_series(&self, each: &mut dyn FnMut(SeriesKey<'_>, f64)) {
        let keys = self.lock();
        for (key, value) in &keys.values {
            each(SeriesKey::Key(key), value.value);
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
