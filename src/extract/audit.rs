//! The audit sample read back: the reviewers' findings on the sample `outcome-lens sample`
//! drew, checked against that sample, and weighted back to the force (issue #18).
//!
//! Invariants: a reviewed file is accepted only as the sample the tool drew from the same
//! extract with the same seed and allocation (every row's crime, stratum, stratum size and
//! seed are checked against the sample drawn again); an empty finding is a case not yet
//! reviewed, never an error and never a negative; `cannot_tell` is a finding of its own; every
//! estimate comes from `stats::survey` and `stats::agreement`.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};

use crate::extract::read::Extract;
use crate::extract::sample::AuditSample;
use crate::ingest::csv::CsvRecords;
use crate::normalise::text::match_key;
use crate::normalise::values::{parse_checklist_answer, parse_finding, ChecklistAnswer, Finding};
use crate::stats::agreement::{cohen_kappa, Kappa};
use crate::stats::proportion::Interval;
pub use crate::stats::survey::StrataTest;
use crate::stats::survey::{self, IntervalMethod, LonelyStratum, Stratum};
use crate::stats::Level;

/// The columns a reviewed file must have (the sample's own, as `outcome-lens sample` wrote
/// them).
pub const REQUIRED: &[&str] = &[
    "stratum",
    "stratum_crimes",
    "sampled_in_stratum",
    "crime_reference",
    "seed",
    "reviewer_finding",
];

/// The optional column of a second reviewer's finding, for double-reviewed cases.
pub const SECOND_FINDING: &str = crate::config::extract::REVIEW_COLUMNS[0];

/// How the findings are read and weighted.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOptions {
    /// Other spellings of the findings (match keys → finding), from the analysis file.
    pub findings: BTreeMap<String, Finding>,
    /// The checklist columns, in order.
    pub checklist: Vec<String>,
    /// What to do with a stratum of one reviewed case.
    pub lonely: LonelyStratum,
    /// The interval of a share.
    pub method: IntervalMethod,
    /// Its level.
    pub level: Level,
}

impl AuditOptions {
    /// The options of the analysis file's `[extract.audit]`, at the 95% level.
    pub fn from_review(review: &crate::config::extract::ReviewConfig) -> AuditOptions {
        AuditOptions {
            findings: review.findings.clone(),
            checklist: review.checklist.iter().map(|(c, _)| c.clone()).collect(),
            lonely: review.lonely,
            method: review.method,
            level: Level::ninety_five(),
        }
    }
}

impl Default for AuditOptions {
    fn default() -> AuditOptions {
        AuditOptions {
            findings: BTreeMap::new(),
            checklist: Vec::new(),
            lonely: LonelyStratum::Fail,
            method: IntervalMethod::KornGraubard { cap: false },
            level: Level::ninety_five(),
        }
    }
}

/// One drawn case and what its reviewers found.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The line of the reviewed file (0 when the file leaves the case out).
    pub line: u64,
    /// The stratum.
    pub stratum: String,
    /// The crime reference.
    pub reference: String,
    /// The finding, when reviewed.
    pub finding: Option<Finding>,
    /// A second reviewer's finding, when double-reviewed.
    pub second: Option<Finding>,
    /// The checklist answers, in the order of [`AuditOptions::checklist`].
    pub checklist: Vec<Option<ChecklistAnswer>>,
}

/// The drawn sample with its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewed {
    /// The reviewed file as named.
    pub file: String,
    /// The strata: (name, crimes in the stratum, cases drawn).
    pub strata: Vec<(String, u64, u64)>,
    /// Every drawn case, by stratum then reference.
    pub cases: Vec<Case>,
    /// The checklist columns.
    pub checklist: Vec<String>,
}

