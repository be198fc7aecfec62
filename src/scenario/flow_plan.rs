//! The resolved flows of a scenario (`kind = "flow"` operations): a sequence of steps one virtual
//! user runs in order, each step able to capture values from its response for later steps'
//! holes. Every step is an ordinary operation of [`super::RunPlan::operations`] (weight 0, named
//! `FLOW/STEP`), so it has its own row in every report; the flow only says the order, the think
//! times and the captures. Part of the [`super::RunPlan`]; re-exported by `plan.rs`.

use std::time::Duration;

/// One flow: picked like an operation, by weight, per arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowPlan {
    pub name: String,
    pub weight: u32,
    /// In order; at least one.
    pub steps: Vec<StepPlan>,
}

impl FlowPlan {
    /// The plan operation of the first step: a flow's arrival is counted (scheduled, dropped)
    /// against it.
    pub fn first_op(&self) -> Option<usize> {
        self.steps.first().map(|s| s.op)
    }
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlan {
    /// Index into the plan's operations.
    pub op: usize,
    /// The pause before this step starts (never on the first step).
    pub think: Think,
    /// Values read from this step's response, by hole name, for the steps after it.
    pub captures: Vec<Capture>,
}

/// A pause: fixed, or uniform between two bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Think {
    pub min: Duration,
    pub max: Duration,
}

impl Think {
    pub fn is_zero(&self) -> bool {
        self.max.is_zero()
    }
}

/// `NAME = "/json/pointer"` or `NAME = "header:NAME"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub name: String,
    pub from: CaptureFrom,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureFrom {
    /// An RFC 6901 JSON pointer into the response body (`""` is the whole body).
    Json(String),
    /// A response header, by lower-case name.
    Header(String),
}

impl CaptureFrom {
    /// Parses the scenario's text: `header:NAME`, or a JSON pointer (`/a/0/b`, or empty).
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(name) = text.strip_prefix("header:") {
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            {
                return Err(format!(
                    "{text:?} names no valid header; write it like \"header:etag\""
                ));
            }
            return Ok(CaptureFrom::Header(name));
        }
        if text.is_empty() || text.starts_with('/') {
            return Ok(CaptureFrom::Json(text.to_string()));
        }
        Err(format!(
            "{text:?} is neither a JSON pointer (\"/user_id\", \"/items/0/id\") nor \"header:NAME\""
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_sources_parse_or_say_what_they_take() {
        assert_eq!(
            CaptureFrom::parse("/user_id"),
            Ok(CaptureFrom::Json("/user_id".into()))
        );
        assert_eq!(CaptureFrom::parse(""), Ok(CaptureFrom::Json(String::new())));
        assert_eq!(
            CaptureFrom::parse("header:ETag"),
            Ok(CaptureFrom::Header("etag".into()))
        );
        let bad = CaptureFrom::parse("user_id").err().unwrap_or_default();
        assert!(bad.contains("neither a JSON pointer"), "{bad}");
        let bad = CaptureFrom::parse("header:").err().unwrap_or_default();
        assert!(bad.contains("header:etag"), "{bad}");
        let bad = CaptureFrom::parse("header:a b").err().unwrap_or_default();
        assert!(bad.contains("no valid header"), "{bad}");
    }
}
