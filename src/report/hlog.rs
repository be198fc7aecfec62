//! `histograms.hlog`: every operation's latency histograms (microseconds) as an HdrHistogram V2
//! interval log, readable by HdrHistogram's own tools, so runs merge losslessly later.
//!
//! One interval per histogram, starting at 0 and lasting the run: tag `<operation>` holds
//! corrected latency, `<operation>:service` service time. Tags may not hold `,`, space, CR or LF,
//! and `:` separates the suffix, so those characters (and `%`) are percent-encoded in names.

use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};

use super::{ReportError, fsio};
use crate::metrics::OperationHistograms;

/// File name inside the report folder.
pub const FILE: &str = "histograms.hlog";
const SERVICE_SUFFIX: &str = ":service";

/// Serializes the histograms into interval-log bytes. `run_s` is each interval's length.
pub fn to_bytes(histograms: &[OperationHistograms], run_s: f64) -> Result<Vec<u8>, ReportError> {
    let fail = |e: String| ReportError::parse(FILE, 0, e);
    let mut buf = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let length = Duration::try_from_secs_f64(run_s.max(0.0)).unwrap_or_default();
    {
        let mut log = IntervalLogWriterBuilder::new()
            .add_comment("quotaprobe latency histograms, microseconds")
            .add_comment("tag=<operation>: corrected latency (from intended start)")
            .add_comment("tag=<operation>:service: service time (from actual send)")
            .begin_log_with(&mut buf, &mut serializer)
            .map_err(|e| fail(e.to_string()))?;
        for h in histograms {
            let name = encode(&h.operation);
            let service = format!("{name}{SERVICE_SUFFIX}");
            for (tag, hist) in [(&name, &h.corrected_us), (&service, &h.service_us)] {
                let tag = Tag::new(tag).ok_or_else(|| fail(format!("bad tag {tag:?}")))?;
                log.write_histogram(hist, Duration::ZERO, length, Some(tag))
                    .map_err(|e| fail(e.to_string()))?;
            }
        }
    }
    Ok(buf)
}

/// Writes `dir/histograms.hlog` whole.
pub fn write(
    dir: &Path,
    histograms: &[OperationHistograms],
    run_s: f64,
) -> Result<(), ReportError> {
    fsio::write_atomic(dir, FILE, &to_bytes(histograms, run_s)?)
}

/// Reads `dir/histograms.hlog` back, in file order.
pub fn read(dir: &Path) -> Result<Vec<OperationHistograms>, ReportError> {
    let bytes = fsio::read_required(dir, FILE)?;
    parse(&dir.join(FILE), &bytes)
}

/// Parses interval-log bytes; a corrected histogram and its `:service` twin form one entry.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<OperationHistograms>, ReportError> {
    let mut out: Vec<OperationHistograms> = Vec::new();
    let mut deserializer = Deserializer::new();
    for entry in IntervalLogIterator::new(bytes) {
        let interval = match entry {
            Ok(LogEntry::Interval(i)) => i,
            Ok(_) => continue,
            Err(e) => return Err(ReportError::parse(path, 0, format!("{e:?}"))),
        };
        let tag = interval.tag().map(|t| t.as_str().to_string());
        let tag = tag.ok_or_else(|| ReportError::parse(path, 0, "an interval has no tag"))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(interval.encoded_histogram())
            .map_err(|e| ReportError::parse(path, 0, format!("tag {tag}: {e}")))?;
        let hist: Histogram<u64> = deserializer
            .deserialize(&mut Cursor::new(raw))
            .map_err(|e| ReportError::parse(path, 0, format!("tag {tag}: {e:?}")))?;
        let (name, service) = match tag.strip_suffix(SERVICE_SUFFIX) {
            Some(name) => (decode(name), true),
            None => (decode(&tag), false),
        };
        let slot = match out.iter().position(|h| h.operation == name) {
            Some(i) => i,
            None => {
                out.push(OperationHistograms {
                    operation: name,
                    corrected_us: empty(&hist),
                    service_us: empty(&hist),
                });
                out.len() - 1
            }
        };
        if service {
            out[slot].service_us = hist;
        } else {
            out[slot].corrected_us = hist;
        }
    }
    Ok(out)
}

/// An empty histogram with `like`'s configuration (stands in for a missing twin).
fn empty(like: &Histogram<u64>) -> Histogram<u64> {
    Histogram::new_from(like)
}

fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' | ',' | ' ' | '\r' | '\n' | ':' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn decode(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut rest = tag;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let hex = rest.get(i + 1..i + 3);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(char::from(b));
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_round_trip() {
        for name in ["list-users", "a b,c:d%e", "x:service", ""] {
            let e = encode(name);
            assert!(Tag::new(&e).is_some(), "{e}");
            assert!(!e.contains(':'));
            assert_eq!(decode(&e), name);
        }
    }
}
