//! The `[extract]` section of the analysis file: which force extract to read, how its columns
//! and labels map onto fields, which crimes are in scope, and the funnel and audit settings.
//!
//! Invariant: deserialisation denies unknown keys; [`ExtractConfig::from_raw`] turns the section
//! into a validated [`ExtractConfig`] whose every choice is a typed value, with paths resolved
//! against the analysis file's folder and every error naming the `extract.…` key at fault.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;

use crate::config::raw::{RawAdjustWhen, RawAdjustment, RawMethod, RawScale};
use crate::config::{FunnelConfig, RawTarget, SpcConfig};
use crate::normalise::offences::normalise_code;
use crate::normalise::text::match_key;
use crate::normalise::values::{parse_finding, Finding};
use crate::record::{Basis, OutcomeType};
use crate::stats::survey::{IntervalMethod, LonelyStratum};
use crate::stats::Target;

/// The columns of the audit sample as `outcome-lens sample` writes them, in order.
pub const SAMPLE_COLUMNS: &[&str] = &[
    "stratum",
    "stratum_crimes",
    "sampled_in_stratum",
    "weight",
    "crime_reference",
    "recorded",
    "outcome_date",
    "days_to_outcome",
    "outcome_type",
    "offence_code",
    "offence_description",
    "area",
    "unit",
    "victim_reference",
    "victim_earlier_da_crimes",
    "victim_age_band",
    "victim_sex",
    "seed",
    "reviewer_finding",
];

/// The columns reviewers may add to the sample besides checklist columns.
pub const REVIEW_COLUMNS: &[&str] = &["second_reviewer_finding", "reviewer", "notes"];

