//! The render plan built at registration, and the renderers that read the
//! cells through it: the text exposition (0.0.4 or OpenMetrics) and the
//! protobuf families of the `prometheus` bridge see the same series in the
//! same order.

mod exposition;
mod foreign;
mod format;
pub(crate) mod plan;
pub(crate) mod series;

pub(crate) use exposition::write as write_exposition;
pub use format::{Encoding, Format, CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE};
