//! The analysis file (TOML) and CLI overrides, validated into a [`Config`].
//!
//! Invariant: everything downstream takes `&Config`; an unknown key, a bad value or a
//! reference to a force, scope or peer group that does not exist is an error here that names
//! the key and the valid choices. Paths in the analysis file are relative to the file itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use crate::normalise::forces::{ForceKind, ForceTable};
use crate::normalise::offences::canonical_group;
use crate::normalise::text::match_key;
use crate::record::{parse_financial_year, parse_quarter, Basis, OutcomeType, Period};
use crate::stats::{Adjustment, FlagLevels, FunnelMethod, Level, Scale, Target};

pub mod extract;
pub mod monitor;

/// The bundled peer groups (`data/reference/peer_groups.csv`).
pub const PEER_GROUPS_CSV: &str = include_str!("../data/reference/peer_groups.csv");

/// The default domestic-abuse proxy codes (DATA.md §4): violence offence codes under which
/// much domestic abuse is recorded. Never to be called domestic abuse.
pub const DA_PROXY_CODES: &[&str] = &["8N", "105A", "8L", "8Q", "3B"];

// The analysis file as written (its shapes, in `raw.rs`), validated below into `Config`.
mod raw;

use raw::*;

// ---------------------------------------------------------------------------------------
// The validated configuration.

/// Which outcome types make the denominator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denominator {
    /// `all_assigned`, `suspect_identified` or `custom`.
    pub name: String,
    /// The outcome types summed.
    pub types: Vec<u8>,
    /// The definition in words, for the report.
    pub description: String,
}

/// Which quarters the comparison covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodSpec {
    /// One financial year (its start year).
    FinancialYear(u16),
    /// The four quarters ending with this one.
    Rolling12MonthsTo(Period),
    /// Every quarter in the inputs.
    All,
}

impl PeriodSpec {
    /// Whether a quarter falls in the period (one of its [`PeriodSpec::quarters`]).
    pub fn contains(&self, period: Period) -> bool {
        self.quarters()
            .is_none_or(|quarters| quarters.contains(&period))
    }

    /// The quarters the period spans (`None` for `all`, which is whatever the inputs hold).
    pub fn quarters(&self) -> Option<Vec<Period>> {
        let four_ending = |end: Period| -> Vec<Period> {
            let index = i32::from(end.fy_start()) * 4 + i32::from(end.quarter()) - 1;
            (index - 3..=index)
                .filter_map(|i| {
                    let year = u16::try_from(i.div_euclid(4)).ok()?;
                    let quarter = u8::try_from(i.rem_euclid(4) + 1).ok()?;
                    Period::new(year, quarter)
                })
                .collect()
        };
        match self {
            PeriodSpec::FinancialYear(year) => Period::new(*year, 4).map(four_ending),
            PeriodSpec::Rolling12MonthsTo(end) => Some(four_ending(*end)),
            PeriodSpec::All => None,
        }
    }

    /// The period as written in outputs, e.g. `2018/19` or `12 months to 2018/19 Q4`.
    pub fn label(&self) -> String {
        match self {
            PeriodSpec::FinancialYear(year) => Period::new(*year, 1)
                .map(|p| p.financial_year())
                .unwrap_or_default(),
            PeriodSpec::Rolling12MonthsTo(end) => format!("12 months to {end}"),
            PeriodSpec::All => "all quarters".into(),
        }
    }
}

/// Which offences are in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The scope's name (`all`, `domestic_abuse_proxy`, …).
    pub name: String,
    /// How outputs describe it.
    pub label: String,
    /// True for a proxy (labelled as such in every output).
    pub proxy: bool,
    /// Offence groups to include (canonical spelling); empty = all.
    pub include_groups: Vec<String>,
    /// Offence subgroups to include (match keys); empty = all.
    pub include_subgroups: Vec<String>,
    /// Offence codes to include; empty = all.
    pub include_codes: Vec<String>,
    /// Offence groups to exclude.
    pub exclude_groups: Vec<String>,
    /// Offence subgroups to exclude (match keys).
    pub exclude_subgroups: Vec<String>,
    /// Offence codes to exclude.
    pub exclude_codes: Vec<String>,
}

/// A peer group: a named list of forces, optionally the group *for* one force (an MSG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerGroup {
    /// The group's name (its identifier in the analysis file and the tables).
    pub name: String,
    /// How charts and the report name it: the analysis file's `label`, else made from the
    /// name ("cleveland_illustrative_peers" → "Cleveland illustrative peers",
    /// "region_north_east" → "North East region").
    pub label: String,
    /// The force the group is for, if any.
    pub owner: Option<String>,
    /// Member forces (canonical names), including the owner.
    pub members: Vec<String>,
}

