//! The audit section (when the run read a reviewed audit sample back): is the force's use of the
//! outcome appropriate? The estimate in one sentence first, then how it was made, the strata,
//! the checklist, agreement between reviewers, and the caveats.

use super::*;

pub(super) fn audit_section(c: &Input, numbers: &mut Numbers) -> Result<Option<Section>> {
    let (Some(a), Some(rows)) = (c.audit, rows::audit(c.data)?) else {
        return Ok(None);
    };
    let e = c.extract;
    let scope = e
        .map(|e| e.scope_label.clone())
        .unwrap_or_else(|| "crimes".to_string());
    let window = e
        .and_then(|e| match (&e.months.first, &e.months.last) {
            (Some(first), Some(last)) => Some(format!(
                " from {} to {}",
                month_phrase(first),
                month_phrase(last)
            )),
            _ => None,
        })
        .unwrap_or_default();
    let mut blocks = Vec::new();
    let provisional = a.status == "provisional";
    match &a.inappropriate {
        Some(share) => {
            let (Some(p), [Some(lo), Some(hi)]) = (share.share, share.ci95) else {
                bail!("summary.json: audit.inappropriate has no share or interval");
            };
            let total = share.total.unwrap_or(f64::NAN);
            blocks.push(Block::Paragraph {
                text: format!(
                    "{}n estimated {} (95% CI {}) of the {} {scope} closed with {}{window}, about {} crimes, were judged inappropriate by the case-file review ({} of the {} cases reviewed).",
                    if provisional { "Provisionally, a" } else { "A" },
                    percent(p),
                    percent_range(lo, hi),
                    count(a.population as f64),
                    c.outcome_phrase,
                    count(total),
                    share.positives,
                    share.reviewed,
                ),
            });
        }
        None => blocks.push(Block::Paragraph {
            text: format!(
                "There is no force-wide estimate yet: no case of {} has been reviewed.",
                and_list(&a.unreviewed_strata)
            ),
        }),
    }
    if let Some(e) = e {
        blocks.push(Block::Caveat {
            text: format!("Source of this section: the review of the audit sample drawn from {} (reviewed file {}).", e.source, a.file),
        });
    }
    if provisional {
        let bounds = a
            .inappropriate
            .as_ref()
            .and_then(|s| s.bounds)
            .and_then(|[lo, hi]| Some(percent_range(lo?, hi?)))
            .map(|b| {
                format!(" Whatever the pending cases turn out to be, the share lies from {b}.")
            })
            .unwrap_or_default();
        blocks.push(Block::Caveat {
            text: format!(
                "Provisional: {} of the {} drawn cases are not yet reviewed (tables/audit_pending.csv lists them). The estimates assume the pending cases are like the reviewed ones in their stratum (missing completely at random within strata).{bounds}",
                a.pending, a.drawn
            ),
        });
    }
    blocks.push(Block::Paragraph {
        text: format!(
            "The sample is a stratified random sample of these closures, drawn by {} with a recorded seed, so that every closure in a stratum had the same chance of review; the tool drew it again from the extract and accepted the reviewed file only as that sample. Each reviewed case stands for its stratum's closures (weight N_h/n_h), and the variance allows for each stratum's finite size. The interval is {} (METHODS.md section 12): it stays inside 0–100% and errs on the wide side when few cases are reviewed or a share is near 0 or 1.",
            a.stratified_by,
            match a.interval_method.as_str() {
                "korn-graubard" => "Korn and Graubard's (Clopper–Pearson on the design's effective sample size)".to_string(),
                other => other.to_string(),
            }
        ),
    });
    let table_number = numbers.tables + 1;
    blocks.push(c.figure(
        numbers,
        "audit-findings",
        format!("The share of reviewed closures judged inappropriate, force-wide and by {}, with the checklist ({scope}, the extract's window).", a.stratified_by),
        |n| format!(
            "Figure {n} shows the force-wide estimate as a diamond with its 95% interval, each {}'s share of its reviewed cases with its exact interval, and, below a line, the share answering yes to each checklist question. Table {table_number} gives the numbers.",
            a.stratified_by
        ),
    ));
    blocks.push(Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!("Reviewed cases by {} (tables/audit_by_stratum.csv; {scope} in the audit sample).", a.stratified_by),
        columns: vec![
            text_column(&capitalise(&a.stratified_by)),
            number_column("Closures"),
            number_column("Drawn"),
            number_column("Reviewed"),
            number_column("Inappropriate"),
            number_column("Cannot tell"),
            number_column("Share"),
            number_column("Exact 95% interval"),
        ],
        rows: rows
            .strata
            .iter()
            .map(|s| Row {
                cells: vec![
                    s.stratum.clone(),
                    count(s.population),
                    count(s.drawn),
                    count(s.reviewed),
                    count(s.inappropriate),
                    count(s.cannot_tell),
                    s.share.map(|x| percent(x.0)).unwrap_or_else(|| "–".into()),
                    s.share
                        .map(|x| percent_range(x.1 .0, x.1 .1))
                        .unwrap_or_else(|| "–".into()),
                ],
                highlight: false,
            })
            .collect(),
        note: a.strata_test.as_ref().and_then(|t| {
            Some(format!(
                "Do the {}s differ? The Rao–Scott test (design-based, as R's survey::svychisq): F = {} on {} and {} degrees of freedom, p = {}{}.",
                a.stratified_by,
                fixed(t.statistic?, 2),
                fixed(t.df_numerator?, 2),
                fixed(t.df_denominator?, 1),
                p_value(t.p_value?),
                if t.smallest_expected? < 5.0 { "; some expected counts are below 5, so the test is rough and a difference it misses may be real" } else { "" }
            ))
        }),
    }));
    let share_rows = |shares: &[rows::AuditShareRow],
                      label: &dyn Fn(&rows::AuditShareRow) -> String|
     -> Vec<Row> {
        shares
            .iter()
            .map(|s| Row {
                cells: vec![
                    label(s),
                    format!("{} of {}", count(s.positives), count(s.reviewed)),
                    percent(s.share),
                    percent_range(s.ci95.0, s.ci95.1),
                    format!(
                        "{} ({} to {})",
                        count(s.total.0),
                        count(s.total.1),
                        count(s.total.2)
                    ),
                ],
                highlight: s.answer == "inappropriate",
            })
            .collect()
    };
    let columns = |first: &str| {
        vec![
            text_column(first),
            number_column("Reviewed cases"),
            number_column("Estimated share"),
            number_column("95% interval"),
            number_column("Estimated closures (interval)"),
        ]
    };
    blocks.push(Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!("Each finding, weighted to the force (tables/audit_estimates.csv; {scope} in the audit sample)."),
        columns: columns("Finding"),
        rows: share_rows(&rows.findings, &|s| s.answer.replace('_', " ")),
        note: Some("Cases the reviewers could not judge (cannot tell) are a finding of their own: they are neither counted as appropriate nor left out.".into()),
    }));
    if !rows.checklist.is_empty() {
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!("The checklist, each answer weighted to the force among the cases answered (tables/audit_checklist.csv; {scope} in the audit sample)."),
            columns: columns("Question and answer"),
            rows: share_rows(&rows.checklist, &|s| {
                let question = if s.question.is_empty() { s.column.replace('_', " ") } else { s.question.clone() };
                format!("{question} {}", s.answer.replace('_', " "))
            }),
            note: None,
        }));
    }
    if let Some(g) = &a.agreement {
        blocks.push(Block::Paragraph {
            text: match (g.kappa, g.ci95) {
                (Some(k), Some([Some(lo), Some(hi)])) => format!(
                    "Two reviewers read {} of the files independently and agreed on {} of them; Cohen's κ, their agreement beyond what their overall proportions would give by chance, is {} (95% interval {} to {}). They disagree on {} {} (tables/audit_agreement.csv has their findings side by side).",
                    g.cases,
                    g.observed.map(percent).unwrap_or_else(|| "–".into()),
                    fixed(k, 2),
                    fixed(lo, 2),
                    fixed(hi, 2),
                    g.disagreements,
                    if g.disagreements == 1 { "case" } else { "cases" }
                ),
                _ => format!(
                    "Two reviewers read {} of the files independently; both put every case in one finding, so κ is not defined.",
                    g.cases
                ),
            } + if g.cases < 30 { " With so few double-reviewed cases the interval is rough." } else { "" },
        });
    }
    blocks.push(Block::Bullets {
        items: vec![
            "A finding is a reviewer's judgement on a case file against the force's policy: it depends on what the file records, and a closure that looks appropriate on paper may not have been.".into(),
            "The estimate is for the closures in the extract's window and scope that the sample was drawn from, not for every outcome-16 closure the force made.".into(),
            "Crimes whose files could not be found should be recorded as cannot tell, not left out: leaving them out would make the sample no longer random.".into(),
        ],
    });
    Ok(Some(Section {
        id: "audit".into(),
        number: String::new(),
        scope: format!("{scope} in the audit sample"),
        period: c.extract_window(),
        title: format!("Is our use of {} appropriate?", c.outcome_phrase),
        blocks: number_tables(blocks),
    }))
}