/// The `[extract]` section as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtract {
    file: String,
    force: Option<String>,
    note: Option<String>,
    scope: Option<RawScope>,
    area_level: Option<RawAreaLevel>,
    columns: RawColumns,
    #[serde(default)]
    outcome_labels: BTreeMap<String, u8>,
    #[serde(default)]
    offence_codes: BTreeMap<String, String>,
    flag_values: Option<RawFlagValues>,
    field_values: Option<RawFieldValues>,
    funnel: Option<RawFunnel>,
    audit: Option<RawAudit>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawScope {
    Da,
    NonDa,
    All,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawAreaLevel {
    District,
    Neighbourhood,
    CommunitySafetyPartnership,
    Lsoa,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    crime_reference: String,
    recorded_date: String,
    outcome_date: String,
    offence_code: Option<String>,
    offence_description: Option<String>,
    outcome: String,
    domestic_abuse: String,
    area: String,
    victim_reference: Option<String>,
    unit: Option<String>,
    victim_age_band: Option<String>,
    victim_sex: Option<String>,
    arrest: Option<String>,
    body_worn_video: Option<String>,
    risk_level: Option<String>,
    supervisor_reviewed: Option<String>,
    evidence_led_considered: Option<String>,
    evidence_led_submitted: Option<String>,
    relationship: Option<String>,
    withdrawal_date: Option<String>,
    ethnicity: Option<String>,
    officer: Option<String>,
}

/// `[extract.field_values]`: the extract's own spellings of the levels of the risk level and
/// the relationship (`risk_level = { high = ["H", "High risk"] }`), added to the built-in ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldValues {
    #[serde(default)]
    risk_level: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    relationship: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlagValues {
    #[serde(default)]
    yes: Vec<String>,
    #[serde(default)]
    no: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunnel {
    method: Option<RawMethod>,
    levels: Option<Vec<f64>>,
    overdispersion: Option<RawAdjustment>,
    scale: Option<RawScale>,
    winsorise: Option<f64>,
    target: Option<RawTarget>,
    adjust_when: Option<RawAdjustWhen>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    seed: u64,
    per_stratum: Option<usize>,
    share: Option<f64>,
    /// The 95% interval's half-width the sizes are planned for (as `sample --margin`).
    margin: Option<f64>,
    /// The planning share for `margin` (default 0.5).
    expected: Option<f64>,
    /// `proportional` (default) or `neyman`, for `margin`.
    allocation: Option<String>,
    stratify: Option<RawStratify>,
    /// The reviewed copy of the audit sample, read back by `run`, `extract` and `audit`.
    reviewed: Option<String>,
    /// `fail`, `remove` (or `certainty`), `adjust`, `average`.
    lonely_stratum: Option<String>,
    /// `korn-graubard`, `logit`, `mean`.
    interval: Option<String>,
    /// Cap the Korn–Graubard effective size at n (the NCHS convention).
    kg_cap: Option<bool>,
    /// Other spellings of the findings: spelling → appropriate, inappropriate or cannot_tell.
    #[serde(default)]
    findings: BTreeMap<String, String>,
    /// Checklist columns of the reviewed file: column → what it asks, for the report.
    #[serde(default)]
    checklist: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawStratify {
    Area,
    Unit,
}

/// Which crimes the analyses are about; the rest form the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractScope {
    /// Domestic-abuse-flagged crimes, compared with the others (the default).
    DomesticAbuse,
    /// Crimes not flagged as domestic abuse, compared with the flagged ones.
    NotDomesticAbuse,
    /// Every crime; there is no comparison group.
    All,
}

impl ExtractScope {
    /// Whether a crime with this flag is in scope.
    pub fn includes(self, domestic_abuse: bool) -> bool {
        match self {
            ExtractScope::DomesticAbuse => domestic_abuse,
            ExtractScope::NotDomesticAbuse => !domestic_abuse,
            ExtractScope::All => true,
        }
    }

    /// Whether a crime with this flag is in the comparison group (never, for `All`).
    pub fn compares(self, domestic_abuse: bool) -> bool {
        match self {
            ExtractScope::DomesticAbuse => !domestic_abuse,
            ExtractScope::NotDomesticAbuse => domestic_abuse,
            ExtractScope::All => false,
        }
    }

    /// The name used in the analysis file and `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            ExtractScope::DomesticAbuse => "da",
            ExtractScope::NotDomesticAbuse => "non_da",
            ExtractScope::All => "all",
        }
    }

    /// How outputs describe the crimes in scope.
    pub fn label(self) -> &'static str {
        match self {
            ExtractScope::DomesticAbuse => "domestic-abuse-flagged crimes",
            ExtractScope::NotDomesticAbuse => "crimes not flagged as domestic abuse",
            ExtractScope::All => "all crimes",
        }
    }

    /// How outputs describe the comparison group, if there is one.
    pub fn comparison_label(self) -> Option<&'static str> {
        match self {
            ExtractScope::DomesticAbuse => Some(ExtractScope::NotDomesticAbuse.label()),
            ExtractScope::NotDomesticAbuse => Some(ExtractScope::DomesticAbuse.label()),
            ExtractScope::All => None,
        }
    }
}

/// What the area column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaLevel {
    /// A district (local authority or policing district).
    District,
    /// A neighbourhood.
    Neighbourhood,
    /// A community safety partnership.
    CommunitySafetyPartnership,
    /// A lower-layer super output area.
    Lsoa,
}

impl AreaLevel {
    /// The name used in the analysis file and outputs.
    pub fn name(self) -> &'static str {
        match self {
            AreaLevel::District => "district",
            AreaLevel::Neighbourhood => "neighbourhood",
            AreaLevel::CommunitySafetyPartnership => "community_safety_partnership",
            AreaLevel::Lsoa => "lsoa",
        }
    }
}

/// The extract's header names for each field (as written in the analysis file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The crime reference (one crime can have several rows).
    pub crime_reference: String,
    /// The date the crime was recorded.
    pub recorded_date: String,
    /// The date its outcome was assigned (empty while it has none).
    pub outcome_date: String,
    /// The Home Office offence code, if the extract has one.
    pub offence_code: Option<String>,
    /// An offence description mapped to a code through `offence_codes`.
    pub offence_description: Option<String>,
    /// The outcome: a number 0–22 or a label mapped through `outcome_labels`.
    pub outcome: String,
    /// The domestic-abuse flag.
    pub domestic_abuse: String,
    /// The area.
    pub area: String,
    /// The victim reference, if any (needed for the repeat-victim analysis).
    pub victim_reference: Option<String>,
    /// The investigating unit, if any.
    pub unit: Option<String>,
    /// The victim's age band, if any.
    pub victim_age_band: Option<String>,
    /// The victim's sex, if any.
    pub victim_sex: Option<String>,
    /// The investigation-quality fields mapped, in the order of [`QUALITY_FIELDS`].
    pub quality: [Option<String>; QUALITY_FIELDS.len()],
    /// The date the victim said they did not support action, if any.
    pub withdrawal_date: Option<String>,
    /// The victim's ethnicity, if any (free text).
    pub ethnicity: Option<String>,
    /// The officer or team in charge, if any (free text).
    pub officer: Option<String>,
}

