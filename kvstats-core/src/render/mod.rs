//! The render plan built at registration, and the renderers that read the
//! cells through it: the text exposition 0.0.4 and the protobuf families of
//! the `prometheus` bridge see the same series in the same order.

mod exposition;
pub(crate) mod plan;
pub(crate) mod series;

pub(crate) use exposition::write as write_text;
pub use exposition::CONTENT_TYPE;
