//! Command-line interface: clap types and dispatch. The only module that knows flags.
//!
//! Each subcommand lives in its own file and returns an [`Exit`]; `main` turns that into the
//! process exit code. Errors are printed here, once, so library code never prints them.

mod calendar;
mod compare;
mod faults;
mod guard;
mod merge;
mod outcome;
mod output;
mod plan;
mod plan_budget;
mod probe;
mod provision;
mod real;
mod report;
mod run;
mod samples;
mod serve;
mod shard;
mod tiers;
mod validate;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// How a command ended. Maps one to one onto the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: ran, and every threshold held.
    Ok,
    /// 1: failure at run time.
    Failed,
    /// 2: bad usage or bad scenario; nothing was sent.
    Usage,
    /// 3: ran, but a threshold was breached.
    Breached,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> ExitCode {
        ExitCode::from(match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Breached => 3,
        })
    }
}

/// Quota and rate-limit load tester for Auth0-style tenants.
///
/// Runs scenario files (TOML) against an embedded simulated Auth0 tenant (the default, offline,
/// no credentials) or a real tenant, and writes CSV, Markdown and HTML reports.
///
/// Exit codes: 0 ran and every threshold held; 1 failure at run time; 2 bad usage or bad
/// scenario (nothing was sent); 3 ran, but a threshold was breached.
#[derive(Debug, Parser)]
#[command(name = "quotaprobe", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one scenario and write a report folder.
    ///
    /// Example: quotaprobe run scenarios/quickstart.toml
    Run(RunArgs),
    /// Run one scenario on several simulated tiers, or compare finished report folders.
    ///
    /// Examples: quotaprobe compare scenarios/which-tier.toml --tiers free,essentials,enterprise
    ///           quotaprobe compare reports/a reports/b --fail-if "p99_ms>+10%"
    Compare(CompareArgs),
    /// Forecast a scenario: a fast-forward run (virtual clock, the simulated tenant in process)
    /// whose report says it is a forecast. Same flags as `run`; simulated targets only.
    ///
    /// Example: quotaprobe forecast scenarios/quickstart.toml --tier free
    Forecast(RunArgs),
    /// Start the simulated Auth0 tenant on loopback and serve until Ctrl-C.
    ///
    /// Example: quotaprobe serve --tier free --addr 127.0.0.1:4000
    Serve(ServeArgs),
    /// Parse and resolve a scenario, then print its plan and quota forecast. Sends nothing.
    ///
    /// Example: quotaprobe validate scenarios/quickstart.toml
    Validate(ValidateArgs),
    /// List the built-in tier profiles with their limits and sources.
    Tiers(TiersArgs),
    /// Re-render report.md and report.html from the files of a finished run.
    ///
    /// Example: quotaprobe report reports/quickstart-20261123T190000
    Report(ReportArgs),
    /// Print the load-test request Auth0 asks for before a real-tenant test. Sends nothing.
    ///
    /// Example: quotaprobe plan scenarios/quickstart.toml --format md
    Plan(PlanArgs),
    /// Merge the report folders of a sharded run (`run --shard I/N`) into one report.
    ///
    /// Example: quotaprobe merge reports/s-0 reports/s-1 reports/s-2 --out reports/s-merged
    Merge(MergeArgs),
    /// Check report folders against docs/reports.md: files, columns, cells and the invariants
    /// between them. One line per problem; exit 0 clean, 1 problems, 2 no such folder.
    ///
    /// Example: quotaprobe verify reports/quickstart-20261123T190000
    Verify(VerifyArgs),
    /// Measure an endpoint's rate-limit bucket (burst, sustained rate) with few requests and
    /// write it as a tier file.
    ///
    /// Example: quotaprobe probe sim:essentials --endpoint "GET /api/v2/users" --out tier.toml
    Probe(probe::ProbeArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/quickstart.toml.
    pub scenario: PathBuf,
    /// Simulated tier to run against (overrides the scenario's `target.simulated.tier`); for a
    /// real tenant, the tier whose published limits cap the planned peak rates. See `quotaprobe tiers`.
    #[arg(long)]
    pub tier: Option<String>,
    /// Load a tier profile from a TOML file instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub tier_file: Option<PathBuf>,
    /// Report folder to write (must not exist). Default: reports/<scenario>-<UTC time>[-<tier>]/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seed for operation picks and jitter (overrides the scenario's `seed`); recorded in run.csv.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bars or lines; print only the final summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Exit 3 when the verdict is "does not fit" (429s, other failures, a quota that runs out),
    /// even with no threshold broken. Without it the exit code follows the thresholds alone.
    #[arg(long)]
    pub strict: bool,
    /// When stderr is not a terminal (CI logs), print one progress line this often (elapsed,
    /// sent, ok, 429, errors, dropped, current rps); 0 turns it off, e.g. --progress-every 30s
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_every)]
    pub progress_every: std::time::Duration,
    /// --format json, --junit FILE, --summary-md FILE.
    #[command(flatten)]
    pub output: output::OutputArgs,
    /// Run on a virtual clock: the engine and the embedded simulated tenant in process, so a
    /// long scenario takes minutes (run.csv says `clock = virtual`). Simulated targets only.
    #[arg(long)]
    pub fast_forward: bool,
    /// Set by `forecast` (no flag): a fast-forward run reported as a forecast.
    #[arg(skip)]
    pub forecast: bool,
    /// Real-tenant guard rails and `--dry-run`.
    #[command(flatten)]
    pub real: real::RealArgs,
    /// Sharded runs (`--shard I/N`) and a common start (`--start-at`).
    #[command(flatten)]
    pub shard: shard::ShardArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A scenario file (with --tiers), or two or more finished report folders.
    #[arg(required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Comma-separated simulated tiers to run the scenario on, e.g. free,essentials,enterprise.
    #[arg(long, value_delimiter = ',')]
    pub tiers: Vec<String>,
    /// Also run the scenario on the tier profile in FILE, named by its `name` (repeatable; with
    /// or without --tiers), e.g. the file `quotaprobe probe --out` wrote.
    #[arg(long = "tier-file", value_name = "FILE")]
    pub tier_files: Vec<PathBuf>,
    /// Rule that sets exit code 3 when breached, e.g. "p99_ms>+10%" (repeatable).
    #[arg(long = "fail-if", value_name = "RULE")]
    pub fail_if: Vec<String>,
    /// Folder to write the comparison into. With --tiers, default
    /// reports/<scenario>-compare-<UTC time>/; with report folders, nothing is written without it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --tiers: how many tiers run at once (each on its own simulator and threads).
    /// Default: the number of CPU cores, at most the number of tiers.
    #[arg(long, value_name = "N")]
    pub parallel: Option<usize>,
    /// With --tiers: seed for operation picks (overrides the scenario's `seed`); every tier gets
    /// the same one, so every tier sees the same arrivals.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress lines; print only the comparison.
    #[arg(long, short)]
    pub quiet: bool,
    /// With --tiers: run each tier on a virtual clock (`run --fast-forward`), so a long
    /// scenario compares in minutes. Simulated targets only.
    #[arg(long)]
    pub fast_forward: bool,
    /// --format json, --junit FILE (one testcase per --fail-if rule, or per tier × threshold
    /// with --tiers), --summary-md FILE.
    #[command(flatten)]
    pub output: output::OutputArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Tier profile whose limits the tenant enforces. See `quotaprobe tiers`.
    #[arg(long, default_value = "free")]
    pub tier: String,
    /// Load a tier profile from a TOML file instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub tier_file: Option<PathBuf>,
    /// Loopback address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:4000")]
    pub addr: String,
    /// Also accept a private IPv4 --addr (10/8, 172.16/12, 192.168/16), e.g. inside a network
    /// namespace, so other hosts of that network can reach the tenant (sharded runs from several
    /// source addresses). The demo credentials are public: use only on a network you own.
    #[arg(long)]
    pub private_addr: bool,
    /// Tenant domain (issuer https://{domain}/, Management audience https://{domain}/api/v2/).
    /// Default: the listen address, e.g. 127.0.0.1:4000.
    #[arg(long)]
    pub domain: Option<String>,
    /// The demo client's id.
    #[arg(long, default_value = crate::sim::DEMO_CLIENT_ID)]
    pub client_id: String,
    /// The demo client's secret.
    #[arg(long, default_value = crate::sim::DEMO_CLIENT_SECRET)]
    pub client_secret: String,
    /// Register a custom API (audience) granted to the demo client; repeatable.
    /// Default: one custom API, https://api.example.com/.
    #[arg(long = "api", value_name = "AUDIENCE")]
    pub apis: Vec<String>,
    /// Lifetime of issued tokens in seconds (1 to 2592000).
    #[arg(long, default_value_t = 86_400)]
    pub token_lifetime: u64,
    /// Number of users seeded in the store.
    #[arg(long, default_value_t = 1_000)]
    pub users: u32,
    /// Write the --users seeded users (CSV: user_id,email,name) to FILE and exit without
    /// serving: a data file for scenarios that read or update existing users. Every tenant
    /// seeded with as many users (`serve --users N`, `[target.simulated] users = N`) holds them.
    #[arg(long, value_name = "FILE")]
    pub export_users: Option<PathBuf>,
    /// M2M tokens already used this month when the tenant starts.
    #[arg(long, default_value_t = 0)]
    pub month_to_date_tokens: u64,
    /// HTTPS.
    #[command(flatten)]
    pub tls: serve::TlsArgs,
    #[command(flatten)]
    pub faults: faults::FaultArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Tier to forecast against (overrides the scenario's).
    #[arg(long)]
    pub tier: Option<String>,
    /// What stdout holds: text (default) or json (the plan and forecast as one JSON document),
    /// e.g. --format json
    #[arg(long, value_enum, default_value_t = output::Format::Text)]
    pub format: output::Format,
}