/// An investigation-quality field of a force's extract (issue #20): its key in
/// `[extract.columns]`, its levels (the first is the reference level of the record-level
/// model) and how a report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityField {
    /// The key in `[extract.columns]` and the name in the tables.
    pub key: &'static str,
    /// Its levels; a yes/no field has `["yes", "no"]`, read as the domestic-abuse flag is.
    pub levels: &'static [&'static str],
    /// In words, for tables and the report.
    pub words: &'static str,
}

impl QualityField {
    /// Whether it is a yes/no field.
    #[must_use]
    pub fn yes_no(&self) -> bool {
        self.levels == ["yes", "no"]
    }
}

/// The investigation-quality fields, in the order of [`Columns::quality`].
pub const QUALITY_FIELDS: [QualityField; 7] = [
    QualityField {
        key: "arrest",
        levels: &["yes", "no"],
        words: "arrest made",
    },
    QualityField {
        key: "body_worn_video",
        levels: &["yes", "no"],
        words: "body-worn video captured",
    },
    QualityField {
        key: "risk_level",
        levels: &["standard", "medium", "high"],
        words: "DASH risk level",
    },
    QualityField {
        key: "supervisor_reviewed",
        levels: &["yes", "no"],
        words: "supervisor reviewed the no-further-action decision",
    },
    QualityField {
        key: "evidence_led_considered",
        levels: &["yes", "no"],
        words: "evidence-led prosecution considered",
    },
    QualityField {
        key: "evidence_led_submitted",
        levels: &["yes", "no"],
        words: "evidence-led prosecution submitted to CPS",
    },
    QualityField {
        key: "relationship",
        levels: &["intimate_partner", "family", "other"],
        words: "relationship of victim and suspect",
    },
];

/// The built-in spellings of the levels of the risk level and the relationship, compared
/// after `match_key` (case, spaces and dashes).
const BUILT_IN_LEVELS: [(&str, &str, &[&str]); 6] = [
    ("risk_level", "standard", &["standard", "low", "s", "std"]),
    ("risk_level", "medium", &["medium", "m", "med"]),
    ("risk_level", "high", &["high", "h"]),
    (
        "relationship",
        "intimate_partner",
        &[
            "intimate partner",
            "intimate_partner",
            "partner",
            "ex-partner",
            "ex partner",
            "spouse",
            "ex-spouse",
        ],
    ),
    (
        "relationship",
        "family",
        &["family", "family member", "relative"],
    ),
    ("relationship", "other", &["other"]),
];

/// How many crimes the audit sample takes from each stratum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuditSize {
    /// A fixed number (or all of them, when the stratum is smaller).
    PerStratum(usize),
    /// A share in (0, 1], rounded up, so every non-empty stratum gives at least one crime.
    Share(f64),
    /// The sizes that give a 95% interval of half-width `margin` at the planning share
    /// `expected` (0.5 when nothing is known), allocated proportionally or by Neyman
    /// (`stats::survey::plan`; METHODS-2.md §5).
    Margin {
        /// The half-width asked for, in (0, 0.5].
        margin: f64,
        /// The planning share, in [0, 1].
        expected: f64,
        /// Allocate by Neyman rather than proportionally.
        neyman: bool,
    },
}

/// What the audit sample is stratified by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stratify {
    /// The area.
    Area,
    /// The investigating unit.
    Unit,
}

impl Stratify {
    /// The name used in the analysis file and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Stratify::Area => "area",
            Stratify::Unit => "unit",
        }
    }
}

