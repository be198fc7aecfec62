//! Data files that fill holes per request: CSV with a header row, or JSON Lines (one object a
//! line). A file is read twice, both times as a stream, so memory stays flat for any size:
//! once when the scenario is loaded ([`check`]: every row well formed, every column a template
//! uses present, the row count), then during the run ([`Rows`]), a row per request in the
//! file's [`Mode`].

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// From the file's ending: `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// In which order rows are handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In file order, from the top again after the last row.
    Cycle,
    /// In a seeded random order: each row is drawn from a window of [`SHUFFLE_WINDOW`] rows as
    /// the file streams (the whole file when it is smaller), and rows recur as in `Cycle`.
    Random,
    /// In file order, each row exactly once; then the data is used up (the run stops with
    /// `data_exhausted`).
    Once,
}

/// Rows held at once by [`Mode::Random`].
pub const SHUFFLE_WINDOW: usize = 4096;

/// A bad data file: the file, the line (1-based; 0 for the file as a whole) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct DataError {
    pub file: PathBuf,
    pub line: u64,
    pub message: String,
}

/// What [`check`] found: the columns (CSV header order, or the first JSON object's keys) and
/// the number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub columns: Vec<String>,
    pub rows: u64,
}

/// Reads the whole file once, as a stream: every row must be valid UTF-8 with every column of
/// `required` (and, for CSV, as many fields as the header). An empty file, a file with no rows
/// and an unreadable file are errors too.
pub fn check(path: &Path, format: Format, required: &[&str]) -> Result<Shape, DataError> {
    let mut reader = Reader::open(path, format, required)?;
    let mut rows = 0;
    while reader.next_row()?.is_some() {
        rows += 1;
    }
    if rows == 0 {
        return Err(reader.error(0, "has no data rows (only a header, or blank lines)".into()));
    }
    Ok(Shape {
        columns: reader.columns,
        rows,
    })
}

/// One pass over a file: its columns and then its rows, values in `columns` order.
struct Reader {
    path: PathBuf,
    format: Format,
    columns: Vec<String>,
    csv: Option<csv::Reader<BufReader<File>>>,
    lines: Option<BufReader<File>>,
    line: u64,
    /// JSON Lines: the first object, read to learn the columns, not yet handed out.
    pending: Option<Vec<String>>,
    required: Vec<String>,
}

fn open(path: &Path) -> Result<BufReader<File>, DataError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(64 * 1024, f))
        .map_err(|e| DataError {
            file: path.to_path_buf(),
            line: 0,
            message: format!("cannot read it ({e}); the path is relative to the scenario file"),
        })
}

impl Reader {
    fn open(path: &Path, format: Format, required: &[&str]) -> Result<Self, DataError> {
        let file = open(path)?;
        let mut r = Reader {
            path: path.to_path_buf(),
            format,
            columns: Vec::new(),
            csv: None,
            lines: None,
            line: 0,
            pending: None,
            required: required.iter().map(|s| s.to_string()).collect(),
        };
        match format {
            Format::Csv => {
                let mut csv = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(file);
                let header = csv.headers().map_err(|e| r.csv_error(&e))?.clone();
                if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
                    return Err(r.error(
                        0,
                        "is empty: a CSV data file starts with a header row naming its columns"
                            .into(),
                    ));
                }
                r.columns = header.iter().map(|h| h.trim().to_string()).collect();
                r.line = 1;
                if let Some(missing) = r.required.iter().find(|c| !r.columns.contains(c)) {
                    let msg = format!(
                        "has no column `{missing}` (the header has {}); add it or change the template",
                        r.columns.join(", ")
                    );
                    return Err(r.error(1, msg));
                }
                r.csv = Some(csv);
            }
            Format::JsonLines => {
                r.lines = Some(file);
                let Some(first) = r.next_object(true)? else {
                    return Err(r.error(
                        0,
                        "is empty: a JSON Lines data file holds one JSON object per line".into(),
                    ));
                };
                r.pending = Some(first);
            }
        }
        Ok(r)
    }

    fn error(&self, line: u64, message: String) -> DataError {
        DataError {
            file: self.path.clone(),
            line,
            message,
        }
    }

    fn csv_error(&self, e: &csv::Error) -> DataError {
        let line = e.position().map_or(self.line, csv::Position::line);
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8; save the file as UTF-8".to_string(),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "has {len} fields where the header has {expected_len}; quote values that hold commas"
            ),
            _ => format!("is not valid CSV ({e})"),
        };
        self.error(line, message)
    }

    /// The next JSON object as values in column order (the first one sets the columns).
    fn next_object(&mut self, first: bool) -> Result<Option<Vec<String>>, DataError> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let Some(lines) = self.lines.as_mut() else {
                return Ok(None);
            };
            let n = lines
                .read_until(b'\n', &mut buf)
                .map_err(|e| self.error(self.line + 1, format!("cannot be read ({e})")))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let Ok(text) = std::str::from_utf8(&buf) else {
                return Err(self.error(
                    self.line,
                    "is not valid UTF-8; save the file as UTF-8".into(),
                ));
            };
            if text.trim().is_empty() {
                continue;
            }
            let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
                .map_err(|e| {
                    self.error(
                        self.line,
                        format!("is not a JSON object ({e}); write one object per line"),
                    )
                })?;
            if first {
                self.columns = object.keys().cloned().collect();
            }
            let mut values = Vec::with_capacity(self.columns.len());
            for c in &self.columns {
                values.push(object.get(c).map_or_else(String::new, scalar));
            }
            if let Some(missing) = self.required.iter().find(|c| !object.contains_key(*c)) {
                let msg =
                    format!("has no key `{missing}`; every line needs the keys the templates use");
                return Err(self.error(self.line, msg));
            }
            return Ok(Some(values));
        }
    }

    fn next_row(&mut self) -> Result<Option<Vec<String>>, DataError> {
        match self.format {
            Format::JsonLines => match self.pending.take() {
                Some(row) => Ok(Some(row)),
                None => self.next_object(false),
            },
            Format::Csv => {
                let Some(csv) = self.csv.as_mut() else {
                    return Ok(None);
                };
                let mut record = csv::StringRecord::new();
                match csv.read_record(&mut record) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        self.line = record.position().map_or(self.line + 1, csv::Position::line);
                        Ok(Some(record.iter().map(str::to_string).collect()))
                    }
                    Err(e) => Err(self.csv_error(&e)),
                }
            }
        }
    }
}