/// When the overdispersion adjustment is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustWhen {
    /// Whenever τ² > 0 (or φ > 1 for the multiplicative adjustment).
    Tau2Positive,
    /// Only when the χ² test for overdispersion is significant at 5%.
    Significant,
}

/// Funnel settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelConfig {
    /// Method of the unadjusted limits.
    pub method: FunnelMethod,
    /// Outer and inner levels.
    pub levels: FlagLevels,
    /// The overdispersion adjustment.
    pub overdispersion: Adjustment,
    /// The scale of z-scores, φ and τ² (and of the adjusted limits).
    pub scale: Scale,
    /// Winsorisation fraction at each end.
    pub winsorise: f64,
    /// Pooled or fixed target.
    pub target: Target,
    /// When the adjustment is applied.
    pub adjust_when: AdjustWhen,
    /// Report Benjamini–Hochberg adjusted p-values.
    pub benjamini_hochberg: bool,
}

impl FunnelConfig {
    /// The defaults of `[funnel]`: arcsine limits at 95% and 99.8%, the additive adjustment
    /// (whenever τ² > 0) on the arcsine scale, 10% winsorised, the pooled target, no BH.
    pub fn standard() -> FunnelConfig {
        FunnelConfig {
            method: FunnelMethod::Arcsine,
            levels: FlagLevels::standard(),
            overdispersion: Adjustment::Additive,
            scale: Scale::Arcsine,
            winsorise: 0.10,
            target: Target::Pooled,
            adjust_when: AdjustWhen::Tau2Positive,
            benjamini_hochberg: false,
        }
    }
}

/// SPC settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpcConfig {
    /// Run length for a shift.
    pub shift_length: usize,
    /// Run length for a trend.
    pub trend_length: usize,
    /// Screen moving ranges.
    pub screen_moving_ranges: bool,
    /// Whether two-of-three counts points beyond 3σ (`two_in_three`).
    pub two_of_three: crate::stats::spc::TwoOfThree,
}

/// Strata for indirect standardisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strata {
    /// By offence group (the default).
    OffenceGroup,
    /// By offence code.
    OffenceCode,
}

/// Output table formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// CSV tables under `tables/` (always written; the run's record).
    pub csv: bool,
    /// Parquet tables under `data/`.
    pub parquet: bool,
    /// The Excel workbook `tables.xlsx`.
    pub xlsx: bool,
}

/// The validated analysis.
#[derive(Debug, Clone)]
pub struct Config {
    /// The analysis file.
    pub analysis_path: PathBuf,
    /// Its text, as run (recorded in the manifest).
    pub analysis_text: String,
    /// Title for outputs.
    pub title: String,
    /// Input files, resolved.
    pub inputs: Vec<PathBuf>,
    /// `source_note`: a sentence about the inputs for every chart's source line and the
    /// report's methods.
    pub source_note: Option<String>,
    /// Numerator outcome types.
    pub outcomes: Vec<u8>,
    /// Count basis.
    pub basis: Basis,
    /// Denominator definition.
    pub denominator: Denominator,
    /// Comparison period.
    pub period: PeriodSpec,
    /// Compare on the quarters held when the data do not cover the whole period (every
    /// output then says which quarters it holds); otherwise that is an error.
    pub allow_partial_period: bool,
    /// Offence scope.
    pub scope: Scope,
    /// Include British Transport Police in the national set.
    pub include_btp: bool,
    /// Include the City of London in the national set.
    pub include_city_of_london: bool,
    /// Peer groups (bundled and from the analysis file).
    pub peer_groups: Vec<PeerGroup>,
    /// Focus forces (canonical names where the forces table knows them; resolved against the
    /// data by the run).
    pub focus: Vec<String>,
    /// Funnel settings.
    pub funnel: FunnelConfig,
    /// SPC settings.
    pub spc: SpcConfig,
    /// Events, baselines, phases, direction, windows and the target (`[[events]]`,
    /// `[spc] baseline`, `phases`, `direction`, `[monitor]`).
    pub monitor: monitor::MonitorConfig,
    /// Offence-mix strata.
    pub strata: Strata,
    /// Output folder.
    pub out: PathBuf,
    /// Output formats.
    pub formats: Formats,
    /// The forces table with the analysis file's aliases.
    pub forces: ForceTable,
    /// The aliases from the analysis file (for the ingest cache key).
    pub aliases: BTreeMap<String, String>,
    /// The record-level extract and its analyses (`[extract]`), if any.
    pub extract: Option<crate::config::extract::ExtractConfig>,
    /// The alternatives reported beside the run's own result (`[sensitivity]`).
    pub sensitivity: Vec<Alternative>,
    /// What the charts draw (`[charts]`).
    pub charts: ChartChoices,
}

