//! `quotaprobe serve`'s fault flags: the same faults a scenario sets in
//! `[target.simulated.faults]`, for a standalone tenant (e.g. to watch an SDK cope).

use std::time::Duration;

use clap::Args;

use super::CliError;
use crate::sim::Faults;

/// Faults the served tenant injects (all off by default). Ratios are per request and together
/// must stay ≤ 1; durations are like "50ms", "5s".
#[derive(Debug, Args, Default)]
pub struct FaultArgs {
    /// Added to every answer.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub fault_latency: Option<Duration>,
    /// With --fault-latency: the added latency is uniform between the two.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub fault_latency_max: Option<Duration>,
    /// Share of requests answered 500, 502 or 503.
    #[arg(long, value_name = "RATIO")]
    pub fault_error_ratio: Option<f64>,
    /// Share of answers cut after half the body (connection reset).
    #[arg(long, value_name = "RATIO")]
    pub fault_drop_ratio: Option<f64>,
    /// Share of answers whose body is held back for --fault-stall.
    #[arg(long, value_name = "RATIO", requires = "fault_stall")]
    pub fault_stall_ratio: Option<f64>,
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub fault_stall: Option<Duration>,
    /// Share of answers replaced by a 200 whose body is not JSON.
    #[arg(long, value_name = "RATIO")]
    pub fault_malformed_ratio: Option<f64>,
    /// Share of answers with unparsable x-ratelimit-* / retry-after values.
    #[arg(long, value_name = "RATIO")]
    pub fault_garbage_headers_ratio: Option<f64>,
    /// Issued tokens die this much earlier than their expires_in says.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub fault_token_exp_shortfall: Option<Duration>,
}

impl FaultArgs {
    pub fn to_faults(&self) -> Result<Faults, CliError> {
        let mut sum = 0.0;
        let mut ratio = |flag: &str, v: Option<f64>| -> Result<f64, CliError> {
            let v = v.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&v) {
                return Err(CliError::usage(format!(
                    "--{flag} must be between 0 and 1, got {v}"
                )));
            }
            sum += v;
            Ok(v)
        };
        let faults = Faults {
            latency: self.fault_latency.unwrap_or_default(),
            latency_max: self.fault_latency_max.unwrap_or_default(),
            error_ratio: ratio("fault-error-ratio", self.fault_error_ratio)?,
            drop_ratio: ratio("fault-drop-ratio", self.fault_drop_ratio)?,
            stall_ratio: ratio("fault-stall-ratio", self.fault_stall_ratio)?,
            stall: self.fault_stall.unwrap_or_default(),
            malformed_ratio: ratio("fault-malformed-ratio", self.fault_malformed_ratio)?,
            garbage_headers_ratio: ratio(
                "fault-garbage-headers-ratio",
                self.fault_garbage_headers_ratio,
            )?,
            token_exp_shortfall: self.fault_token_exp_shortfall.unwrap_or_default(),
            from: Duration::ZERO,
            until: None,
        };
        if sum > 1.0 + 1e-9 {
            return Err(CliError::usage(format!(
                "the --fault-*-ratio flags add up to {sum}; a request gets at most one fault, so keep the sum <= 1"
            )));
        }
        Ok(faults)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_checked() {
        let ok = FaultArgs {
            fault_error_ratio: Some(0.5),
            fault_drop_ratio: Some(0.5),
            ..FaultArgs::default()
        };
        assert_eq!(ok.to_faults().map(|f| f.error_ratio).ok(), Some(0.5));
        let over = FaultArgs {
            fault_error_ratio: Some(0.7),
            fault_drop_ratio: Some(0.7),
            ..FaultArgs::default()
        };
        assert!(
            over.to_faults()
                .is_err_and(|e| e.message.contains("add up to 1.4"))
        );
        let bad = FaultArgs {
            fault_malformed_ratio: Some(-0.1),
            ..FaultArgs::default()
        };
        assert!(
            bad.to_faults()
                .is_err_and(|e| e.message.contains("--fault-malformed-ratio"))
        );
        assert!(
            !FaultArgs::default()
                .to_faults()
                .is_ok_and(|f| f.is_active())
        );
    }
}
