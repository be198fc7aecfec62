//! The resolved `[pacing]`, `[[data]]` and `[vars]` of a scenario: how late an arrival may go
//! out, and where `{{name}}` holes get their values (scenario/resolve/data.rs checked every
//! hole). Part of the [`super::RunPlan`]; re-exported by `plan.rs`.

use std::time::Duration;

/// `[pacing]`: an arrival the scheduler reaches more than `drop_late_after` after its intended
/// time (a stalled thread, a starved CPU) is dropped as late; one reached sooner is sent, its
/// lag counted in the corrected latency. So a stall releases at most what it held back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacingPlan {
    pub drop_late_after: Duration,
}

impl Default for PacingPlan {
    fn default() -> Self {
        PacingPlan {
            drop_late_after: Duration::from_secs(1),
        }
    }
}

/// The scenario's data files and generators.
#[derive(Debug, Clone, Default)]
pub struct DataPlan {
    pub files: Vec<DataFilePlan>,
    pub vars: Vec<VarPlan>,
}

impl DataPlan {
    /// What a [`crate::data::Feed`] opens: the files and the generators.
    pub fn feed_parts(
        &self,
    ) -> (
        Vec<crate::data::FileSource>,
        Vec<(String, crate::data::Generator)>,
    ) {
        let files = self
            .files
            .iter()
            .map(|f| crate::data::FileSource {
                name: f.name.clone(),
                path: f.path.clone(),
                format: f.format,
                mode: f.mode,
            })
            .collect();
        let vars = self
            .vars
            .iter()
            .map(|v| (v.name.clone(), v.generator.clone()))
            .collect();
        (files, vars)
    }
}

/// A checked data file: every row reads, every column a template uses is there.
#[derive(Debug, Clone)]
pub struct DataFilePlan {
    pub name: String,
    /// Resolved against the scenario file's folder.
    pub path: std::path::PathBuf,
    pub format: crate::data::Format,
    pub mode: crate::data::Mode,
    pub columns: Vec<String>,
    pub rows: u64,
}

/// A `[vars.NAME]` generator.
#[derive(Debug, Clone)]
pub struct VarPlan {
    pub name: String,
    pub generator: crate::data::Generator,
}