/// How a reviewed audit sample is read back and weighted (`[extract.audit]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewConfig {
    /// The reviewed file, resolved against the analysis file's folder, when one is named.
    pub reviewed: Option<PathBuf>,
    /// It as written in the analysis file.
    pub reviewed_label: Option<String>,
    /// Other spellings of the findings (match keys).
    pub findings: BTreeMap<String, Finding>,
    /// The checklist columns with what each asks, in column-name order.
    pub checklist: Vec<(String, String)>,
    /// What to do with a stratum of one reviewed case.
    pub lonely: LonelyStratum,
    /// The interval of a share.
    pub method: IntervalMethod,
}

impl Default for ReviewConfig {
    fn default() -> ReviewConfig {
        ReviewConfig {
            reviewed: None,
            reviewed_label: None,
            findings: BTreeMap::new(),
            checklist: Vec::new(),
            lonely: LonelyStratum::Fail,
            method: IntervalMethod::KornGraubard { cap: false },
        }
    }
}

/// The audit sample's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditConfig {
    /// The seed (recorded in the sample).
    pub seed: u64,
    /// Crimes per stratum.
    pub size: AuditSize,
    /// Strata.
    pub stratify: Stratify,
}

/// What the numerator and denominator count, taken from the rest of the analysis file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// Numerator outcome types (16 by default).
    pub numerator: Vec<u8>,
    /// Denominator outcome types (1–22 by default).
    pub denominator: Vec<u8>,
    /// Which date places a crime in a month: the outcome date (assigned) or the recorded date.
    pub basis: Basis,
}

impl Measure {
    /// Lookup tables indexed by outcome type: (in numerator, in denominator).
    pub fn masks(&self) -> ([bool; 23], [bool; 23]) {
        let mut numerator = [false; 23];
        let mut denominator = [false; 23];
        for &t in &self.numerator {
            numerator[usize::from(t.min(OutcomeType::MAX))] = true;
        }
        for &t in &self.denominator {
            denominator[usize::from(t.min(OutcomeType::MAX))] = true;
        }
        (numerator, denominator)
    }
}

/// The validated `[extract]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractConfig {
    /// The extract (CSV or Parquet, optionally gzip-compressed CSV).
    pub file: PathBuf,
    /// The file as written in the analysis file (shown in outputs instead of a full path).
    pub file_label: String,
    /// The force the extract is from, as written.
    pub force: Option<String>,
    /// A note shown with every table, e.g. "synthetic extract, not real Cleveland data".
    pub note: Option<String>,
    /// Which crimes are analysed.
    pub scope: ExtractScope,
    /// What the area column holds.
    pub area_level: AreaLevel,
    /// Header names.
    pub columns: Columns,
    /// Force outcome labels (match keys) → outcome type.
    pub outcome_labels: BTreeMap<String, u8>,
    /// Offence descriptions (match keys) → Home Office code.
    pub offence_codes: BTreeMap<String, String>,
    /// Extra spellings of a set flag (match keys), beyond Y, yes, 1 and true.
    pub flag_yes: Vec<String>,
    /// The spellings of each non-yes/no quality field's levels (after `match_key`) → level
    /// code (1-based into its levels), in the order of [`QUALITY_FIELDS`].
    pub quality_values: Vec<BTreeMap<String, u8>>,
    /// Extra spellings of an unset flag (match keys), beyond N, no, 0 and false.
    pub flag_no: Vec<String>,
    /// Numerator, denominator and basis.
    pub measure: Measure,
    /// Funnel settings for the within-force funnels.
    pub funnel: FunnelConfig,
    /// SPC settings for the monthly chart.
    pub spc: SpcConfig,
    /// The events, baseline, phases and direction, as the main analysis has them.
    pub monitor: crate::config::monitor::MonitorConfig,
    /// The audit sample written with each run, if asked for.
    pub audit: Option<AuditConfig>,
    /// How its reviewed copy is read back (defaults when `[extract.audit]` says nothing).
    pub review: ReviewConfig,
}

