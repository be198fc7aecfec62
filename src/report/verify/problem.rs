//! A problem `quotaprobe verify` found: the file (and line) at fault and what is wrong, and the
//! list one folder's checks add to.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a report folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, inside the folder checked (`out/summary.csv`).
    pub path: PathBuf,
    /// 1-based line of the file (the header is line 1), when the problem is in one line.
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The problems found so far in one folder.
pub(super) struct Problems<'a> {
    dir: &'a Path,
    list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub(super) fn new(dir: &'a Path) -> Self {
        Problems {
            dir,
            list: Vec::new(),
        }
    }

    pub(super) fn into_list(self) -> Vec<Problem> {
        self.list
    }

    pub(super) fn add(&mut self, file: &str, line: Option<u64>, message: String) {
        self.list.push(Problem {
            path: self.dir.join(file),
            line,
            message,
        });
    }
}
