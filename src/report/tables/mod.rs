//! The CSV tables of a report folder: one [`Table`] impl per row type, the cell formats the
//! contract fixes (times in ms and rates with 3 decimals, `Option` → empty cell, bools
//! `true`/`false`), and generic write/read. Columns are read by name, so appended columns never
//! break older readers; contract columns are required, extras default when absent.

mod rows;
mod small;

use std::collections::HashMap;
use std::path::Path;

use super::ReportError;
use super::fsio;

pub use small::RunTable;

/// A row type that is one line of one CSV file.
pub trait Table: Sized {
    /// File name inside the report folder.
    const FILE: &'static str;
    /// Header, in order: the contract's columns first, extras after.
    const COLUMNS: &'static [&'static str];
    /// Cells, in `COLUMNS` order.
    fn to_record(&self) -> Vec<String>;
    /// Parses one row; the error names the column.
    fn from_record(r: &Record) -> Result<Self, String>;
}

/// Serializes `rows` with a header into CSV bytes.
pub fn to_csv<T: Table>(rows: &[T]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ReportError::parse(T::FILE, 0, e.to_string());
    w.write_record(T::COLUMNS).map_err(fail)?;
    for row in rows {
        w.write_record(row.to_record()).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| ReportError::parse(T::FILE, 0, e.to_string()))
}

/// Writes `rows` to `dir/T::FILE` whole.
pub fn write<T: Table>(dir: &Path, rows: &[T]) -> Result<(), ReportError> {
    fsio::write_atomic(dir, T::FILE, &to_csv(rows)?)
}

/// Reads `dir/T::FILE`; a missing file is an error naming it.
pub fn read<T: Table>(dir: &Path) -> Result<Vec<T>, ReportError> {
    let bytes = fsio::read_required(dir, T::FILE)?;
    parse(&dir.join(T::FILE), &bytes)
}

/// Parses CSV bytes (with header) into rows; errors carry `path:line`.
pub fn parse<T: Table>(path: &Path, bytes: &[u8]) -> Result<Vec<T>, ReportError> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| ReportError::parse(path, 1, e.to_string()))?;
    let index: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_string(), i))
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| ReportError::parse(path, line, e.to_string()))?;
        let r = Record {
            index: &index,
            record: &record,
        };
        rows.push(T::from_record(&r).map_err(|m| ReportError::parse(path, line, m))?);
    }
    Ok(rows)
}

/// One CSV row, read by column name.
pub struct Record<'a> {
    index: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Record<'_> {
    fn cell(&self, col: &str) -> Option<&str> {
        self.index.get(col).and_then(|&i| self.record.get(i))
    }

    /// A required cell (the column must exist; the cell may be empty).
    pub fn text(&self, col: &str) -> Result<String, String> {
        self.cell(col)
            .map(str::to_string)
            .ok_or_else(|| format!("column {col} is missing"))
    }

    /// A cell of an extra column: empty when the column is absent.
    pub fn text_or_empty(&self, col: &str) -> String {
        self.cell(col).unwrap_or("").to_string()
    }

    pub fn u64(&self, col: &str) -> Result<u64, String> {
        self.opt_u64(col)?
            .ok_or_else(|| format!("{col} is empty; expected a whole number"))
    }

    pub fn f64(&self, col: &str) -> Result<f64, String> {
        self.opt_f64(col)?
            .ok_or_else(|| format!("{col} is empty; expected a number"))
    }

    /// An extra numeric column: 0 when absent or empty.
    pub fn f64_or_zero(&self, col: &str) -> Result<f64, String> {
        if self.cell(col).is_none() {
            return Ok(0.0);
        }
        Ok(self.opt_f64(col)?.unwrap_or(0.0))
    }

    pub fn opt_u64(&self, col: &str) -> Result<Option<u64>, String> {
        let s = self.text(col)?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("{col}={s:?} is not a whole number"))
    }

    pub fn opt_f64(&self, col: &str) -> Result<Option<f64>, String> {
        let s = self.text(col)?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("{col}={s:?} is not a number"))
    }

    /// An extra optional numeric column: `None` when absent.
    pub fn opt_f64_extra(&self, col: &str) -> Result<Option<f64>, String> {
        if self.cell(col).is_none() {
            return Ok(None);
        }
        self.opt_f64(col)
    }

    pub fn bool(&self, col: &str) -> Result<bool, String> {
        match self.text(col)?.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("{col}={other:?} must be true or false")),
        }
    }
}

/// Milliseconds, seconds, rates and other measured reals: 3 decimals.
pub fn fixed3(v: f64) -> String {
    format!("{v:.3}")
}

/// `Option<f64>` with 3 decimals, `None` → empty cell.
pub fn opt_fixed3(v: Option<f64>) -> String {
    v.map(fixed3).unwrap_or_default()
}

/// `Option<u64>`, `None` → empty cell.
pub fn opt_int(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