/// Reads a reviewed copy of `sample` (drawn from `extract`): the file's text, its name for
/// messages, and how findings are spelled.
///
/// # Errors
///
/// One line naming the file, the line and the value, when the file is not CSV, lacks a
/// column, holds a crime not in the drawn sample (or in another stratum, or twice), gives a
/// stratum size or seed other than the drawn sample's, or spells a finding or a checklist
/// answer outside the vocabulary.
pub fn read_reviewed(
    text: &str,
    file: &str,
    sample: &AuditSample,
    extract: &Extract,
    options: &AuditOptions,
) -> Result<Reviewed> {
    let drawn: BTreeMap<&str, &str> = sample
        .crimes
        .iter()
        .map(|(stratum, i)| (extract.reference(*i), stratum.as_str()))
        .collect();
    let sizes: BTreeMap<&str, (u64, u64)> = sample
        .strata
        .iter()
        .map(|(name, n, k)| (name.as_str(), (*n, *k)))
        .collect();
    let seed = sample.settings.seed;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut records = CsvRecords::new(text);
    let mut fields = Vec::new();
    let csv_error = |e: crate::ingest::csv::CsvError| match e {
        crate::ingest::csv::CsvError::UnclosedQuote { line } => {
            anyhow::anyhow!("{file}:{line}: a quoted field is never closed")
        }
        crate::ingest::csv::CsvError::TextAfterQuote { line, found } => {
            anyhow::anyhow!("{file}:{line}: {found:?} after a closing quote")
        }
    };
    let Some(header_line) = records.next_record(&mut fields).map_err(csv_error)? else {
        bail!("{file}: the file is empty; give the audit sample with the reviewers' findings");
    };
    let header: Vec<String> = fields.iter().map(|f| match_key(f)).collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    for name in REQUIRED {
        if column(name).is_none() {
            bail!(
                "{file}:{header_line}: no column {name:?}; a reviewed file is the audit sample outcome-lens sample wrote, with reviewer_finding filled in"
            );
        }
    }
    let at = |name: &str| column(name).unwrap_or(0);
    let (c_stratum, c_n, c_k, c_reference, c_seed, c_finding) = (
        at("stratum"),
        at("stratum_crimes"),
        at("sampled_in_stratum"),
        at("crime_reference"),
        at("seed"),
        at("reviewer_finding"),
    );
    let c_second = column(SECOND_FINDING);
    let mut c_checklist = Vec::with_capacity(options.checklist.len());
    for name in &options.checklist {
        match column(&match_key(name)) {
            Some(c) => c_checklist.push(c),
            None => bail!(
                "{file}:{header_line}: no column {name:?}, which [extract.audit.checklist] declares"
            ),
        }
    }
    let finding_of = |cell: &str, line: u64, name: &str| -> Result<Option<Finding>> {
        let key = match_key(cell);
        if key.is_empty() {
            return Ok(None);
        }
        match parse_finding(&key).or_else(|| options.findings.get(&key).copied()) {
            Some(f) => Ok(Some(f)),
            None => bail!(
                "{file}:{line}: {name} {:?} is not a finding; write appropriate, inappropriate or cannot_tell (or map the spelling in [extract.audit.findings])",
                cut(cell)
            ),
        }
    };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    while let Some(line) = records.next_record(&mut fields).map_err(csv_error)? {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| fields.get(c).map(|f| f.trim()).unwrap_or_default();
        let reference = cell(c_reference).to_string();
        let Some(&stratum) = drawn.get(reference.as_str()) else {
            bail!(
                "{file}:{line}: crime_reference {:?} is not in the sample drawn from this extract with seed {seed}",
                cut(&reference)
            );
        };
        if let Some(first) = seen.insert(reference.clone(), line) {
            bail!(
                "{file}:{line}: crime_reference {:?} appears again (first on line {first})",
                cut(&reference)
            );
        }
        if cell(c_stratum) != stratum {
            bail!(
                "{file}:{line}: stratum {:?} is not the stratum {stratum:?} crime {reference} was drawn from",
                cut(cell(c_stratum))
            );
        }
        let (n, k) = sizes[stratum];
        for (c, name, expected) in [
            (c_n, "stratum_crimes", n),
            (c_k, "sampled_in_stratum", k),
            (c_seed, "seed", seed),
        ] {
            if cell(c).parse::<u64>().ok() != Some(expected) {
                bail!(
                    "{file}:{line}: {name} {:?} is not the drawn sample's {expected}",
                    cut(cell(c))
                );
            }
        }
        let finding = finding_of(cell(c_finding), line, "reviewer_finding")?;
        let second = match c_second {
            Some(c) => finding_of(cell(c), line, SECOND_FINDING)?,
            None => None,
        };
        let mut checklist = Vec::with_capacity(c_checklist.len());
        for (&c, name) in c_checklist.iter().zip(&options.checklist) {
            let key = match_key(cell(c));
            if key.is_empty() {
                checklist.push(None);
                continue;
            }
            match parse_checklist_answer(&key) {
                Some(answer) => checklist.push(Some(answer)),
                None => bail!(
                    "{file}:{line}: {name} {:?} is not yes, no or not_recorded",
                    cut(cell(c))
                ),
            }
        }
        cases.insert(
            reference.clone(),
            Case {
                line,
                stratum: stratum.to_string(),
                reference,
                finding,
                second,
                checklist,
            },
        );
    }
    // Drawn cases the file leaves out are pending, as are rows with no finding.
    let mut all = Vec::with_capacity(sample.crimes.len());
    for (stratum, i) in &sample.crimes {
        let reference = extract.reference(*i);
        all.push(cases.remove(reference).unwrap_or_else(|| Case {
            line: 0,
            stratum: stratum.clone(),
            reference: reference.to_string(),
            finding: None,
            second: None,
            checklist: vec![None; options.checklist.len()],
        }));
    }
    Ok(Reviewed {
        file: file.to_string(),
        strata: sample.strata.clone(),
        cases: all,
        checklist: options.checklist.clone(),
    })
}

