//! A registered container and what is known about it, in one allocation: the
//! values the hot path stores into, the label text the scrape writes, the
//! level it was registered on, and how many handles to it live.
//!
//! The plan holds it as `Arc<Instance>` (the values behind `dyn Values`), and
//! every handle holds the same `Arc` typed `Instance<G>`, so a handle reaches
//! the values in one hop and a series costs no allocation of its own.

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;

use crate::cells::Reading;
use crate::metric::GaugeGroup;

/// The automatic labels of a registry level, outermost first; shared by every
/// instance registered through the same level.
pub(crate) type ScopeLabels = Arc<Vec<(String, String)>>;

/// Type-erased access to a container's values.
pub(crate) trait Values: Send + Sync {
    fn reading(&self, index: usize) -> Reading<'_>;
}

impl<G: GaugeGroup> Values for G {
    fn reading(&self, index: usize) -> Reading<'_> {
        self.__reading(index)
    }
}

/// One registered container of type `V` (`dyn Values` once in the plan).
pub(crate) struct Instance<V: ?Sized = dyn Values> {
    /// Every constant label, sorted by name, as `name="value",..` with the
    /// values escaped; empty when there are none.
    pub(crate) labels: Box<str>,
    pub(crate) scope: ScopeLabels,
    /// Live handles; the last one to go takes the instance out of the plan.
    pub(crate) handles: AtomicUsize,
    /// Set by `keep_registered`: no handle takes the instance out then.
    pub(crate) kept: AtomicBool,
    pub(crate) values: V,
}

impl<V: ?Sized> Instance<V> {
    /// Whether this instance was registered on the level with `scope` or below it.
    pub(crate) fn in_scope(&self, scope: &[(String, String)]) -> bool {
        self.scope.starts_with(scope)
    }
}
