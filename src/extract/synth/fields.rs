//! The investigation-quality fields of a synthetic extract (issue #20): arrest, body-worn
//! video, DASH risk level, supervisor review, evidence-led prosecution considered and
//! submitted, relationship, the victim's withdrawal date, ethnicity and the officer in
//! charge, with planted associations with outcome 16.
//!
//! Each field is drawn *given the crime's final outcome* (outcome 16 or not), independently of
//! the other fields and of everything else about the crime, from a random stream of its own.
//! So the crimes, their outcomes and every other column are exactly those of an extract
//! without the fields, and the planted odds ratios are exact conditional odds ratios: with
//! the fields independent given the outcome, logit P(16 | fields, the rest) = logit P(16 |
//! the rest) + Σ log(odds ratio of each field's level), so a model with the rest adjusted for
//! estimates each planted odds ratio.
//!
//! Invariant: a field's blank share does not depend on the outcome (a blank is "not
//! recorded", not a level of the truth); the withdrawal date, when drawn, lies between the
//! recording and the outcome.

use serde::Serialize;

use super::SECONDS_PER_DAY;
use crate::config::extract::QUALITY_FIELDS;
use crate::extract::rng::Rng;

/// The columns the fields are written in, after the others (same order as
/// `config::extract::QUALITY_FIELDS`, then withdrawal date, ethnicity, officer).
pub const HEADER: [&str; 10] = [
    "Arrest",
    "BWV",
    "DASH Risk",
    "Supervisor Review",
    "ELP Considered",
    "ELP Submitted",
    "Relationship",
    "Withdrawal Date",
    "Victim Ethnicity",
    "OIC",
];

/// How each field's levels are written (1-based codes as in `QUALITY_FIELDS`).
const SPELLINGS: [&[&str]; 7] = [
    &["Y", "N"],
    &["Y", "N"],
    &["Standard", "Medium", "High"],
    &["Y", "N"],
    &["Y", "N"],
    &["Y", "N"],
    &["Partner", "Family", "Other"],
];

/// Each field's level shares among crimes without outcome 16, the odds ratio of each level
/// against the first for outcome 16, and the share left blank.
struct FieldModel {
    shares: &'static [f64],
    odds_ratios: &'static [f64],
    blank: f64,
}

const MODELS: [FieldModel; 7] = [
    // arrest: no arrest raises the odds of outcome 16 by 1.4.
    FieldModel {
        shares: &[0.45, 0.55],
        odds_ratios: &[1.0, 1.4],
        blank: 0.02,
    },
    // body-worn video: none captured raises them by 1.8 (the example).
    FieldModel {
        shares: &[0.65, 0.35],
        odds_ratios: &[1.0, 1.8],
        blank: 0.10,
    },
    // risk: medium 0.6, high 0.3 against standard (higher-risk victims are supported more and
    // retract less often).
    FieldModel {
        shares: &[0.35, 0.35, 0.30],
        odds_ratios: &[1.0, 0.6, 0.3],
        blank: 0.05,
    },
    // supervisor review of the decision: none, 1.5; blank in 40% (said to be).
    FieldModel {
        shares: &[0.5, 0.5],
        odds_ratios: &[1.0, 1.5],
        blank: 0.40,
    },
    // evidence-led prosecution not considered: 2.0.
    FieldModel {
        shares: &[0.4, 0.6],
        odds_ratios: &[1.0, 2.0],
        blank: 0.15,
    },
    // not submitted to the CPS: 1.3.
    FieldModel {
        shares: &[0.15, 0.85],
        odds_ratios: &[1.0, 1.3],
        blank: 0.15,
    },
    // relationship: family 0.8, other 0.7 against an intimate partner.
    FieldModel {
        shares: &[0.7, 0.2, 0.1],
        odds_ratios: &[1.0, 0.8, 0.7],
        blank: 0.03,
    },
];

/// The DASH risk field's index in `QUALITY_FIELDS`.
const RISK: usize = 2;

/// The risk shares (among crimes without outcome 16) of a unit planted with a mix of
/// standard-risk crimes (`--mix-units`), against the shares of [`MODELS`] elsewhere.
const MIX_RISK_SHARES: [f64; 3] = [0.90, 0.08, 0.02];

/// The odds ratio by which a mix unit's outcome-16 odds are raised so that its whole excess
/// is its risk mix: Σ π_A,l·OR_l / Σ π_l·OR_l.
///
/// With a field drawn given the outcome from shares π and odds ratios OR, the odds of outcome
/// 16 given level l are odds(p)·OR_l / Σ_m π_m·OR_m. A unit with shares π_A and odds raised
/// by this ratio has, given each level, exactly the odds of any other unit: once its risk mix
/// is adjusted for, it has no excess.
#[must_use]
pub fn risk_mix_odds_ratio() -> f64 {
    let ors = MODELS[RISK].odds_ratios;
    let mix: f64 = MIX_RISK_SHARES.iter().zip(ors).map(|(s, r)| s * r).sum();
    let base: f64 = MODELS[RISK]
        .shares
        .iter()
        .zip(ors)
        .map(|(s, r)| s * r)
        .sum();
    mix / base
}

/// Victims' ethnicity as recorded (18+1 ONS groups, shortened), with weights.
const ETHNICITIES: [(&str, f64); 6] = [
    ("White British", 0.80),
    ("White Other", 0.05),
    ("Asian or Asian British", 0.06),
    ("Black or Black British", 0.02),
    ("Mixed", 0.03),
    ("Not stated", 0.04),
];