/// A JSON value as text for a hole: strings as they are, everything else as JSON.
fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of a checked file, handed out during a run.
pub struct Rows {
    path: PathBuf,
    format: Format,
    mode: Mode,
    reader: Reader,
    window: Vec<Vec<String>>,
    rng: ChaCha8Rng,
    done: bool,
    /// `(index, count)`: only rows r with r mod count == index (a shard's share).
    shard: Option<(u64, u64)>,
    /// Rows read in this pass over the file.
    row: u64,
}

impl Rows {
    /// Opens `path` (already [`check`]ed) for a run; `rng` orders [`Mode::Random`]; with
    /// `shard = Some((index, count))` only every count-th row from `index` is handed out.
    pub fn open(
        path: &Path,
        format: Format,
        mode: Mode,
        rng: ChaCha8Rng,
        shard: Option<(u64, u64)>,
    ) -> Result<Self, DataError> {
        Ok(Rows {
            path: path.to_path_buf(),
            format,
            mode,
            reader: Reader::open(path, format, &[])?,
            window: Vec::new(),
            rng,
            done: false,
            shard,
            row: 0,
        })
    }

    pub fn columns(&self) -> &[String] {
        &self.reader.columns
    }

    /// The next row, or `None` when a `once` file is used up. A file that changed under the
    /// run and no longer reads is also the end (`Err` says why).
    pub fn next_row(&mut self) -> Result<Option<Vec<String>>, DataError> {
        if self.done {
            return Ok(None);
        }
        match self.mode {
            Mode::Once => {
                let row = self.read()?;
                self.done = row.is_none();
                Ok(row)
            }
            Mode::Cycle => self.cycled(),
            Mode::Random => {
                while self.window.len() < SHUFFLE_WINDOW {
                    match self.read()? {
                        Some(row) => self.window.push(row),
                        None => break,
                    }
                }
                if self.window.is_empty() {
                    return self.cycled();
                }
                let i = self.rng.random_range(0..self.window.len());
                let row = self.window.swap_remove(i);
                if let Some(next) = self.cycled()? {
                    self.window.push(next);
                }
                Ok(Some(row))
            }
        }
    }

    /// The next row of this pass that is this shard's.
    fn read(&mut self) -> Result<Option<Vec<String>>, DataError> {
        loop {
            let Some(row) = self.reader.next_row()? else {
                return Ok(None);
            };
            let r = self.row;
            self.row += 1;
            if self.shard.is_none_or(|(index, count)| r % count == index) {
                return Ok(Some(row));
            }
        }
    }

    /// The next row in file order, from the top again at the end.
    fn cycled(&mut self) -> Result<Option<Vec<String>>, DataError> {
        if let Some(row) = self.read()? {
            return Ok(Some(row));
        }
        self.reader = Reader::open(&self.path, self.format, &[])?;
        self.row = 0;
        let row = self.read()?;
        self.done = row.is_none();
        Ok(row)
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