/// The settings the extract analysis takes from the rest of the analysis file.
#[derive(Debug, Clone)]
pub struct Inherited {
    /// Numerator outcome types.
    pub outcomes: Vec<u8>,
    /// Denominator outcome types.
    pub denominator: Vec<u8>,
    /// The count basis.
    pub basis: Basis,
    /// The main `[funnel]` settings (the target is not inherited: see [`ExtractConfig::from_raw`]).
    pub funnel: FunnelConfig,
    /// The main `[spc]` settings.
    pub spc: SpcConfig,
    /// The events, baseline, phases and direction (`[[events]]`, `[spc]`, `[monitor]`).
    pub monitor: crate::config::monitor::MonitorConfig,
}

impl ExtractConfig {
    /// Validates the section. `base` is the analysis file's folder.
    ///
    /// Funnel settings default to the main `[funnel]` section, except the target, which is
    /// the force's own pooled rate unless `[extract.funnel] target` says otherwise: a fixed
    /// national target would silently change what a within-force funnel means.
    pub fn from_raw(raw: RawExtract, base: &Path, inherited: &Inherited) -> Result<ExtractConfig> {
        if raw.file.trim().is_empty() {
            bail!("extract.file: give the extract's path");
        }
        let columns = raw.columns;
        if columns.offence_code.is_none() && columns.offence_description.is_none() {
            bail!("extract.columns: give offence_code (a Home Office code) or offence_description (mapped through [extract.offence_codes])");
        }
        if columns.offence_code.is_none() && raw.offence_codes.is_empty() {
            bail!("extract.offence_codes: offence_description is mapped to codes through this table, which is empty");
        }
        let mut outcome_labels = BTreeMap::new();
        for (label, number) in raw.outcome_labels {
            if number > OutcomeType::MAX {
                bail!("extract.outcome_labels: {label:?} = {number} is not an outcome type (0-22)");
            }
            if let Some(previous) = outcome_labels.insert(match_key(&label), number) {
                if previous != number {
                    bail!("extract.outcome_labels: {label:?} is given twice (ignoring case and spaces), as {previous} and {number}");
                }
            }
        }
        let mut offence_codes = BTreeMap::new();
        for (description, code) in raw.offence_codes {
            let code = normalise_code(&code);
            if code.is_empty() {
                bail!("extract.offence_codes: {description:?} maps to an empty code");
            }
            offence_codes.insert(match_key(&description), code);
        }
        let field_values = raw.field_values.unwrap_or_default();
        let mut quality_values: Vec<BTreeMap<String, u8>> =
            vec![BTreeMap::new(); QUALITY_FIELDS.len()];
        for (k, field) in QUALITY_FIELDS.iter().enumerate() {
            if field.yes_no() {
                continue;
            }
            for (key, level, spellings) in BUILT_IN_LEVELS {
                if key == field.key {
                    let code = field.levels.iter().position(|l| *l == level).unwrap_or(0) as u8 + 1;
                    for s in spellings {
                        quality_values[k].insert(match_key(s), code);
                    }
                }
            }
            let own = match field.key {
                "risk_level" => &field_values.risk_level,
                _ => &field_values.relationship,
            };
            for (level, spellings) in own {
                let Some(code) = field.levels.iter().position(|l| l == level) else {
                    bail!(
                        "extract.field_values.{}: {level:?} is not a level; the levels are {}",
                        field.key,
                        field.levels.join(", ")
                    );
                };
                for s in spellings {
                    let key = match_key(s);
                    if let Some(other) = own
                        .iter()
                        .find(|(l, v)| *l != level && v.iter().any(|w| match_key(w) == key))
                    {
                        bail!(
                            "extract.field_values.{}: {s:?} is listed under both {level:?} and {:?}",
                            field.key,
                            other.0
                        );
                    }
                    // The analysis file's spelling wins over a built-in one.
                    quality_values[k].insert(key, code as u8 + 1);
                }
            }
        }
        let flags = raw.flag_values.unwrap_or_default();
        let flag_yes: Vec<String> = flags.yes.iter().map(|v| match_key(v)).collect();
        let flag_no: Vec<String> = flags.no.iter().map(|v| match_key(v)).collect();
        if let Some(both) = flag_yes.iter().find(|v| flag_no.contains(v)) {
            bail!("extract.flag_values: {both:?} is listed as both yes and no");
        }
        let funnel = build_funnel(raw.funnel.unwrap_or_default(), &inherited.funnel)
            .map_err(|e| anyhow!("extract.funnel: {e}"))?;
        let mut review = ReviewConfig::default();
        let audit = match raw.audit {
            None => None,
            Some(audit) => {
                review = review_config(&audit, base)?;
                let size = audit_size(&audit)?;
                let stratify = match audit.stratify {
                    None | Some(RawStratify::Area) => Stratify::Area,
                    Some(RawStratify::Unit) => Stratify::Unit,
                };
                if stratify == Stratify::Unit && columns.unit.is_none() {
                    bail!("extract.audit.stratify: \"unit\" needs extract.columns.unit");
                }
                Some(AuditConfig {
                    seed: audit.seed,
                    size,
                    stratify,
                })
            }
        };
        Ok(ExtractConfig {
            file: base.join(&raw.file),
            file_label: raw.file.clone(),
            force: raw.force,
            note: raw.note,
            scope: match raw.scope {
                None | Some(RawScope::Da) => ExtractScope::DomesticAbuse,
                Some(RawScope::NonDa) => ExtractScope::NotDomesticAbuse,
                Some(RawScope::All) => ExtractScope::All,
            },
            area_level: match raw.area_level {
                None | Some(RawAreaLevel::District) => AreaLevel::District,
                Some(RawAreaLevel::Neighbourhood) => AreaLevel::Neighbourhood,
                Some(RawAreaLevel::CommunitySafetyPartnership) => {
                    AreaLevel::CommunitySafetyPartnership
                }
                Some(RawAreaLevel::Lsoa) => AreaLevel::Lsoa,
            },
            columns: Columns {
                crime_reference: columns.crime_reference,
                recorded_date: columns.recorded_date,
                outcome_date: columns.outcome_date,
                offence_code: columns.offence_code,
                offence_description: columns.offence_description,
                outcome: columns.outcome,
                domestic_abuse: columns.domestic_abuse,
                area: columns.area,
                victim_reference: columns.victim_reference,
                unit: columns.unit,
                victim_age_band: columns.victim_age_band,
                victim_sex: columns.victim_sex,
                quality: [
                    columns.arrest,
                    columns.body_worn_video,
                    columns.risk_level,
                    columns.supervisor_reviewed,
                    columns.evidence_led_considered,
                    columns.evidence_led_submitted,
                    columns.relationship,
                ],
                withdrawal_date: columns.withdrawal_date,
                ethnicity: columns.ethnicity,
                officer: columns.officer,
            },
            quality_values,
            outcome_labels,
            offence_codes,
            flag_yes,
            flag_no,
            measure: Measure {
                numerator: inherited.outcomes.clone(),
                denominator: inherited.denominator.clone(),
                basis: inherited.basis,
            },
            funnel,
            spc: inherited.spc,
            monitor: inherited.monitor.clone(),
            audit,
            review,
        })
    }

