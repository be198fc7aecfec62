//! Measuring: per-request samples, histograms, counters, the per-second timeline and audience
//! accounting. Produces a [`Snapshot`]; knows nothing of report files or formats.

pub mod snapshot;
pub mod threshold;

pub use snapshot::{
    AudienceRow, EventRow, LatencyRow, OperationHistograms, Snapshot, StatusRow, SummaryRow,
    TimelineRow,
};
pub use threshold::ThresholdResult;
