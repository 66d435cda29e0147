//! Sensitivity: the focus forces' rate, flag and excess under each reasonable alternative to
//! the analysis file's choices (`[sensitivity]`), beside the run's own, so that a reader sees
//! whether the finding depends on a choice they never made.
//!
//! Invariant: every alternative is compared by [`super::compare`] itself, from cells of the
//! same table in memory (measured again only when the alternative changes what a cell
//! counts: basis, outcome types, denominator); nothing here is a formula.

use crate::config::{Alternative, Config};
use crate::stats::Flag;

use super::Analysis;

/// The name of the run's own row.
pub const AS_RUN: &str = "as_run";

/// One focus force under one alternative (or as run).
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// [`AS_RUN`] or the alternative's name ([`Alternative::name`]).
    pub alternative: String,
    /// The setting in words ("outcomes 15 and 16 together").
    pub setting: String,
    /// The focus force.
    pub force: String,
    /// The result, or why there is none.
    pub result: Result<Outcome, String>,
}

/// A focus force's place under one setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Σ numerator.
    pub numerator: u64,
    /// Σ denominator.
    pub denominator: u64,
    /// Its rate.
    pub rate: f64,
    /// The funnel's target (the national rate).
    pub target: f64,
    /// Its flag against the adjusted limits.
    pub flag: Flag,
    /// Its rank among the national set, highest rate first.
    pub rank: Option<usize>,
    /// The size of the national set.
    pub of: u64,
    /// The closures above the offence-mix expectation (O − E), when standardised.
    pub excess: Option<f64>,
    /// The part of the gap to the national rate explained by the offence mix (E − nθ₀).
    pub explained_by_offence_mix: Option<f64>,
    /// Whether the flag is the one the run itself gives.
    pub same_flag: bool,
}

/// The focus forces' outcome in one analysis.
fn outcomes(analysis: &Analysis) -> Vec<(String, Outcome)> {
    analysis
        .forces
        .iter()
        .filter(|r| r.focus)
        .map(|r| {
            let mix = analysis.mix_summary.iter().find(|m| m.force == r.force);
            (
                r.force.clone(),
                Outcome {
                    numerator: r.numerator,
                    denominator: r.denominator,
                    rate: r.rate,
                    target: r.target,
                    flag: r.flag,
                    rank: r.rank,
                    of: analysis.funnel.n_units as u64,
                    excess: mix.map(|m| m.excess),
                    explained_by_offence_mix: mix.map(|m| m.mix),
                    same_flag: true,
                },
            )
        })
        .collect()
}

/// The run's own settings in words, for its row.
pub fn as_run_words(config: &Config) -> String {
    format!(
        "as run: {}, outcome{} {}, denominator {}, strata by {}, {} the City of London, {} overdispersion adjustment",
        config.basis.as_str().replace('_', " "),
        if config.outcomes.len() == 1 { "" } else { "s" },
        crate::config::join_numbers(&config.outcomes),
        config.denominator.name.replace('_', " "),
        match config.strata {
            crate::config::Strata::OffenceGroup => "offence group",
            crate::config::Strata::OffenceCode => "offence code",
        },
        if config.include_city_of_london { "with" } else { "without" },
        super::funnel::adjustment_name(config.funnel.overdispersion)
    )
}

/// The table's rows: the run's own for each focus force, then each alternative's. An
/// alternative that could not be compared keeps its row with the reason.
pub fn rows(
    config: &Config,
    main: &Analysis,
    alternatives: &[(Alternative, String, anyhow::Result<Analysis>)],
) -> Vec<SensitivityRow> {
    let own = outcomes(main);
    let mut rows: Vec<SensitivityRow> = own
        .iter()
        .map(|(force, outcome)| SensitivityRow {
            alternative: AS_RUN.to_string(),
            setting: as_run_words(config),
            force: force.clone(),
            result: Ok(outcome.clone()),
        })
        .collect();
    for (alternative, setting, analysis) in alternatives {
        match analysis {
            Ok(analysis) => {
                let theirs = outcomes(analysis);
                for (force, run_outcome) in &own {
                    let result = match theirs.iter().find(|(f, _)| f == force) {
                        Some((_, outcome)) => Ok(Outcome {
                            same_flag: outcome.flag == run_outcome.flag,
                            ..outcome.clone()
                        }),
                        None => Err(format!("{force} is not compared under this setting")),
                    };
                    rows.push(SensitivityRow {
                        alternative: alternative.name().to_string(),
                        setting: setting.clone(),
                        force: force.clone(),
                        result,
                    });
                }
            }
            Err(err) => {
                for (force, _) in &own {
                    rows.push(SensitivityRow {
                        alternative: alternative.name().to_string(),
                        setting: setting.clone(),
                        force: force.clone(),
                        result: Err(
                            crate::normalise::text::one_line(&format!("{err:#}")).into_owned()
                        ),
                    });
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests;
