//! Planted audit findings for a synthetic extract, and a drawn audit sample filled in with
//! them, so that the audit's estimates can be checked against a known truth.
//!
//! The model: every domestic-abuse crime closed with outcome 16 has a true finding, drawn
//! once from its own stream (the extract's seed and the crime's reference, so it does not
//! depend on which sample drew it or on any other crime): `cannot_tell` with probability
//! [`CANNOT_TELL`], otherwise `inappropriate` with probability [`INAPPROPRIATE`], or
//! [`INAPPROPRIATE_RAISED`] in the areas whose outcome-16 use synth raised, and `appropriate`
//! else. Its checklist answer `supervisor_reviewed` is `no` with probability
//! [`NO_SUPERVISOR_IF_INAPPROPRIATE`] for an inappropriate closure and
//! [`NO_SUPERVISOR_OTHERWISE`] for the others. A filled-in sample gives each case its true
//! finding; one case in [`SECOND_REVIEW_EVERY`] (by position) has a second reviewer, who
//! agrees with probability [`SECOND_AGREES`] and otherwise names a finding at random.
//!
//! Invariant: nothing here draws from the extract's own generator, so planting findings does
//! not change one byte of the extract.

use crate::extract::read::Extract;
use crate::extract::rng::Rng;
use crate::extract::sample::{self, AuditSample, COLUMNS};
use crate::normalise::values::{ChecklistAnswer, Finding};

/// The share of reviewable closures that are inappropriate outside the raised areas.
pub const INAPPROPRIATE: f64 = 0.20;
/// The share in the areas whose outcome-16 probability synth raised.
pub const INAPPROPRIATE_RAISED: f64 = 0.45;
/// The share of closures whose file does not let a reviewer tell.
pub const CANNOT_TELL: f64 = 0.10;
/// The chance that no supervisor reviewed an inappropriate closure.
pub const NO_SUPERVISOR_IF_INAPPROPRIATE: f64 = 0.70;
/// The chance that no supervisor reviewed another closure.
pub const NO_SUPERVISOR_OTHERWISE: f64 = 0.20;
/// One case in this many (by position in the sample) is reviewed twice.
pub const SECOND_REVIEW_EVERY: usize = 6;
/// The chance that a second reviewer agrees.
pub const SECOND_AGREES: f64 = 0.8;
/// The checklist column a filled-in sample carries.
pub const CHECKLIST_COLUMN: &str = "supervisor_reviewed";
/// What it asks, for an analysis file's `[extract.audit.checklist]`.
pub const CHECKLIST_QUESTION: &str =
    "Did a supervisor review the decision to take no further action?";

/// Mixed into the seed so the findings' streams are not the extract's.
const STREAM: u64 = 0x6175_6469_745f_7631;

/// A closure's planted truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrueCase {
    /// The true finding.
    pub finding: Finding,
    /// Whether a supervisor reviewed the decision.
    pub supervisor_reviewed: ChecklistAnswer,
}

/// The planted truth of the closure `reference` of the extract made with `seed`, in a raised
/// area or not.
pub fn true_case(seed: u64, reference: &str, raised_area: bool) -> TrueCase {
    let mut rng = Rng::for_label(seed ^ STREAM, reference);
    let inappropriate = if raised_area {
        INAPPROPRIATE_RAISED
    } else {
        INAPPROPRIATE
    };
    let finding = if rng.chance(CANNOT_TELL) {
        Finding::CannotTell
    } else if rng.chance(inappropriate) {
        Finding::Inappropriate
    } else {
        Finding::Appropriate
    };
    let no = if finding == Finding::Inappropriate {
        NO_SUPERVISOR_IF_INAPPROPRIATE
    } else {
        NO_SUPERVISOR_OTHERWISE
    };
    let supervisor_reviewed = if rng.chance(no) {
        ChecklistAnswer::No
    } else {
        ChecklistAnswer::Yes
    };
    TrueCase {
        finding,
        supervisor_reviewed,
    }
}