/// What the charts draw, from `[charts]` (the run keeps it in `summary.json`, so that a
/// redraw draws the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartChoices {
    /// The funnel's unadjusted limits, drawn lighter beside the adjusted ones (default true).
    pub unadjusted_limits: bool,
    /// The trend charts' rate axis from zero (default true).
    pub y_from_zero: bool,
}

/// One reasonable alternative to a choice of the analysis file, which the run reports beside
/// its own result (`[sensitivity]`, `tables/sensitivity.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alternative {
    /// The other basis (outcomes assigned in the quarter, or of offences recorded in it).
    Basis,
    /// The other offence-mix strata (offence group or offence code).
    Strata,
    /// Outcome 16 alone, or outcomes 15 and 16 together.
    Outcome,
    /// The other named denominator (all outcomes, or those with a suspect identified).
    Denominator,
    /// The national set with or without the City of London.
    CityOfLondon,
    /// The other overdispersion adjustment (multiplicative or additive).
    Overdispersion,
}

impl Alternative {
    /// Every alternative, in the order the table lists them.
    pub const ALL: [Alternative; 6] = [
        Alternative::Basis,
        Alternative::Strata,
        Alternative::Outcome,
        Alternative::Denominator,
        Alternative::CityOfLondon,
        Alternative::Overdispersion,
    ];
    /// Their names in the analysis file and the table.
    pub const NAMES: [&'static str; 6] = [
        "basis",
        "strata",
        "outcome",
        "denominator",
        "city_of_london",
        "overdispersion",
    ];

    /// The name in the analysis file and the table.
    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|a| *a == self).unwrap_or(0)]
    }

    /// Whether it changes what is counted in each cell (so the cells are measured again from
    /// the table in memory), rather than how the same cells are compared.
    pub fn measures_again(self) -> bool {
        matches!(
            self,
            Alternative::Basis | Alternative::Outcome | Alternative::Denominator
        )
    }
}

/// The denominator types for `all_assigned`: every outcome type except 0.
fn all_assigned() -> Vec<u8> {
    (1..=OutcomeType::MAX).collect()
}

/// The denominator types for `suspect_identified`, from `data/reference/outcome_types.csv`.
fn suspect_identified() -> Vec<u8> {
    crate::normalise::outcomes::suspect_identified_types()
}

fn named_denominator(name: &str) -> Result<Denominator> {
    match name {
        "all_assigned" => Ok(Denominator {
            name: name.into(),
            types: all_assigned(),
            description: "all outcomes assigned (outcome types 1-22)".into(),
        }),
        "suspect_identified" => {
            let types = suspect_identified();
            Ok(Denominator {
                name: name.into(),
                description: format!(
                    "outcomes where a suspect was identified (our definition: types {})",
                    join_numbers(&types)
                ),
                types,
            })
        }
        other => bail!(
            "{other:?} is not one of all_assigned, suspect_identified, or a list of outcome types"
        ),
    }
}

/// Writes outcome types compactly: `1-13, 15-17, 21-22`.
pub fn join_numbers(types: &[u8]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < types.len() {
        let start = types[i];
        let mut end = start;
        while i + 1 < types.len() && types[i + 1] == end + 1 {
            i += 1;
            end = types[i];
        }
        parts.push(if end > start {
            format!("{start}-{end}")
        } else {
            start.to_string()
        });
        i += 1;
    }
    parts.join(", ")
}

fn builtin_scope(name: &str) -> Option<RawScope> {
    match name {
        "all" => Some(RawScope {
            label: Some("all offences".into()),
            ..RawScope::default()
        }),
        "violence_against_the_person" => Some(RawScope {
            label: Some("violence against the person".into()),
            include_groups: vec!["Violence against the person".into()],
            ..RawScope::default()
        }),
        "domestic_abuse_proxy" => Some(RawScope {
            proxy: true,
            include_codes: DA_PROXY_CODES.iter().map(|s| s.to_string()).collect(),
            ..RawScope::default()
        }),
        _ => None,
    }
}