#[derive(Debug, Args)]
pub struct TiersArgs {
    /// Print a tier profile file instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub tier_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A finished run's report folder.
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Output format: md, csv or json, e.g. --format json
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Check each endpoint's planned peak against this built-in tier's published limits; any
    /// endpoint above them is a finding and the command exits 3.
    #[arg(long)]
    pub tier: Option<String>,
    /// The token-request guard the run will have (a real tenant's run defaults to 100): a plan
    /// forecasting more is a finding naming the step it stops in, and the command exits 3.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' report folders (one per shard of the same run).
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// Folder to write the merged report into (created; must be empty if it exists).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Report folders to check (each written by run, compare or merge).
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
}

/// `--progress-every`: a duration such as `10s` or `1m`; `0` turns the lines off.
fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    if text.trim() == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{text:?} is not a duration ({e}); use e.g. 10s, 1m or 0 to turn it off")
    })
}

/// Run the parsed command and report its outcome. `stop` ends a run cleanly (the binary wires
/// the first Ctrl-C to it).
pub fn dispatch(cli: Cli, stop: crate::engine::StopSignal) -> Exit {
    let result = match cli.command {
        Command::Run(args) => run::run(args, stop),
        Command::Forecast(args) => run::forecast(args, stop),
        Command::Compare(args) => compare::compare(args, stop),
        Command::Serve(args) => serve::serve(args),
        Command::Validate(args) => validate::validate(args),
        Command::Tiers(args) => tiers::tiers(args),
        Command::Report(args) => report::report(args),
        Command::Plan(args) => plan::plan(args),
        Command::Merge(args) => merge::merge(args),
        Command::Verify(args) => verify::verify(args),
        Command::Probe(args) => probe::probe(args),
    };
    match result {
        Ok(exit) => exit,
        Err(err) => {
            eprintln!("error: {}", err.message);
            err.exit
        }
    }
}

