//! The machine-readable outputs of `run` and `compare` (`--format json`, `--junit FILE`,
//! `--summary-md FILE` and `$GITHUB_STEP_SUMMARY`), and the JSON of `validate` and `plan`.
//! With `--format json` stdout holds one JSON document and nothing else; every other line goes
//! to stderr. docs/reports.md "Machine-readable output" describes the shapes.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::CliError;

/// What stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// The human summary (default).
    #[default]
    Text,
    /// One JSON document, nothing else.
    Json,
}

/// Flags shared by `run` and `compare`.
#[derive(Debug, Args, Default)]
pub struct OutputArgs {
    /// What stdout holds: text (default) or json (only JSON on stdout, everything else on
    /// stderr), e.g. --format json | jq .verdict
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the thresholds (run) or --fail-if rules (compare) as JUnit XML, one testcase each,
    /// e.g. --junit reports/junit.xml
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a short Markdown summary for a CI job page, e.g. --summary-md summary.md. When
    /// $GITHUB_STEP_SUMMARY is set, the same summary is appended to that file too.
    #[arg(long, value_name = "FILE")]
    pub summary_md: Option<PathBuf>,
}

impl OutputArgs {
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// The human text: stdout by default, stderr under `--format json`.
    pub fn human(&self, text: &str) {
        if self.json() {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
        } else {
            super::print_out(text);
        }
    }

    /// Under `--format json`, the document on stdout.
    pub fn document(&self, value: &Value) {
        if self.json() {
            super::print_out(&crate::report::json::to_text(value));
        }
    }

    /// Writes `--junit` and the Markdown summaries. A file that cannot be written is a run-time
    /// failure naming the flag and the file.
    pub fn files(&self, junit: impl FnOnce() -> String, md: &str) -> Result<(), CliError> {
        if let Some(path) = &self.junit {
            write(path, "--junit", &junit())?;
        }
        if let Some(path) = &self.summary_md {
            write(path, "--summary-md", md)?;
        }
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            append(Path::new(&path), md)?;
        }
        Ok(())
    }
}

fn write(path: &Path, flag: &str, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| {
        CliError::failed(format!(
            "{flag} {}: cannot write it ({e}); pass a file in a folder that exists and is writable",
            path.display()
        ))
    })
}

fn append(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            CliError::failed(format!(
                "GITHUB_STEP_SUMMARY {}: cannot append the summary ({e}); unset it or point it at a writable file",
                path.display()
            ))
        })
}

/// `run --format json`: the folder's report.json with `report_dir` added.
pub fn run_document(dir: &Path) -> Result<Value, CliError> {
    let path = dir.join(crate::report::json::FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::failed(format!("{}: cannot read it ({e})", path.display())))?;
    let mut value: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::failed(format!("{}: not JSON ({e})", path.display())))?;
    if let Value::Object(m) = &mut value {
        m.insert(
            "report_dir".into(),
            Value::String(dir.display().to_string()),
        );
    }
    Ok(value)
}