/// The planted findings as the truth file states them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlantedAudit {
    /// How the findings were planted.
    pub note: String,
    /// [`INAPPROPRIATE`].
    pub inappropriate: f64,
    /// [`INAPPROPRIATE_RAISED`].
    pub inappropriate_in_raised_areas: f64,
    /// [`CANNOT_TELL`].
    pub cannot_tell: f64,
    /// Domestic-abuse crimes closed with outcome 16 in the window (the audit's population
    /// when the numerator is outcome 16).
    pub closures: u64,
    /// Of them, closures whose true finding is inappropriate.
    pub inappropriate_closures: u64,
    /// Of them, closures whose true finding is cannot tell.
    pub cannot_tell_closures: u64,
    /// Of them, closures no supervisor reviewed.
    pub not_supervisor_reviewed_closures: u64,
}

impl PlantedAudit {
    /// No closures yet, with the model's constants.
    pub fn empty() -> PlantedAudit {
        PlantedAudit {
            note: "each domestic-abuse outcome-16 closure has a true finding drawn from the seed and its reference (extract::synth::review); fill a drawn sample with them to check the audit's estimates".into(),
            inappropriate: INAPPROPRIATE,
            inappropriate_in_raised_areas: INAPPROPRIATE_RAISED,
            cannot_tell: CANNOT_TELL,
            closures: 0,
            inappropriate_closures: 0,
            cannot_tell_closures: 0,
            not_supervisor_reviewed_closures: 0,
        }
    }

    /// Counts one closure.
    pub fn count(&mut self, case: TrueCase) {
        self.closures += 1;
        self.inappropriate_closures += u64::from(case.finding == Finding::Inappropriate);
        self.cannot_tell_closures += u64::from(case.finding == Finding::CannotTell);
        self.not_supervisor_reviewed_closures +=
            u64::from(case.supervisor_reviewed == ChecklistAnswer::No);
    }
}

/// The columns of a filled-in sample: the sample's, a second reviewer's finding, the
/// checklist column, the reviewer and notes.
pub fn columns() -> Vec<&'static str> {
    let mut columns = COLUMNS.to_vec();
    columns.extend([
        crate::extract::audit::SECOND_FINDING,
        CHECKLIST_COLUMN,
        "reviewer",
        "notes",
    ]);
    columns
}

/// The drawn `sample` of the synthetic `extract` made with `seed`, as CSV text with every
/// case reviewed by its planted truth; `raised` says whether an area's outcome-16 use was
/// raised. The first `reviewed` cases are filled in (all of them with `usize::MAX`), the
/// rest left blank, as in a review still under way.
pub fn fill(
    sample: &AuditSample,
    extract: &Extract,
    seed: u64,
    raised: &dyn Fn(&str) -> bool,
    reviewed: usize,
) -> String {
    let mut out = columns().join(",");
    out.push('\n');
    let finding_cell = COLUMNS.len() - 1;
    for (k, (i, mut cells)) in sample::rows(sample, extract).into_iter().enumerate() {
        let crime = &extract.crimes[i];
        let reference = extract.reference(i);
        let area = Extract::name(&extract.areas, crime.area);
        let truth = true_case(seed, reference, raised(area));
        let (second, supervisor, reviewer) = if k < reviewed {
            cells[finding_cell] = truth.finding.name().to_string();
            let second = if k % SECOND_REVIEW_EVERY == 0 {
                let mut rng = Rng::for_label(seed ^ STREAM ^ 1, reference);
                let finding = if rng.chance(SECOND_AGREES) {
                    truth.finding
                } else {
                    Finding::ALL[rng.below(3) as usize]
                };
                finding.name()
            } else {
                ""
            };
            let supervisor = match truth.supervisor_reviewed {
                ChecklistAnswer::No => "no",
                _ => "yes",
            };
            (second, supervisor, format!("R{}", 1 + k % 3))
        } else {
            ("", "", String::new())
        };
        cells.extend([
            second.to_string(),
            supervisor.to_string(),
            reviewer,
            "synthetic finding, not a real review".to_string(),
        ]);
        sample::push_row(&mut out, &cells);
    }
    out
}

#[cfg(test)]
mod tests;