/// Officers in charge per unit.
const OFFICERS_PER_UNIT: u64 = 12;

/// One crime's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fields {
    /// Each quality field's level (1-based), 0 when blank.
    pub quality: [u8; 7],
    /// The withdrawal, as a timestamp.
    pub withdrawn_at: Option<i64>,
    ethnicity: usize,
    officer: u64,
}

/// The level shares given outcome 16 (`y`) of field `k`: the shares without it, reweighted
/// by the odds ratios.
fn shares(k: usize, y: bool, mix: bool) -> Vec<f64> {
    let m = &MODELS[k];
    let base: &[f64] = if mix && k == RISK {
        &MIX_RISK_SHARES
    } else {
        m.shares
    };
    let weights: Vec<f64> = base
        .iter()
        .zip(m.odds_ratios)
        .map(|(s, r)| if y { s * r } else { *s })
        .collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// Draws one crime's fields from `rng` given its final outcome and dates and its unit (`mix`:
/// a domestic-abuse crime of a unit planted with a standard-risk mix).
pub fn draw(
    rng: &mut Rng,
    outcome: u8,
    (recorded, outcome_at): (i64, i64),
    unit: usize,
    mix: bool,
) -> Fields {
    let y = outcome == 16;
    let mut quality = [0u8; 7];
    for (k, slot) in quality.iter_mut().enumerate() {
        let blank = rng.chance(MODELS[k].blank);
        let s = shares(k, y, mix);
        let mut cumulative = Vec::with_capacity(s.len());
        let mut sum = 0.0;
        for v in &s {
            sum += v;
            cumulative.push(sum);
        }
        let level = rng.weighted(&cumulative);
        if !blank {
            *slot = level as u8 + 1;
        }
    }
    // The victim withdrew support in 85% of outcome-16 closures and 60% of outcome 14's,
    // a few days after the recording (median 2), never after the outcome.
    let withdrew = match outcome {
        16 => rng.chance(0.85),
        14 => rng.chance(0.60),
        _ => false,
    };
    let delay = (2f64.ln() + 1.1 * rng.normal()).exp();
    let withdrawn_at = (withdrew && outcome_at > recorded).then(|| {
        let span = (outcome_at - recorded) / SECONDS_PER_DAY;
        recorded + ((delay as i64).min(span)).max(0) * SECONDS_PER_DAY
    });
    let cumulative: Vec<f64> = ETHNICITIES
        .iter()
        .scan(0.0, |s, (_, w)| {
            *s += w;
            Some(*s)
        })
        .collect();
    let ethnicity = rng.weighted(&cumulative);
    let officer = unit as u64 * OFFICERS_PER_UNIT + rng.below(OFFICERS_PER_UNIT) + 1;
    Fields {
        quality,
        withdrawn_at,
        ethnicity,
        officer,
    }
}

/// Writes the fields as the last columns of a row (a comma first).
///
/// # Errors
///
/// When writing fails.
pub fn write(out: &mut impl std::io::Write, f: &Fields) -> std::io::Result<()> {
    for (k, &level) in f.quality.iter().enumerate() {
        out.write_all(b",")?;
        if level > 0 {
            out.write_all(SPELLINGS[k][usize::from(level) - 1].as_bytes())?;
        }
    }
    out.write_all(b",")?;
    if let Some(at) = f.withdrawn_at {
        out.write_all(crate::extract::dates::format_date(at).as_bytes())?;
    }
    write!(
        out,
        ",{},PC {:04}",
        ETHNICITIES[f.ethnicity].0,
        1000 + f.officer
    )
}

/// A planted odds ratio of the truth file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedOddsRatio {
    /// The field (its `[extract.columns]` key).
    pub field: String,
    /// The level.
    pub level: String,
    /// Against this reference level.
    pub reference: String,
    /// The odds ratio for outcome 16.
    pub odds_ratio: f64,
}

/// The fields' planted truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedFields {
    /// How the fields were drawn.
    pub note: String,
    /// Each level's planted odds ratio against its field's first level.
    pub odds_ratios: Vec<PlantedOddsRatio>,
    /// Each field's blank share (the same with and without outcome 16).
    pub blank_shares: Vec<(String, f64)>,
}

/// The planted truth of the fields.
#[must_use]
pub fn planted() -> PlantedFields {
    let mut odds_ratios = Vec::new();
    for (k, field) in QUALITY_FIELDS.iter().enumerate() {
        for (l, level) in field.levels.iter().enumerate().skip(1) {
            odds_ratios.push(PlantedOddsRatio {
                field: field.key.into(),
                level: (*level).into(),
                reference: field.levels[0].into(),
                odds_ratio: MODELS[k].odds_ratios[l],
            });
        }
    }
    PlantedFields {
        note: "each field drawn given the crime's final outcome (16 or not), independently of the other fields and of the rest of the crime, from its own random stream: the odds ratios are exact conditional odds ratios given everything else; blanks are drawn at the same share whatever the outcome; withdrawal dates for 85% of outcome-16 and 60% of outcome-14 closures, median 2 days after recording, never after the outcome".into(),
        odds_ratios,
        blank_shares: QUALITY_FIELDS
            .iter()
            .zip(&MODELS)
            .map(|(f, m)| (f.key.to_string(), m.blank))
            .collect(),
    }
}