    /// How every table and the summary name the data: the force and the note, e.g.
    /// `Cleveland (synthetic extract, not real Cleveland data)`.
    pub fn source_label(&self) -> String {
        match (&self.force, &self.note) {
            (Some(force), Some(note)) => format!("{force} ({note})"),
            (Some(force), None) => format!("{force} (force extract)"),
            (None, Some(note)) => format!("force extract ({note})"),
            (None, None) => "force extract".into(),
        }
    }
}

/// `[extract.funnel]` over the main `[funnel]` (one parser for both), with the force's own
/// pooled rate as the target unless the section sets one.
/// The sample size of `[extract.audit]`: exactly one of `per_stratum`, `share` and `margin`
/// (with `expected` and `allocation` only beside `margin`), each error naming its key.
fn audit_size(audit: &RawAudit) -> Result<AuditSize> {
    let given = [
        audit.per_stratum.is_some(),
        audit.share.is_some(),
        audit.margin.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        bail!("extract.audit: give one of per_stratum, share and margin, not several");
    }
    if audit.margin.is_none() && (audit.expected.is_some() || audit.allocation.is_some()) {
        bail!("extract.audit: expected and allocation plan a sample for margin: give margin too");
    }
    Ok(match (audit.per_stratum, audit.share, audit.margin) {
        (Some(0), _, _) => bail!("extract.audit.per_stratum: must be at least 1"),
        (Some(n), _, _) => AuditSize::PerStratum(n),
        (_, Some(s), _) if s > 0.0 && s <= 1.0 => AuditSize::Share(s),
        (_, Some(s), _) => bail!("extract.audit.share: {s} is not in (0, 1]"),
        (_, _, Some(margin)) => {
            if !(margin > 0.0 && margin <= 0.5) {
                bail!("extract.audit.margin: {margin} is not in (0, 0.5]: give the interval's half-width as a share, such as 0.05");
            }
            let expected = audit.expected.unwrap_or(0.5);
            if !(0.0..=1.0).contains(&expected) {
                bail!("extract.audit.expected: {expected} is not a share in [0, 1]");
            }
            let neyman = match audit.allocation.as_deref().map(match_key).as_deref() {
                None | Some("proportional") => false,
                Some("neyman") => true,
                Some(_) => bail!(
                    "extract.audit.allocation: {:?} is not one of proportional, neyman",
                    audit.allocation.as_deref().unwrap_or_default()
                ),
            };
            AuditSize::Margin {
                margin,
                expected,
                neyman,
            }
        }
        (None, None, None) => bail!(
            "extract.audit: give per_stratum (a number of crimes), share (a fraction in (0, 1]) or margin (an interval half-width)"
        ),
    })
}

