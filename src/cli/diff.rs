//! `outcome-lens diff`: what changed between two finished run folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::exit::Exit;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  outcome-lens diff runs/2024-06 runs/2024-07
  outcome-lens diff reports/sample tests/golden/sample --tolerance 1e-6
  outcome-lens diff runs/2024-06 runs/2024-07 --fail-on special_cause_concerning";

/// What `--fail-on` gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A point newly labelled special cause, concerning (the direction of improvement from
    /// `[spc] direction`).
    #[value(name = "special_cause_concerning")]
    SpecialCauseConcerning,
    /// A point newly labelled with any special cause.
    #[value(name = "special_cause")]
    SpecialCause,
    /// A control-chart rule newly hit.
    #[value(name = "rule_hit")]
    RuleHit,
    /// Any difference.
    #[value(name = "any")]
    Any,
}

impl From<FailOn> for crate::diff::Gate {
    fn from(f: FailOn) -> Self {
        use crate::diff::Gate;
        match f {
            FailOn::SpecialCauseConcerning => Gate::Concerning,
            FailOn::SpecialCause => Gate::SpecialCause,
            FailOn::RuleHit => Gate::RuleHit,
            FailOn::Any => Gate::Any,
        }
    }
}

/// `outcome-lens diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The first run folder.
    pub a: PathBuf,
    /// The second run folder.
    pub b: PathBuf,
    /// Largest absolute change in a rate, limit or z-score that counts as equal.
    #[arg(long, default_value_t = 1e-9)]
    pub tolerance: f64,
    /// Exit 3 only when a difference of this kind is found (0 otherwise, whatever else
    /// differs): for scheduled monitoring, where every month's run differs from the last.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

/// Prints the differences as CSV on stdout and their count on stderr; exit 1 when any, or
/// with `--fail-on`, 3 when one of that kind (and 0 otherwise).
pub fn run(args: &DiffArgs) -> Result<Exit> {
    let differences = crate::diff::diff(&args.a, &args.b, args.tolerance)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "kind,subject,field,a,b")?;
    for d in &differences {
        writeln!(
            out,
            "{},{},{},{},{}",
            d.kind,
            crate::wording::csv_field(&d.subject),
            crate::wording::csv_field(&d.field),
            crate::wording::csv_field(&d.a),
            crate::wording::csv_field(&d.b)
        )?;
    }
    out.flush()?;
    eprintln!(
        "{} between {} and {}",
        match differences.len() {
            0 => "no differences".to_string(),
            1 => "1 difference".to_string(),
            n => format!("{n} differences"),
        },
        args.a.display(),
        args.b.display()
    );
    if let Some(fail_on) = args.fail_on {
        let gate = crate::diff::Gate::from(fail_on);
        let tripped: Vec<_> = differences.iter().filter(|d| gate.trips(d)).collect();
        if !tripped.is_empty() {
            for d in &tripped {
                eprintln!(
                    "gate: {} {} {}: {} -> {}",
                    d.kind, d.subject, d.field, d.a, d.b
                );
            }
            return Ok(Exit::Gate);
        }
        return Ok(Exit::Success);
    }
    Ok(if differences.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    })
}