/// A value as an error message shows it: at most 60 characters.
fn cut(text: &str) -> String {
    let mut cut: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        cut.push('…');
    }
    cut
}

/// Whether the estimates rest on every drawn case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every drawn case is reviewed.
    Final,
    /// Some drawn cases are pending: estimated on the reviewed ones, assuming the pending are
    /// missing completely at random within strata.
    Provisional,
}

impl Status {
    /// `final` or `provisional`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Final => "final",
            Status::Provisional => "provisional",
        }
    }
}

/// A force-wide share from the reviewed cases, with its interval and its total.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareEstimate {
    /// What the share is of (`inappropriate`, `cannot_tell`, or a checklist column).
    pub what: String,
    /// The answer counted (`inappropriate`, `yes`, …).
    pub answer: String,
    /// Reviewed cases with the answer.
    pub positives: u64,
    /// Reviewed (answered) cases.
    pub reviewed: u64,
    /// The stratified estimate.
    pub estimate: survey::Estimate,
    /// Its interval.
    pub interval: Interval,
    /// The estimated number of the population's cases with the answer: N p̂.
    pub total: f64,
    /// Its interval, within what the sample proves.
    pub total_interval: Interval,
    /// For a provisional estimate, the share if every pending case had the answer or none.
    pub bounds: Option<Interval>,
}

/// One stratum's reviewed cases.
#[derive(Debug, Clone, PartialEq)]
pub struct StratumRow {
    /// The stratum.
    pub stratum: String,
    /// Crimes in the stratum (the population).
    pub population: u64,
    /// Cases drawn.
    pub drawn: u64,
    /// Cases reviewed.
    pub reviewed: u64,
    /// Reviewed cases found inappropriate.
    pub inappropriate: u64,
    /// Reviewed cases whose reviewer could not tell.
    pub cannot_tell: u64,
    /// The inappropriate share of the reviewed cases, with its exact interval.
    pub share: Option<(f64, Interval)>,
}