const BUILTIN_SCOPES: &[&str] = &["all", "violence_against_the_person", "domestic_abuse_proxy"];

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--out`.
    pub out: Option<PathBuf>,
}

impl Config {
    /// The units whose cells keep their counts by outcome type, for the displacement
    /// measured around each event: the focus forces, when the analysis file has events.
    #[must_use]
    pub fn outcome_mix_units(&self) -> &[String] {
        if self.monitor.events.is_empty() {
            &[]
        } else {
            &self.focus
        }
    }

    /// The units whose cells keep their counts by outcome type: those whose outcome mix is
    /// followed, and the force of a record-level extract, whose counts are reconciled with
    /// the published ones by outcome type.
    pub fn type_count_units(&self) -> Vec<String> {
        let mut units = self.outcome_mix_units().to_vec();
        if let Some(force) = self.extract_force() {
            if !units.contains(&force) {
                units.push(force);
            }
        }
        units
    }

    /// The canonical name of the force a record-level extract is from, when it names one
    /// the force table knows.
    pub fn extract_force(&self) -> Option<String> {
        let name = self.extract.as_ref()?.force.as_deref()?;
        let id = self.forces.lookup(name)?;
        Some(self.forces.force(id).name.clone())
    }

    /// Reads and validates an analysis file.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Config> {
        let text = crate::ingest::files::read_text(path)
            .with_context(|| format!("cannot read analysis file {}", path.display()))?;
        Config::from_toml(path, &text, overrides)
    }

    /// Validates analysis-file text; `path` locates relative paths and names the file in errors.
    pub fn from_toml(path: &Path, text: &str, overrides: &Overrides) -> Result<Config> {
        let raw: RawAnalysis = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end_matches('.').to_string();
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => anyhow!("{}:{line}: {message}", path.display()),
                None => anyhow!("{}: {message}", path.display()),
            }
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let here = |key: &str| format!("{}: {key}", path.display());

        let mut forces = ForceTable::bundled()?;
        for (alias, force) in &raw.aliases {
            forces
                .add_alias(alias, force)
                .with_context(|| here("aliases"))?;
        }
        let canonical_force = |key: &str, name: &str| -> Result<String> {
            match forces.lookup(name) {
                Some(id) => Ok(forces.force(id).name.clone()),
                None => bail!(
                    "{}: unknown force {name:?}; closest known names: {}",
                    here(key),
                    forces.closest_names(name, 3).join(", ")
                ),
            }
        };

        if raw.inputs.is_empty() {
            bail!("{}: at least one input is needed", here("inputs"));
        }
        let inputs = resolve_inputs(base, &raw.inputs).with_context(|| here("inputs"))?;
        let source_note = match raw.source_note.as_deref().map(str::trim) {
            None => None,
            Some("") => bail!(
                "{}: the note is empty; remove the key or write the sentence every source line should carry",
                here("source_note")
            ),
            Some(note) if note.chars().count() > 300 => bail!(
                "{}: the note has {} characters, more than a source line holds (300)",
                here("source_note"),
                note.chars().count()
            ),
            Some(note) => Some(if note.ends_with(['.', '!', '?']) {
                note.to_string()
            } else {
                format!("{note}.")
            }),
        };

        let outcomes = match raw.outcome {
            None => vec![16],
            Some(OneOrMany::One(t)) => vec![t],
            Some(OneOrMany::Many(ts)) => ts,
        };
        if outcomes.is_empty() {
            bail!("{}: give at least one outcome type (0-22)", here("outcome"));
        }
        if let Some(bad) = outcomes.iter().find(|t| **t > OutcomeType::MAX) {
            bail!("{}: {bad} is not an outcome type (0-22)", here("outcome"));
        }
        let outcomes = sorted_unique(outcomes);

        let basis = match raw.basis {
            None | Some(RawBasis::AssignedInPeriod) => Basis::AssignedInPeriod,
            Some(RawBasis::RecordedInPeriod) => Basis::RecordedInPeriod,
        };

        let denominator = match raw.denominator {
            None => named_denominator("all_assigned")?,
            Some(RawDenominator::Named(name)) => {
                named_denominator(&name).with_context(|| here("denominator"))?
            }
            Some(RawDenominator::Types(types)) => {
                if types.is_empty() {
                    bail!(
                        "{}: the list of outcome types is empty",
                        here("denominator")
                    );
                }
                if let Some(bad) = types.iter().find(|t| **t > OutcomeType::MAX) {
                    bail!(
                        "{}: {bad} is not an outcome type (0-22)",
                        here("denominator")
                    );
                }
                let types = sorted_unique(types);
                Denominator {
                    name: "custom".into(),
                    description: format!("outcome types {}", join_numbers(&types)),
                    types,
                }
            }
        };
        if let Some(missing) = outcomes.iter().find(|t| !denominator.types.contains(t)) {
            bail!(
                "{}: outcome type {missing} is counted in the numerator but not in the denominator ({})",
                here("denominator"),
                denominator.description
            );
        }

        let period = match raw.period {
            None => PeriodSpec::All,
            Some(RawPeriod::Text(text)) if text == "all" => PeriodSpec::All,
            Some(RawPeriod::Text(text)) => match parse_financial_year(&text) {
                Some(year) => PeriodSpec::FinancialYear(year),
                None => bail!(
                    "{}: {text:?} is not a financial year (2018/19), \"all\", or {{ rolling_12_months_to = \"2018/19 Q4\" }}",
                    here("period")
                ),
            },
            Some(RawPeriod::Rolling(rolling)) => {
                let text = rolling.rolling_12_months_to.trim();
                let parsed = text.rsplit_once(' ').and_then(|(year, quarter)| {
                    Period::new(parse_financial_year(year)?, parse_quarter(quarter)?)
                });
                match parsed {
                    Some(end) => PeriodSpec::Rolling12MonthsTo(end),
                    None => bail!(
                        "{}: {text:?} is not a quarter such as \"2018/19 Q4\"",
                        here("period.rolling_12_months_to")
                    ),
                }
            }
        };

        let scope_name = raw.scope.clone().unwrap_or_else(|| "all".into());
        let mut scopes: BTreeMap<String, RawScope> = BTreeMap::new();
        for name in BUILTIN_SCOPES {
            if let Some(scope) = builtin_scope(name) {
                scopes.insert(name.to_string(), scope);
            }
        }
        scopes.extend(raw.scopes);
        let Some(raw_scope) = scopes.remove(&scope_name) else {
            let mut names: Vec<&String> = scopes.keys().collect();
            names.sort();
            bail!(
                "{}: unknown scope {scope_name:?}; valid scopes: {}",
                here("scope"),
                names
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let scope = build_scope(&scope_name, raw_scope);

        let raw_peers = raw.peers.unwrap_or_default();
        let mut peer_groups = match &raw_peers.groups_file {
            Some(file) => {
                let path = base.join(file);
                let text = crate::ingest::files::read_text(&path).with_context(|| {
                    format!(
                        "{}: cannot read {}",
                        here("peers.groups_file"),
                        path.display()
                    )
                })?;
                parse_peer_groups(&text, &forces)
                    .with_context(|| format!("peer groups file {}", path.display()))?
            }
            None => parse_peer_groups(PEER_GROUPS_CSV, &forces).context("bundled peer groups")?,
        };
        for (name, group) in &raw_peers.groups {
            let key = format!("peers.groups.{name}");
            let members = group
                .members
                .iter()
                .map(|m| canonical_force(&key, m))
                .collect::<Result<Vec<_>>>()?;
            if members.is_empty() {
                bail!("{}: the group has no members", here(&key));
            }
            let owner = match &group.owner {
                Some(owner) => {
                    let owner = canonical_force(&format!("{key}.owner"), owner)?;
                    if !members.contains(&owner) {
                        bail!(
                            "{}: the owner {owner:?} must be one of the members",
                            here(&key)
                        );
                    }
                    Some(owner)
                }
                None => None,
            };
            peer_groups.retain(|g| g.name != *name);
            peer_groups.push(PeerGroup {
                label: group
                    .label
                    .clone()
                    .filter(|l| !l.trim().is_empty())
                    .unwrap_or_else(|| crate::wording::peer_label(name)),
                name: name.clone(),
                owner,
                members: sorted_unique(members),
            });
        }
        peer_groups.sort_by(|a, b| a.name.cmp(&b.name));

        // Focus names are resolved against the data in the run: forces for Home Office tables,
        // free-text units for tidy-counts tables. Known force spellings are made canonical here.
        let focus = sorted_unique(
            raw.focus
                .iter()
                .map(|f| match forces.lookup(f) {
                    Some(id) => forces.force(id).name.clone(),
                    None => f.trim().to_string(),
                })
                .collect(),
        );

        let funnel = build_funnel(raw.funnel.unwrap_or_default())
            .map_err(|e| anyhow!("{}: {e}", here("funnel")))?;
        let mut raw_spc = raw.spc.unwrap_or_default();
        let events_file = match raw.monitor.as_ref().and_then(|m| m.events_file.as_ref()) {
            None => Vec::new(),
            Some(file) => {
                let events_path = base.join(file);
                let text = crate::ingest::files::read_text(&events_path).with_context(|| {
                    format!(
                        "{}: cannot read {}",
                        here("monitor.events_file"),
                        events_path.display()
                    )
                })?;
                monitor::parse_events_csv(&text, &events_path.display().to_string())?
            }
        };
        let monitor = monitor::build(
            raw.events,
            events_file,
            monitor::RawSpcMonitor {
                baseline: raw_spc.baseline.take(),
                phases: raw_spc.phases.take(),
                direction: raw_spc.direction.take(),
            },
            raw.monitor,
            &outcomes,
        )
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let spc = SpcConfig {
            shift_length: raw_spc.shift_length.unwrap_or(7),
            trend_length: raw_spc.trend_length.unwrap_or(7),
            screen_moving_ranges: raw_spc.screen_moving_ranges.unwrap_or(true),
            two_of_three: match raw_spc.two_in_three {
                None | Some(RawTwoInThree::MakingDataCount) => {
                    crate::stats::spc::TwoOfThree::MakingDataCount
                }
                Some(RawTwoInThree::NhsrPlotTheDots02) => {
                    crate::stats::spc::TwoOfThree::NhsrPlotTheDots02
                }
            },
        };
        if spc.shift_length < 2 || spc.trend_length < 2 {
            bail!("{}: run lengths must be at least 2", here("spc"));
        }
        let strata = match raw.mix.and_then(|m| m.strata) {
            None | Some(RawStrata::OffenceGroup) => Strata::OffenceGroup,
            Some(RawStrata::OffenceCode) => Strata::OffenceCode,
        };
        let sensitivity = match raw.sensitivity.and_then(|s| s.alternatives) {
            None => Alternative::ALL.to_vec(),
            Some(names) => {
                let mut chosen = Vec::new();
                for name in &names {
                    let Some(k) = Alternative::NAMES.iter().position(|n| n == name) else {
                        bail!(
                            "{}: {name:?} is not one of {}",
                            here("sensitivity.alternatives"),
                            Alternative::NAMES.join(", ")
                        );
                    };
                    if !chosen.contains(&Alternative::ALL[k]) {
                        chosen.push(Alternative::ALL[k]);
                    }
                }
                chosen.sort();
                chosen
            }
        };
        let raw_charts = raw.charts.unwrap_or_default();
        let charts = ChartChoices {
            unadjusted_limits: raw_charts.unadjusted_limits.unwrap_or(true),
            y_from_zero: raw_charts.y_from_zero.unwrap_or(true),
        };
        let raw_outputs = raw.outputs.unwrap_or_default();
        let out = match (&overrides.out, &raw_outputs.folder) {
            (Some(out), _) => out.clone(),
            (None, Some(folder)) => base.join(folder),
            (None, None) => bail!(
                "{}: no output folder: set outputs.folder or pass --out",
                here("outputs.folder")
            ),
        };
        let formats = match raw_outputs.formats {
            None => Formats {
                csv: true,
                parquet: true,
                xlsx: true,
            },
            Some(list) => Formats {
                csv: true,
                parquet: list.contains(&RawFormat::Parquet),
                xlsx: list.contains(&RawFormat::Xlsx),
            },
        };

        let extract = match raw.extract {
            Some(section) => {
                let inherited = crate::config::extract::Inherited {
                    outcomes: outcomes.clone(),
                    denominator: denominator.types.clone(),
                    basis,
                    funnel,
                    spc,
                    monitor: monitor.clone(),
                };
                let built =
                    crate::config::extract::ExtractConfig::from_raw(section, base, &inherited)
                        .map_err(|e| anyhow!("{}: {e:#}", path.display()))?;
                Some(built)
            }
            None => None,
        };

        Ok(Config {
            analysis_path: path.to_path_buf(),
            analysis_text: text.to_string(),
            title: raw
                .title
                .unwrap_or_else(|| format!("Outcome {} rates by force", join_numbers(&outcomes))),
            inputs,
            source_note,
            outcomes,
            basis,
            denominator,
            period,
            allow_partial_period: raw.allow_partial_period.unwrap_or(false),
            scope,
            include_btp: raw_peers.include_btp.unwrap_or(false),
            include_city_of_london: raw_peers.include_city_of_london.unwrap_or(true),
            peer_groups,
            focus,
            funnel,
            spc,
            monitor,
            strata,
            out,
            formats,
            forces,
            aliases: raw.aliases,
            extract,
            sensitivity,
            charts,
        })
    }

    /// The analysis as it would be run with `alternative` in place of the file's own choice,
    /// and that choice in words ("outcomes 15 and 16 together"); `None` when the alternative
    /// does not apply (a custom denominator or outcome list).
    pub fn with_alternative(&self, alternative: Alternative) -> Option<(Config, String)> {
        let mut other = self.clone();
        let words = match alternative {
            Alternative::Basis => {
                other.basis = match self.basis {
                    Basis::AssignedInPeriod => Basis::RecordedInPeriod,
                    Basis::RecordedInPeriod => Basis::AssignedInPeriod,
                };
                format!("the {} basis", other.basis.as_str().replace('_', "-"))
            }
            Alternative::Strata => {
                let (strata, words) = match self.strata {
                    Strata::OffenceGroup => {
                        (Strata::OffenceCode, "offence-mix strata by offence code")
                    }
                    Strata::OffenceCode => {
                        (Strata::OffenceGroup, "offence-mix strata by offence group")
                    }
                };
                other.strata = strata;
                words.to_string()
            }
            Alternative::Outcome => match self.outcomes.as_slice() {
                [16] => {
                    other.outcomes = vec![15, 16];
                    "outcomes 15 and 16 together".to_string()
                }
                [15, 16] => {
                    other.outcomes = vec![16];
                    "outcome 16 alone".to_string()
                }
                _ => return None,
            },
            Alternative::Denominator => {
                let name = match self.denominator.name.as_str() {
                    "all_assigned" => "suspect_identified",
                    "suspect_identified" => "all_assigned",
                    _ => return None,
                };
                other.denominator = named_denominator(name).ok()?;
                format!("denominator {}", other.denominator.description)
            }
            Alternative::CityOfLondon => {
                other.include_city_of_london = !self.include_city_of_london;
                if other.include_city_of_london {
                    "with the City of London".to_string()
                } else {
                    "without the City of London".to_string()
                }
            }
            Alternative::Overdispersion => {
                let (adjustment, words) = match self.funnel.overdispersion {
                    Adjustment::Multiplicative => (Adjustment::Additive, "additive"),
                    Adjustment::Additive | Adjustment::None => {
                        (Adjustment::Multiplicative, "multiplicative")
                    }
                };
                other.funnel.overdispersion = adjustment;
                format!("the {words} overdispersion adjustment")
            }
        };
        Some((other, words))
    }

    /// Whether a force belongs to the national comparison set.
    pub fn in_national_set(&self, force: &str) -> bool {
        let Some(id) = self.forces.lookup(force) else {
            return false;
        };
        let record = self.forces.force(id);
        match record.kind {
            ForceKind::Territorial => {
                self.include_city_of_london || record.slug.as_deref() != Some("city-of-london")
            }
            ForceKind::Transport => self.include_btp,
            ForceKind::Aggregate => false,
        }
    }

    /// The peer group reported for a force: the group it owns, else the first group (by name)
    /// it belongs to that has no owner.
    pub fn peer_group_of(&self, force: &str) -> Option<&PeerGroup> {
        self.peer_groups
            .iter()
            .find(|g| g.owner.as_deref() == Some(force))
            .or_else(|| {
                self.peer_groups
                    .iter()
                    .find(|g| g.owner.is_none() && g.members.iter().any(|m| m == force))
            })
    }

    /// A one-line description of the national comparison set.
    pub fn national_set_label(&self) -> String {
        let mut label = String::from("the 43 territorial forces of England and Wales");
        if !self.include_city_of_london {
            label = "the territorial forces of England and Wales except the City of London".into();
        }
        if self.include_btp {
            label.push_str(" and British Transport Police");
        }
        label
    }
}

fn resolve_inputs(base: &Path, patterns: &[String]) -> Result<Vec<PathBuf>> {
    let mut inputs = Vec::new();
    for pattern in patterns {
        let joined = base.join(pattern);
        if pattern.contains(['*', '?']) {
            let matched = glob_files(&joined)?;
            if matched.is_empty() {
                bail!("{pattern:?} matches no file");
            }
            inputs.extend(matched);
        } else {
            inputs.push(joined);
        }
    }
    Ok(inputs)
}

/// Expands `*` and `?` in the last path component (enough for `data/raw/*.xlsx`).
fn glob_files(pattern: &Path) -> Result<Vec<PathBuf>> {
    // An analysis file in the current folder gives patterns with an empty parent.
    let dir = match pattern.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if dir.to_string_lossy().contains(['*', '?']) {
        bail!("wildcards are allowed only in the file name, not in folders");
    }
    let mut matched: Vec<PathBuf> = crate::ingest::files::entry_names(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .into_iter()
        .filter(|entry| wildcard_match(&name, &entry.to_string_lossy()))
        .map(|entry| pattern.with_file_name(entry))
        .collect();
    matched.sort();
    Ok(matched)
}

fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn build_scope(name: &str, raw: RawScope) -> Scope {
    let groups = |list: Vec<String>| -> Vec<String> {
        sorted_unique(
            list.iter()
                .map(|g| canonical_group(g).into_owned())
                .collect(),
        )
    };
    let keys = |list: Vec<String>| -> Vec<String> {
        sorted_unique(list.iter().map(|s| match_key(s)).collect())
    };
    let codes = |list: Vec<String>| -> Vec<String> {
        let mut codes: Vec<String> = list.iter().map(|c| c.trim().to_string()).collect();
        codes.dedup();
        codes
    };
    let include_codes = codes(raw.include_codes);
    let label = match raw.label {
        Some(label) => label,
        None if raw.proxy => format!(
            "DA proxy: violence offence codes {}",
            include_codes.join(", ")
        ),
        None => name.replace('_', " "),
    };
    Scope {
        name: name.to_string(),
        label,
        proxy: raw.proxy,
        include_groups: groups(raw.include_groups),
        include_subgroups: keys(raw.include_subgroups),
        include_codes,
        exclude_groups: groups(raw.exclude_groups),
        exclude_subgroups: keys(raw.exclude_subgroups),
        exclude_codes: codes(raw.exclude_codes),
    }
}

fn build_funnel(raw: RawFunnel) -> Result<FunnelConfig> {
    funnel_over(raw, FunnelConfig::standard())
}

/// `[funnel]`, or `[extract.funnel]`, over `base`: each key the section gives replaces the
/// base's value, checked in the same words for both sections.
fn funnel_over(raw: RawFunnel, base: FunnelConfig) -> Result<FunnelConfig> {
    let mut funnel = base;
    if let Some(method) = raw.method {
        funnel.method = match method {
            RawMethod::Normal => FunnelMethod::Normal,
            RawMethod::Exact => FunnelMethod::Exact,
            RawMethod::Arcsine => FunnelMethod::Arcsine,
        };
    }
    if let Some(levels) = raw.levels {
        let [a, b] = levels.as_slice() else {
            bail!("levels: give exactly two levels, such as [0.95, 0.998]");
        };
        let (inner, outer) = if a < b { (*a, *b) } else { (*b, *a) };
        funnel.levels = FlagLevels::new(Level::new(outer)?, Level::new(inner)?)
            .map_err(|e| anyhow!("levels: {e}"))?;
    }
    if let Some(adjustment) = raw.overdispersion {
        funnel.overdispersion = match adjustment {
            RawAdjustment::None => Adjustment::None,
            RawAdjustment::Multiplicative => Adjustment::Multiplicative,
            RawAdjustment::Additive => Adjustment::Additive,
        };
    }
    if let Some(scale) = raw.scale {
        funnel.scale = match scale {
            RawScale::Arcsine => Scale::Arcsine,
            RawScale::Natural => Scale::Natural,
        };
    }
    if let Some(winsorise) = raw.winsorise {
        if !(0.0..0.5).contains(&winsorise) {
            bail!("winsorise: {winsorise} is outside [0, 0.5)");
        }
        funnel.winsorise = winsorise;
    }
    match raw.target {
        None => {}
        Some(RawTarget::Named(name)) if name == "pooled" => funnel.target = Target::Pooled,
        Some(RawTarget::Named(name)) => {
            bail!("target: {name:?} is not \"pooled\" or a rate between 0 and 1")
        }
        Some(RawTarget::Fixed(value)) if value > 0.0 && value < 1.0 => {
            funnel.target = Target::Fixed(value)
        }
        Some(RawTarget::Fixed(value)) => {
            bail!("target: {value} is not a rate strictly between 0 and 1")
        }
    }
    if let Some(when) = raw.adjust_when {
        funnel.adjust_when = match when {
            RawAdjustWhen::Tau2Positive => AdjustWhen::Tau2Positive,
            RawAdjustWhen::Significant => AdjustWhen::Significant,
        };
    }
    if let Some(bh) = raw.benjamini_hochberg {
        funnel.benjamini_hochberg = bh;
    }
    Ok(funnel)
}

/// Parses a peer-groups CSV (`group,owner,member`; `#` comments allowed).
pub fn parse_peer_groups(text: &str, forces: &ForceTable) -> Result<Vec<PeerGroup>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let expected = ["group", "owner", "member"];
    if headers.iter().map(str::trim).collect::<Vec<_>>() != expected {
        bail!("the header must be group,owner,member");
    }
    let mut groups: BTreeMap<String, PeerGroup> = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let resolve = |name: &str| -> Result<String> {
            forces
                .lookup(name)
                .map(|id| forces.force(id).name.clone())
                .ok_or_else(|| {
                    anyhow!(
                        "line {line}: unknown force {name:?}; closest known names: {}",
                        forces.closest_names(name, 3).join(", ")
                    )
                })
        };
        let name = record.get(0).unwrap_or("").trim().to_string();
        if name.is_empty() {
            bail!("line {line}: empty group name");
        }
        let owner = record.get(1).unwrap_or("").trim();
        let owner = if owner.is_empty() {
            None
        } else {
            Some(resolve(owner)?)
        };
        let member = resolve(record.get(2).unwrap_or("").trim())?;
        let group = groups.entry(name.clone()).or_insert_with(|| PeerGroup {
            label: crate::wording::peer_label(&name),
            name: name.clone(),
            owner: owner.clone(),
            members: Vec::new(),
        });
        if group.owner != owner {
            bail!("line {line}: group {name:?} has two owners");
        }
        group.members.push(member);
    }
    Ok(groups
        .into_values()
        .map(|mut g| {
            g.members = sorted_unique(std::mem::take(&mut g.members));
            g
        })
        .collect())
}

fn sorted_unique<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests;
