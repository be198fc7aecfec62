//! Scenario errors: each names the file, the line and column, the key path, and the fix.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why a scenario cannot run. Displayed as `file:line:col: key: problem; fix`.
#[derive(Debug, Error)]
pub enum ScenarioError {
    #[error("{}: cannot read the scenario file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// One or more problems, each at its place in the file.
    #[error("{}", join(.0))]
    Invalid(Vec<Located>),
}

/// A problem at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Key path such as `phases[1].rate`; empty for file-level problems.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl ScenarioError {
    pub fn at(file: &Path, (line, column): (usize, usize), key: &str, message: String) -> Self {
        ScenarioError::Invalid(vec![Located {
            file: file.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            message,
        }])
    }
}

fn join(problems: &[Located]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A problem found while resolving, before its place in the file is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Key path segments, e.g. `["phases", "1", "rate"]`.
    pub path: Vec<String>,
    pub message: String,
}

impl Problem {
    pub fn new(path: &[&str], message: impl Into<String>) -> Self {
        Problem {
            path: path.iter().map(|s| s.to_string()).collect(),
            message: message.into(),
        }
    }

    /// `phases[1].rate` style.
    pub fn key(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if seg.parse::<usize>().is_ok() {
                out.push_str(&format!("[{seg}]"));
            } else if seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(seg);
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&format!("\"{seg}\""));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_read_like_toml() {
        assert_eq!(
            Problem::new(&["phases", "1", "rate"], "").key(),
            "phases[1].rate"
        );
        assert_eq!(
            Problem::new(&["thresholds", "list-users", "p99_ms"], "").key(),
            "thresholds.\"list-users\".p99_ms"
        );
    }
}