/// What the reviewed sample says.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditResults {
    /// Final or provisional.
    pub status: Status,
    /// Crimes eligible for the sample (the population).
    pub population: u64,
    /// Cases drawn.
    pub drawn: u64,
    /// Cases reviewed.
    pub reviewed: u64,
    /// The force-wide shares: inappropriate, cannot_tell and appropriate (none when a stratum
    /// has no reviewed case).
    pub shares: Vec<ShareEstimate>,
    /// Each stratum.
    pub strata: Vec<StratumRow>,
    /// Whether strata differ.
    pub strata_test: Option<StrataTest>,
    /// Each checklist column's answers.
    pub checklist: Vec<ShareEstimate>,
    /// Agreement on the double-reviewed cases, with the 3 × 3 table (first reviewer in rows).
    pub agreement: Option<(Kappa, [[u64; 3]; 3])>,
    /// The double-reviewed cases the two reviewers disagree on: (stratum, reference, first,
    /// second).
    pub disagreements: Vec<(String, String, Finding, Finding)>,
    /// The drawn cases not yet reviewed: (stratum, reference).
    pub pending: Vec<(String, String)>,
    /// Strata with no reviewed case, for which no force-wide estimate is made.
    pub unreviewed_strata: Vec<String>,
}

/// The estimates of a reviewed sample.
///
/// # Errors
///
/// When a stratum has one reviewed case and the options say to fail, naming it.
pub fn analyse(reviewed: &Reviewed, options: &AuditOptions) -> Result<AuditResults> {
    let population: u64 = reviewed.strata.iter().map(|s| s.1).sum();
    let drawn: u64 = reviewed.strata.iter().map(|s| s.2).sum();
    let count = |name: &str, want: &dyn Fn(&Case) -> bool| {
        reviewed
            .cases
            .iter()
            .filter(|c| c.stratum == name && want(c))
            .count() as u64
    };
    let mut strata = Vec::with_capacity(reviewed.strata.len());
    for (name, n, k) in &reviewed.strata {
        let r = count(name, &|c| c.finding.is_some());
        let y = count(name, &|c| c.finding == Some(Finding::Inappropriate));
        let share = if r > 0 {
            let interval = survey::stratum_interval(
                Stratum {
                    population: *n,
                    reviewed: r,
                    positives: y,
                },
                options.level,
            )?;
            Some((y as f64 / r as f64, interval))
        } else {
            None
        };
        strata.push(StratumRow {
            stratum: name.clone(),
            population: *n,
            drawn: *k,
            reviewed: r,
            inappropriate: y,
            cannot_tell: count(name, &|c| c.finding == Some(Finding::CannotTell)),
            share,
        });
    }
    let reviewed_n: u64 = strata.iter().map(|s| s.reviewed).sum();
    let unreviewed_strata: Vec<String> = strata
        .iter()
        .filter(|s| s.reviewed == 0)
        .map(|s| s.stratum.clone())
        .collect();
    let status = if reviewed_n == drawn {
        Status::Final
    } else {
        Status::Provisional
    };
    let estimate_of = |what: &str,
                       answer: &str,
                       counts: &[(u64, u64, u64, u64)]|
     -> Result<Option<ShareEstimate>> {
        // (population, drawn, answered, positives) per stratum.
        if counts.iter().any(|c| c.2 == 0) {
            return Ok(None);
        }
        let design: Vec<Stratum> = counts
            .iter()
            .map(|&(population, _, reviewed, positives)| Stratum {
                population,
                reviewed,
                positives,
            })
            .collect();
        let estimate = survey::estimate(&design, options.lonely).map_err(|e| match e {
            crate::stats::StatsError::LonelyStratum { index } => anyhow::anyhow!(
                "{}: stratum {:?} has only one reviewed case for {what}, so its variance cannot be estimated; review another of its cases, or set [extract.audit] lonely_stratum",
                reviewed.file,
                reviewed.strata[index].0
            ),
            other => anyhow::Error::from(other),
        })?;
        let interval = survey::interval(&estimate, options.method, options.level)
            .with_context(|| format!("{}: the interval of {what}", reviewed.file))?;
        let bounds = if counts.iter().any(|c| c.2 < c.1) {
            let drawn: Vec<u64> = counts.iter().map(|c| c.1).collect();
            Some(survey::pending_bounds(&design, &drawn)?)
        } else {
            None
        };
        Ok(Some(ShareEstimate {
            what: what.to_string(),
            answer: answer.to_string(),
            positives: design.iter().map(|s| s.positives).sum(),
            reviewed: design.iter().map(|s| s.reviewed).sum(),
            total: estimate.p * estimate.population as f64,
            total_interval: survey::total_interval(&design, interval),
            estimate,
            interval,
            bounds,
        }))
    };
    let mut shares = Vec::new();
    for finding in [
        Finding::Inappropriate,
        Finding::CannotTell,
        Finding::Appropriate,
    ] {
        let counts: Vec<(u64, u64, u64, u64)> = strata
            .iter()
            .map(|s| {
                (
                    s.population,
                    s.drawn,
                    s.reviewed,
                    count(&s.stratum, &|c| c.finding == Some(finding)),
                )
            })
            .collect();
        if let Some(share) = estimate_of("reviewer_finding", finding.name(), &counts)? {
            shares.push(share);
        }
    }
    let mut checklist = Vec::new();
    for (k, column) in reviewed.checklist.iter().enumerate() {
        for answer in ChecklistAnswer::ALL {
            let counts: Vec<(u64, u64, u64, u64)> = strata
                .iter()
                .map(|s| {
                    (
                        s.population,
                        s.drawn,
                        count(&s.stratum, &|c| c.checklist[k].is_some()),
                        count(&s.stratum, &|c| c.checklist[k] == Some(answer)),
                    )
                })
                .collect();
            if let Some(share) = estimate_of(column, answer.name(), &counts)? {
                checklist.push(share);
            }
        }
    }
    let strata_test = rao_scott(&strata);
    let mut table = [[0u64; 3]; 3];
    let mut disagreements = Vec::new();
    let index = |f: Finding| Finding::ALL.iter().position(|&g| g == f).unwrap_or(0);
    for case in &reviewed.cases {
        if let (Some(a), Some(b)) = (case.finding, case.second) {
            table[index(a)][index(b)] += 1;
            if a != b {
                disagreements.push((case.stratum.clone(), case.reference.clone(), a, b));
            }
        }
    }
    let double: u64 = table.iter().flatten().sum();
    let agreement = if double > 0 {
        let rows: Vec<Vec<u64>> = table.iter().map(|r| r.to_vec()).collect();
        Some((cohen_kappa(&rows, options.level)?, table))
    } else {
        None
    };
    Ok(AuditResults {
        status,
        population,
        drawn,
        reviewed: reviewed_n,
        shares,
        strata,
        strata_test,
        checklist,
        agreement,
        disagreements,
        pending: reviewed
            .cases
            .iter()
            .filter(|c| c.finding.is_none())
            .map(|c| (c.stratum.clone(), c.reference.clone()))
            .collect(),
        unreviewed_strata,
    })
}

