//! The report module's errors. Every message names the file or folder (and the flag, when a
//! user-given `--out` is at fault) and how to fix it.

use std::io;
use std::path::PathBuf;

/// Why a report folder could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder could not be created, written, renamed or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The folder does not exist.
    #[error("{}: no such report folder", path.display())]
    NoFolder { path: PathBuf },
    /// A file every report folder holds is missing.
    #[error("{}: missing {file} (not a quotaprobe report folder, or the run did not finish writing)", dir.display())]
    Missing { dir: PathBuf, file: String },
    /// A file is there but its content is not what quotaprobe writes.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        /// 1-based line, 0 when unknown.
        line: u64,
        message: String,
    },
    /// `--out DIR` names a folder that already holds files; a run never overwrites another.
    #[error("--out {}: the folder exists and is not empty; pick a new folder or remove this one", path.display())]
    OutNotEmpty { path: PathBuf },
    /// The output location cannot be written (checked before a run starts).
    #[error("{}: cannot write reports here ({source}); pick another folder with --out", path.display())]
    NotWritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Every suffixed run-folder name is taken.
    #[error("{}: run folders {name} to {name}-{last} all exist; clean up old runs", base.display())]
    NoFreeName {
        base: PathBuf,
        name: String,
        last: u32,
    },
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        ReportError::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