/// An error that ends a command: what to print and which exit code it means.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub exit: Exit,
}

impl CliError {
    /// Bad usage or bad input: exit code 2, nothing was sent.
    pub fn usage(message: impl std::fmt::Display) -> Self {
        CliError {
            message: message.to_string(),
            exit: Exit::Usage,
        }
    }
    /// Failure at run time: exit code 1.
    pub fn failed(message: impl std::fmt::Display) -> Self {
        CliError {
            message: message.to_string(),
            exit: Exit::Failed,
        }
    }
    /// The engine did not start (nothing was sent): a request of the scenario that cannot be
    /// built is bad input (exit 2), anything else a failure (exit 1).
    pub fn engine(e: &crate::engine::EngineError, message: impl std::fmt::Display) -> Self {
        match e {
            crate::engine::EngineError::Template { .. } => Self::usage(message),
            _ => Self::failed(message),
        }
    }
}

pub(crate) type CliResult = Result<Exit, CliError>;

/// The tier profile of a plan's simulated target: from `--tier-file` when given, else built in.
/// `None` for a real tenant.
pub(crate) fn tier_profile(
    plan: &crate::scenario::RunPlan,
    tier_file: Option<&std::path::Path>,
) -> Result<Option<crate::sim::TierProfile>, CliError> {
    let crate::scenario::TargetPlan::Simulated(sim) = &plan.target else {
        return Ok(None);
    };
    match tier_file {
        Some(path) => crate::sim::tier::load_file(path)
            .map(Some)
            .map_err(|e| CliError::usage(format!("--tier-file {}: {e}", path.display()))),
        None => crate::sim::tier::builtin_or_err(&sim.tier)
            .map(Some)
            .map_err(CliError::usage),
    }
}

/// Loads a scenario with the command line's overrides; a bad file is a usage error (exit 2).
/// With a tier file, any tier name is accepted (the file's profile is used).
pub(crate) fn load_plan(
    path: &std::path::Path,
    tier: Option<String>,
    seed: Option<u64>,
    tier_file: Option<&std::path::Path>,
) -> Result<crate::scenario::RunPlan, CliError> {
    let known = tier_file.is_none().then(crate::sim::tier::builtin_names);
    crate::scenario::load(path, known, crate::scenario::Overrides { tier, seed })
        .map_err(CliError::usage)
}

/// Prints to stdout, ignoring a closed pipe (`quotaprobe run ... | head -3`): the report folder
/// and the exit code are what a command delivers, and print! would panic (exit 101) on EPIPE.
/// Every subcommand prints through this.
pub(crate) fn print_out(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