/// The audit's findings in a few lines for people: the estimate, how far reviewed, and what
/// is left to do.
pub fn headline(results: &AuditResults) -> Vec<String> {
    let percent = |x: f64| crate::wording::percent(x, 1);
    let mut lines = Vec::new();
    match results.shares.iter().find(|s| s.answer == Finding::Inappropriate.name()) {
        Some(s) => lines.push(format!(
            "audit: an estimated {} (95% CI {} to {}) of the {} closures, about {} crimes, were judged inappropriate ({} of {} reviewed found so){}",
            percent(s.estimate.p),
            percent(s.interval.lower),
            percent(s.interval.upper),
            crate::wording::thousands(results.population),
            crate::wording::thousands(s.total.round() as u64),
            s.positives,
            s.reviewed,
            match results.status {
                Status::Final => String::new(),
                Status::Provisional => format!(
                    "; provisional: {} drawn cases not yet reviewed",
                    results.pending.len()
                ),
            }
        )),
        None => lines.push(format!(
            "audit: no force-wide estimate yet: no case of {} is reviewed",
            results.unreviewed_strata.join(", ")
        )),
    }
    lines
}

/// The Rao–Scott test that the strata differ in their inappropriate share (reviewed cases).
fn rao_scott(strata: &[StratumRow]) -> Option<StrataTest> {
    let counts: Vec<Stratum> = strata
        .iter()
        .map(|s| Stratum {
            population: s.population,
            reviewed: s.reviewed,
            positives: s.inappropriate,
        })
        .collect();
    survey::strata_differ(&counts)
}

#[cfg(test)]
mod tests;
