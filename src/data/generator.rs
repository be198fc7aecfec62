//! Values made per request for `{{name}}` holes, without a data file: a sequence, a random
//! integer in a range, a UUID, a choice from a list, the current time. Every value is a pure
//! function of the request's arrival number, the run's seeded RNG and the clock's reading, so
//! the same seed gives the same requests, and shards of a run (which own disjoint arrival
//! numbers) never repeat a sequence value.

use std::time::{Duration, SystemTime};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// One generator, as the scenario's `[vars]` table names it.
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    /// `start + n × step` for the request of arrival number `n` (from 0).
    Sequence { start: i64, step: i64 },
    /// Uniform in `min..=max`.
    RandomInt { min: i64, max: i64 },
    /// A random (version 4) UUID from the run's RNG.
    Uuid,
    /// One of the values, uniformly.
    Choice(Vec<String>),
    /// The clock's reading.
    Now(TimeFormat),
}

/// How [`Generator::Now`] writes the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// `2026-12-03T06:13:44.123Z`
    Rfc3339,
    /// Seconds since the Unix epoch.
    Unix,
    /// Milliseconds since the Unix epoch.
    UnixMs,
}

impl TimeFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rfc3339" => Some(TimeFormat::Rfc3339),
            "unix" => Some(TimeFormat::Unix),
            "unix_ms" => Some(TimeFormat::UnixMs),
            _ => None,
        }
    }
}

impl Generator {
    /// The value for the request of arrival number `n` at time `now`.
    pub fn value(&self, n: u64, rng: &mut ChaCha8Rng, now: SystemTime) -> String {
        match self {
            Generator::Sequence { start, step } => {
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                start.saturating_add(n.saturating_mul(*step)).to_string()
            }
            Generator::RandomInt { min, max } => rng.random_range(*min..=*max).to_string(),
            Generator::Uuid => {
                let bytes: [u8; 16] = rng.random();
                uuid::Builder::from_random_bytes(bytes)
                    .into_uuid()
                    .to_string()
            }
            Generator::Choice(values) => {
                if values.is_empty() {
                    String::new()
                } else {
                    values[rng.random_range(0..values.len())].clone()
                }
            }
            Generator::Now(format) => {
                let since = now
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or(Duration::ZERO);
                match format {
                    TimeFormat::Unix => since.as_secs().to_string(),
                    TimeFormat::UnixMs => since.as_millis().to_string(),
                    TimeFormat::Rfc3339 => rfc3339_ms(since),
                }
            }
        }
    }
}

fn rfc3339_ms(since: Duration) -> String {
    let nanos = i128::try_from(since.as_nanos()).unwrap_or(0);
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(nanos - nanos % 1_000_000) else {
        return since.as_secs().to_string();
    };
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&format)
        .unwrap_or_else(|_| since.as_secs().to_string())
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(42)
    }

    #[test]
    fn each_generator_gives_what_it_says() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_278_424_123);
        let mut r = rng();
        let seq = Generator::Sequence {
            start: 100,
            step: 5,
        };
        assert_eq!(
            [0, 1, 7].map(|n| seq.value(n, &mut r, now)),
            ["100", "105", "135"]
        );
        let ints = Generator::RandomInt { min: -2, max: 2 };
        let drawn: Vec<i64> = (0..500)
            .map(|n| ints.value(n, &mut r, now).parse().unwrap_or(99))
            .collect();
        assert!(drawn.iter().all(|v| (-2..=2).contains(v)));
        assert!((-2..=2).all(|v| drawn.contains(&v)));
        let id = Generator::Uuid.value(0, &mut r, now);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4", "{id}: version 4");
        assert_ne!(id, Generator::Uuid.value(0, &mut r, now));
        let choice = Generator::Choice(vec!["a".into(), "b".into()]);
        let picks: String = (0..100).map(|n| choice.value(n, &mut r, now)).collect();
        assert!(picks.contains('a') && picks.contains('b'));
        assert_eq!(
            Generator::Now(TimeFormat::Rfc3339).value(0, &mut r, now),
            "2026-12-03T06:13:44.123Z"
        );
        assert_eq!(
            Generator::Now(TimeFormat::Unix).value(0, &mut r, now),
            "1796278424"
        );
        assert_eq!(
            Generator::Now(TimeFormat::UnixMs).value(0, &mut r, now),
            "1796278424123"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_values() {
        let now = SystemTime::UNIX_EPOCH;
        let run = || {
            let mut r = rng();
            (0..20)
                .map(|n| Generator::Uuid.value(n, &mut r, now))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
