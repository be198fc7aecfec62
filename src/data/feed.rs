//! The run's source of hole values: its data files, open as [`Rows`], and its generators.
//! Per request, [`Feed::draw`] takes one row from each file that request's templates read
//! (and no other: a `once` file's rows go only to the requests that use them) and one value
//! from each generator they name. One feed per run, owned by whoever schedules requests, so
//! rows are handed out in arrival order and a seed repeats the run.

use std::path::PathBuf;
use std::time::SystemTime;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::file::{DataError, Format, Mode, Rows};
use super::generator::Generator;

/// A data file to open.
#[derive(Debug, Clone)]
pub struct FileSource {
    pub name: String,
    pub path: PathBuf,
    pub format: Format,
    pub mode: Mode,
}

/// Which sources one operation's templates use, by hole name: found once, at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// (file index, its columns used as (hole name, column index)).
    files: Vec<(usize, Vec<(String, usize)>)>,
    /// (var index, hole name).
    vars: Vec<(usize, String)>,
}

impl Needs {
    /// True when the operation has no holes.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.vars.is_empty()
    }
}

/// One request's hole values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pairs: Vec<(String, String)>,
}

impl Values {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Values { pairs }
    }

    pub fn get(&self, hole: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == hole)
            .map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Sets hole `name` to `value` (a flow step's capture), replacing an earlier value.
    pub fn set(&mut self, name: &str, value: String) {
        match self.pairs.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => self.pairs.push((name.to_string(), value)),
        }
    }
}

/// The open files and the generators of a run.
pub struct Feed {
    names: Vec<String>,
    columns: Vec<Vec<String>>,
    rows: Vec<Rows>,
    vars: Vec<(String, Generator)>,
    rng: ChaCha8Rng,
}

impl Feed {
    /// Opens every file (each already checked when the scenario was loaded). `seed` orders
    /// `random` files and drives the generators; each file has its own stream of it.
    pub fn open(
        files: &[FileSource],
        vars: Vec<(String, Generator)>,
        seed: u64,
        shard: Option<(u64, u64)>,
    ) -> Result<Self, DataError> {
        let mut rows = Vec::new();
        let mut columns = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let rng = ChaCha8Rng::seed_from_u64(seed ^ (0xD47A_0000 + i as u64));
            let r = Rows::open(&f.path, f.format, f.mode, rng, shard)?;
            columns.push(r.columns().to_vec());
            rows.push(r);
        }
        Ok(Feed {
            names: files.iter().map(|f| f.name.clone()).collect(),
            columns,
            rows,
            vars,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0DA7_A5EE_D000),
        })
    }

    /// What a request whose templates have `holes` needs; a hole this feed cannot fill is
    /// `Err(hole)` (the scenario check makes that unreachable).
    pub fn needs<'a>(&self, holes: impl IntoIterator<Item = &'a str>) -> Result<Needs, String> {
        let mut needs = Needs::default();
        for hole in holes {
            if let Some((file, col)) = hole.split_once('.') {
                let fi = self.names.iter().position(|n| n == file).ok_or(hole)?;
                let ci = self.columns[fi].iter().position(|c| c == col).ok_or(hole)?;
                match needs.files.iter_mut().find(|(f, _)| *f == fi) {
                    Some((_, cols)) => cols.push((hole.to_string(), ci)),
                    None => needs.files.push((fi, vec![(hole.to_string(), ci)])),
                }
            } else {
                let vi = self.vars.iter().position(|(n, _)| n == hole).ok_or(hole)?;
                needs.vars.push((vi, hole.to_string()));
            }
        }
        Ok(needs)
    }

    /// The values for the request of arrival number `arrival` at `now`; `Ok(None)` when a
    /// `once` file it reads is used up (the run's data is exhausted).
    pub fn draw(
        &mut self,
        needs: &Needs,
        arrival: u64,
        now: SystemTime,
    ) -> Result<Option<Values>, DataError> {
        let mut pairs = Vec::new();
        for (fi, cols) in &needs.files {
            let Some(mut row) = self.rows[*fi].next_row()? else {
                return Ok(None);
            };
            for (hole, ci) in cols {
                let value = row.get_mut(*ci).map(std::mem::take).unwrap_or_default();
                pairs.push((hole.clone(), value));
            }
        }
        for (vi, hole) in &needs.vars {
            let value = self.vars[*vi].1.value(arrival, &mut self.rng, now);
            pairs.push((hole.clone(), value));
        }
        Ok(Some(Values { pairs }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_only_what_a_request_needs_and_ends_with_a_once_file() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = tmp.path().join("u.csv");
        std::fs::write(&path, "user_id,name\na,A\nb,B\n").unwrap_or_default();
        let files = [FileSource {
            name: "users".into(),
            path,
            format: Format::Csv,
            mode: Mode::Once,
        }];
        let vars = vec![("n".to_string(), Generator::Sequence { start: 10, step: 1 })];
        let mut feed = Feed::open(&files, vars, 1, None).unwrap_or_else(|e| panic!("{e}"));
        let both = feed
            .needs(["users.user_id", "n", "users.name"])
            .unwrap_or_default();
        let only_n = feed.needs(["n"]).unwrap_or_default();
        assert!(feed.needs(["users.nope"]).is_err());
        assert!(feed.needs(["m"]).is_err());
        assert!(Needs::default().is_empty() && !only_n.is_empty());
        let now = SystemTime::UNIX_EPOCH;
        let v = feed.draw(&both, 0, now).ok().flatten().unwrap_or_default();
        assert_eq!(
            (v.get("users.user_id"), v.get("users.name"), v.get("n")),
            (Some("a"), Some("A"), Some("10"))
        );
        // A request without the file does not take a row.
        let v = feed
            .draw(&only_n, 1, now)
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(v.pairs(), [("n".to_string(), "11".to_string())]);
        let v = feed.draw(&both, 2, now).ok().flatten().unwrap_or_default();
        assert_eq!(v.get("users.user_id"), Some("b"));
        assert_eq!(feed.draw(&both, 3, now), Ok(None));
        assert!(feed.draw(&only_n, 4, now).ok().flatten().is_some());
    }
}
