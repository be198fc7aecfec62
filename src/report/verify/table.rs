//! One report CSV as written: its header and rows of text cells, read with the csv crate by
//! column name, and each cell checked against the type docs/reports.md gives its column. Knows
//! nothing of the Snapshot types, so a writer bug shows up here instead of being read back as
//! the bug wrote it.

use std::collections::HashMap;
use std::path::Path;

use super::problem::Problems;

/// What a column's cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cell {
    Text,
    /// A whole number, 0 or more.
    Count,
    /// A finite decimal number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A whole number, or empty.
    OptCount,
    /// A decimal number, or empty.
    OptNumber,
}

/// A file's contract: its name and its columns in order.
pub(super) struct Spec {
    pub file: &'static str,
    pub columns: &'static [(&'static str, Cell)],
}

/// A row: its line in the file (the header is line 1) and its cells by column name.
pub(super) struct Row {
    pub line: u64,
    cells: HashMap<String, String>,
}

impl Row {
    /// The cell's text ("" when the column is missing).
    pub fn text(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }

    /// The cell as a count; `None` when it is not one (already reported when the table loaded).
    pub fn count(&self, column: &str) -> Option<u64> {
        self.text(column).parse().ok()
    }

    /// The cell as a number; `None` when it is not one (already reported).
    pub fn number(&self, column: &str) -> Option<f64> {
        self.text(column)
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
    }
}

/// The rows of a file that was there and parsed; `None` when it was missing or unreadable (the
/// problem is reported).
pub(super) fn load(dir: &Path, spec: &Spec, problems: &mut Problems) -> Option<Vec<Row>> {
    let path = dir.join(spec.file);
    if !path.is_file() {
        problems.add(spec.file, None, "missing".to_string());
        return None;
    }
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            problems.add(spec.file, None, format!("cannot be read: {e}"));
            return None;
        }
    };
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            problems.add(spec.file, Some(1), format!("header: {e}"));
            return None;
        }
    };
    check_header(spec, &header, problems);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                problems.add(spec.file, line, format!("not CSV: {e}"));
                return Some(rows);
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            problems.add(
                spec.file,
                Some(line),
                format!("{} cells, the header has {}", record.len(), header.len()),
            );
            continue;
        }
        let row = Row {
            line,
            cells: header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        };
        check_cells(spec, &row, problems);
        rows.push(row);
    }
    Some(rows)
}

/// Every contract column is there, in the contract's order (extras may follow).
fn check_header(spec: &Spec, header: &[String], problems: &mut Problems) {
    let missing: Vec<&str> = spec
        .columns
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        problems.add(
            spec.file,
            Some(1),
            format!("lacks columns {}", missing.join(", ")),
        );
        return;
    }
    let order: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| spec.columns.iter().any(|(c, _)| c == h))
        .collect();
    let want: Vec<&str> = spec.columns.iter().map(|(c, _)| *c).collect();
    if order != want {
        problems.add(
            spec.file,
            Some(1),
            format!("columns out of order: want {}", want.join(",")),
        );
    }
}

fn check_cells(spec: &Spec, row: &Row, problems: &mut Problems) {
    for (column, cell) in spec.columns {
        let Some(value) = row.cells.get(*column) else {
            continue;
        };
        let what = match cell {
            Cell::Text => continue,
            Cell::OptCount | Cell::OptNumber if value.is_empty() => continue,
            Cell::Count | Cell::OptCount if value.parse::<u64>().is_err() => "a whole number",
            Cell::Number | Cell::OptNumber if !value.parse::<f64>().is_ok_and(f64::is_finite) => {
                "a number"
            }
            Cell::Bool if value != "true" && value != "false" => "true or false",
            _ => continue,
        };
        problems.add(
            spec.file,
            Some(row.line),
            format!("{column}: {value:?} is not {what}"),
        );
    }
}
