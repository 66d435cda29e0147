//! Section 7: data and methods.

use super::*;

pub(super) fn methods_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let s = c.summary();
    let mut blocks = Vec::new();
    blocks.push(Block::Heading {
        id: "methods-sources".into(),
        text: "Sources".into(),
    });
    blocks.push(Block::Paragraph {
        text: if c.tidy {
            "The inputs are tidy counts (unit, period, numerator, denominator) as published elsewhere or supplied by a force; the analysis file records their source.".to_string()
        } else {
            "The inputs are the Home Office \"Police recorded crime and outcomes open data tables\" (Open Government Licence v3.0), one row per quarter, force, offence code and outcome type.".to_string()
        },
    });
    if let Some(note) = &s.source_note {
        blocks.push(Block::Caveat { text: note.clone() });
    }
    blocks.push(Block::Paragraph {
        text: "The run folder's manifest.json lists every input file with its sha256 checksum and row accounting, and the analysis file as run; summary.json and the tables/ folder hold every number in this report.".into(),
    });
    if c.proxy {
        blocks.push(Block::Caveat {
            text: proxy_note(c),
        });
    }

    blocks.push(Block::Heading {
        id: "methods-definitions".into(),
        text: "Scope and definitions".into(),
    });
    let scope_detail = scope_detail(s);
    let mut definitions = vec![
        (
            "Outcome",
            format!(
                "{} (\"{}\")",
                c.outcome_phrase,
                c.outcome_descriptions.join("\"; \"")
            ),
        ),
        (
            "Period",
            format!("{} (quarters: {})", c.period, c.periods_compared.join(", ")),
        ),
        (
            "Scope",
            if scope_detail.is_empty() {
                c.scope_label.clone()
            } else {
                format!("{} ({scope_detail})", c.scope_label)
            },
        ),
        ("Basis", c.basis_phrase.clone()),
        ("Denominator", c.denominator_phrase.clone()),
        (
            "National set",
            format!("{} ({} units)", c.national_set, c.n_units),
        ),
        (
            "Target",
            format!("{} ({})", percent(c.target), target_phrase(c)),
        ),
    ];
    if !c.tidy {
        definitions.push((
            "Basis in full",
            match s.basis.as_str() {
                "assigned_in_period" => "each quarter counts the outcomes assigned (investigations closed) in that quarter, whenever the offence was recorded".to_string(),
                "recorded_in_period" => "each quarter counts the outcomes so far of the offences recorded in that quarter; recent quarters are still filling up".to_string(),
                other => other.to_string(),
            },
        ));
    }
    blocks.push(Block::Table(key_value_table(
        numbers,
        "What was counted.".into(),
        definitions,
    )));

    blocks.push(Block::Heading {
        id: "methods-funnel".into(),
        text: "Funnel limits and overdispersion".into(),
    });
    let bound = |i: usize| {
        s.funnel.winsor_bounds[i]
            .map(|x| fixed(x, 2))
            .unwrap_or_else(|| "–".into())
    };
    let applied = s.funnel.adjustment_applied;
    let funnel_rows = vec![
        ("Limits", s.funnel.description.clone()),
        ("Unadjusted method", s.funnel.method.clone()),
        ("Levels", format!("{} and {}", c.inner_text, c.outer_text)),
        ("Overdispersion model", s.funnel.overdispersion.clone()),
        ("Scale of z, φ and τ²", s.funnel.scale.clone()),
        (
            "Winsorised",
            format!(
                "{} at each end (z-scores clamped to {} and {})",
                percent(s.funnel.winsorise),
                bound(0),
                bound(1)
            ),
        ),
        (
            "φ (overdispersion factor)",
            significant(required(s.phi, "phi")?, 4),
        ),
        (
            "τ² (between-force variance)",
            significant(required(s.tau2, "tau2")?, 4),
        ),
        (
            "Test statistic N·φ",
            fixed(
                required(
                    s.overdispersion_test.statistic,
                    "overdispersion_test.statistic",
                )?,
                1,
            ),
        ),
        (
            "Degrees of freedom",
            fixed(s.overdispersion_test.df as f64, 0),
        ),
        (
            "p-value",
            p_value(required(
                s.overdispersion_test.p_value,
                "overdispersion_test.p_value",
            )?),
        ),
        (
            "Adjustment rule",
            match s.funnel.adjust_when.as_str() {
                "tau2_positive" => {
                    "apply whenever τ² > 0 (φ > 1 for the multiplicative model)".to_string()
                }
                "significant" => {
                    "apply only when the overdispersion test is significant at 5%".to_string()
                }
                other => other.to_string(),
            },
        ),
        (
            "Adjustment applied",
            if applied {
                "yes".to_string()
            } else {
                "no: the adjusted limits equal the unadjusted ones".to_string()
            },
        ),
    ];
    blocks.push(Block::Table(key_value_table(
        numbers,
        "How the limits were drawn.".into(),
        funnel_rows,
    )));
    blocks.push(Block::Paragraph {
        text: format!(
            "{} Flags are strict: a force exactly on a limit is within it. Both sets of flags, with and without the adjustment, are in the tables.",
            adjustment_sentence(c, required(s.phi, "phi")?, required(s.tau2, "tau2")?, required(s.overdispersion_test.p_value, "overdispersion_test.p_value")?)?
        ),
    });
    blocks.push(Block::Paragraph {
        text: "When overdispersion is as large as it usually is between police forces, the additive model can still give limits that are too narrow; beta-binomial limits, an alternative for that case, are not offered.".into(),
    });
    if c.forces.iter().any(|r| r.p_bh.is_some()) {
        blocks.push(Block::Paragraph {
            text: "Benjamini–Hochberg adjusted p-values are given in the appendix beside the flags, for context: comparing many forces at 95% flags some by chance alone. They do not replace the flags.".into(),
        });
    }

    blocks.push(Block::Heading {
        id: "methods-spc".into(),
        text: "Control charts".into(),
    });
    blocks.push(Block::Paragraph {
        text: format!(
            "Quarterly series use a {} chart{}; a shift needs {} consecutive points on one side of the centre line, and a trend {} consecutive points each higher (or each lower) than the one before.",
            match s.spc.chart.as_str() {
                "laney_p_prime" => "Laney p′".to_string(),
                other => other.to_string(),
            },
            if s.spc.screen_moving_ranges {
                ", with moving ranges above 3.267 times their mean screened out before the limits are set (the NHS \"Making Data Count\" spreadsheet does not screen)"
            } else {
                ", without screening of moving ranges"
            },
            fixed(s.spc.shift_length as f64, 0),
            fixed(s.spc.trend_length as f64, 0),
        ),
    });

    blocks.push(Block::Heading {
        id: "methods-rows".into(),
        text: "Row accounting and data quality".into(),
    });
    let read = s.rows.read as f64;
    let loaded = s.rows.loaded as f64;
    let quarantined = s.rows.quarantined as f64;
    let missing = s.missing_cells_in_scope as f64;
    blocks.push(Block::Table(key_value_table(
        numbers,
        "Rows read, loaded and set aside.".into(),
        vec![
            ("Rows read", count(read)),
            ("Rows loaded", count(loaded)),
            ("Rows quarantined (could not be loaded; listed with the reason in quarantine.csv)", count(quarantined)),
            ("Cells in scope with no count (for example \"N/A - offence code expired\"), treated as missing, not zero", count(missing)),
        ],
    )));

    blocks.push(Block::Heading {
        id: "methods-caveats".into(),
        text: "Caveats".into(),
    });
    blocks.push(Block::Bullets {
        items: vec![
            "A point outside the limits is a prompt to look, not a verdict. Funnel plots are screening tools: they show where to ask questions, and the answers lie in how each force records and closes crimes.".into(),
            format!("Data quality: forces record crimes and assign outcomes in different ways, and some cells of the source tables hold no count ({} in this scope). Differences in recording practice show up in these rates as much as differences in outcomes.", count(missing)),
            "Revisions: the Home Office revises these tables and re-issues them; a later vintage can change the numbers. The checksum of each input in manifest.json says exactly which file was used.".into(),
            "Method: near a limit, a force's flag can change with the method used for the limits; the method is named in every chart and above.".into(),
        ],
    });
    blocks.push(Block::Heading {
        id: "methods-reading".into(),
        text: "Further reading".into(),
    });
    blocks.push(Block::Paragraph {
        text: "METHODS.md, in the outcome-lens repository, explains each method for a reader of this report: the target rate (section 1), confidence levels (2), intervals (3), funnel plots (4), z-scores (5), overdispersion (6), flags (7), many comparisons (8), offence mix (9), control charts (10), missing counts and partial periods (11), reading an audit sample back (12) and how the numbers are checked (13), with references.".into(),
    });
    Ok(Section {
        id: "methods".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "Data and methods".into(),
        blocks: number_tables(blocks),
    })
}

/// The scope's include and exclude lists in words.
pub(super) fn scope_detail(s: &National) -> String {
    let mut parts = Vec::new();
    let scope = &s.scope;
    for (list, words) in [
        (&scope.include_groups, "offence groups"),
        (&scope.include_subgroups, "offence subgroups"),
        (&scope.include_codes, "offence codes"),
        (&scope.exclude_groups, "excluding offence groups"),
        (&scope.exclude_subgroups, "excluding offence subgroups"),
        (&scope.exclude_codes, "excluding offence codes"),
    ] {
        if !list.is_empty() {
            parts.push(format!("{words} {}", list.join(", ")));
        }
    }
    parts.join("; ")
}

pub(super) fn key_value_table(
    numbers: &mut Numbers,
    caption: String,
    rows: Vec<(&str, String)>,
) -> TableBlock {
    TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption,
        columns: vec![text_column("Item"), text_column("Value")],
        rows: rows
            .into_iter()
            .map(|(k, v)| Row {
                cells: vec![k.to_string(), v],
                highlight: false,
            })
            .collect(),
        note: None,
    }
}