/// The review settings of `[extract.audit]`, each error naming its key.
fn review_config(audit: &RawAudit, base: &Path) -> Result<ReviewConfig> {
    let lonely = match audit.lonely_stratum.as_deref().map(match_key).as_deref() {
        None | Some("fail") => LonelyStratum::Fail,
        Some("remove" | "certainty") => LonelyStratum::Remove,
        Some("adjust") => LonelyStratum::Adjust,
        Some("average") => LonelyStratum::Average,
        Some(other) => bail!(
            "extract.audit.lonely_stratum: {other:?} is not one of fail, remove, certainty, adjust, average"
        ),
    };
    let cap = audit.kg_cap.unwrap_or(false);
    let method = match audit.interval.as_deref().map(match_key).as_deref() {
        None | Some("korn-graubard" | "korn_graubard" | "beta") => {
            IntervalMethod::KornGraubard { cap }
        }
        Some("logit") => IntervalMethod::Logit,
        Some("mean") => IntervalMethod::Mean,
        Some(other) => {
            bail!("extract.audit.interval: {other:?} is not one of korn-graubard, logit, mean")
        }
    };
    let mut findings = BTreeMap::new();
    for (spelling, meaning) in &audit.findings {
        let Some(finding) = parse_finding(&match_key(meaning)) else {
            bail!(
                "extract.audit.findings: {spelling:?} = {meaning:?}: map a spelling to appropriate, inappropriate or cannot_tell"
            );
        };
        findings.insert(match_key(spelling), finding);
    }
    let checklist: Vec<(String, String)> = audit
        .checklist
        .iter()
        .map(|(column, label)| (column.clone(), label.clone()))
        .collect();
    if let Some((column, _)) = checklist.iter().find(|(c, _)| {
        let key = match_key(c);
        SAMPLE_COLUMNS.contains(&key.as_str()) || REVIEW_COLUMNS.contains(&key.as_str())
    }) {
        bail!("extract.audit.checklist: {column:?} is a column of the sample itself");
    }
    Ok(ReviewConfig {
        reviewed: audit.reviewed.as_ref().map(|r| base.join(r)),
        reviewed_label: audit.reviewed.clone(),
        findings,
        checklist,
        lonely,
        method,
    })
}

fn build_funnel(raw: RawFunnel, main: &FunnelConfig) -> Result<FunnelConfig> {
    let base = FunnelConfig {
        target: Target::Pooled,
        ..*main
    };
    crate::config::funnel_over(
        crate::config::raw::RawFunnel {
            method: raw.method,
            levels: raw.levels,
            overdispersion: raw.overdispersion,
            scale: raw.scale,
            winsorise: raw.winsorise,
            target: raw.target,
            adjust_when: raw.adjust_when,
            // [extract.funnel] has no key of its own for it: the run's choice is kept.
            benjamini_hochberg: None,
        },
        base,
    )
}

#[cfg(test)]
mod tests;
