//! Measuring: per-request samples, histograms, counters, the per-second timeline and audience
//! accounting. Produces a [`Snapshot`]; knows nothing of report files or formats.

pub mod audience;
pub mod flows;
pub mod observed;
pub mod reach;
pub mod recorder;
pub mod run_facts;
pub mod sample;
pub mod snapshot;
pub mod threshold;
pub mod timeline;
pub mod totals;

pub use audience::QuotaContext;
pub use flows::{FlowEnd, FlowRow, Flows};
pub use reach::{Reach, Reachability};
pub use recorder::{DropCounts, LiveStats, OpMeta, Recorder};
pub use run_facts::{Limit, ObservedFacts, ReachFacts, RunClock, RunFacts, Shard, ShardFolder};
pub use sample::{Class, DropReason, Outcome, RateSeen, Sample, TokenFailure, TransportKind};
pub use snapshot::{
    AudienceRow, EventRow, LatencyRow, OperationHistograms, Snapshot, StatusRow, SummaryRow,
    TimelineRow,
};
pub use threshold::ThresholdResult;
