//! Section 2: the national comparison (the funnel, the caterpillar, the overdispersion in
//! words).

use super::*;

pub(super) fn national_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let s = c.summary();
    let mut blocks = Vec::new();
    let phi = required(s.phi, "phi")?;
    let tau2 = required(s.tau2, "tau2")?;
    let p = required(s.overdispersion_test.p_value, "overdispersion_test.p_value")?;
    blocks.push(Block::Paragraph {
        text: format!(
            "Each force's rate is compared with the national rate of {} ({}; {} units). The limits are {}.",
            percent(c.target),
            target_phrase(c),
            c.n_units,
            s.funnel.description,
        ),
    });
    blocks.push(Block::Paragraph {
        text: adjustment_sentence(c, phi, tau2, p)?,
    });
    let mut items = Vec::new();
    for flag in [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::LowInner,
        Flag::LowOuter,
    ] {
        let name = flag.name(&c.levels);
        let forces: &[String] = s.flags.get(&name).map(Vec::as_slice).unwrap_or_default();
        if !forces.is_empty() {
            items.push(format!(
                "{}: {}.",
                capitalise(&c.position(flag)),
                and_list(forces)
            ));
        }
    }
    if items.is_empty() {
        items.push(format!(
            "Every force in the national set is {}.",
            c.position(Flag::Within)
        ));
    } else {
        items.push(format!(
            "Every other force in the national set is {}.",
            c.position(Flag::Within)
        ));
    }
    blocks.push(Block::Paragraph {
        text: "Where the forces sit after the overdispersion adjustment:".into(),
    });
    blocks.push(Block::Bullets { items });

    // The funnel and its table.
    let funnel_table_number = numbers.tables + 1;
    let focus_phrase = focus_positions(c);
    blocks.push(c.figure(
        numbers,
        "funnel",
        format!(
            "Funnel plot: each force's rate of {} against its number of outcomes, with the national rate and the {} and {} limits ({}).",
            c.outcome_phrase,
            c.inner_text,
            c.outer_text,
            c.scope_suffix()
        ),
        |n| {
            format!(
                "Figure {n} shows each force as a point at its number of outcomes (horizontal axis) and its rate (vertical axis), with the national rate of {} as a line and the {} and {} limits as a funnel around it. {focus_phrase}Table {funnel_table_number} gives the numbers.",
                percent(c.target),
                c.inner_text,
                c.outer_text,
            )
        },
    ));
    blocks.push(Block::Table(funnel_table(c, numbers)));

    // The caterpillar and its table.
    let caterpillar_table_number = numbers.tables + 1;
    blocks.push(c.figure(
        numbers,
        "caterpillar",
        format!(
            "Each force's rate of {} with its 95% confidence interval, in rank order, against the national rate ({}).",
            c.outcome_phrase,
            c.scope_suffix()
        ),
        |n| {
            format!(
                "Figure {n} shows each force's rate as a point with a bar for its 95% confidence interval, forces ordered by rate, and the national rate of {} as a vertical line. {}Table {caterpillar_table_number} gives the numbers.",
                percent(c.target),
                focus_ranks(c),
            )
        },
    ));
    blocks.push(Block::Table(caterpillar_table(c, numbers)));

    // Flags that depend on the adjustment.
    let changes = &s.flag_differs_when_unadjusted;
    if changes.is_empty() {
        blocks.push(Block::Paragraph {
            text: "No force's flag depends on the overdispersion adjustment.".into(),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: "Without the overdispersion adjustment, the limits allow for chance alone and are much narrower, so more forces fall outside them. The table below lists every force whose flag depends on the adjustment.".into(),
        });
        let rows = changes
            .iter()
            .map(|change| {
                let flag = |name: &str| parse_flag(name, &c.levels);
                Row {
                    cells: vec![
                        change.force.clone(),
                        c.flag_cell(flag(&change.flag)),
                        c.flag_cell(flag(&change.flag_unadjusted)),
                    ],
                    highlight: c.focus.iter().any(|f| f.force == change.force),
                }
            })
            .collect();
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "Forces whose flag differs with and without the overdispersion adjustment ({}).",
                c.scope_suffix()
            ),
            columns: vec![
                text_column("Force"),
                text_column("Adjusted limits"),
                text_column("Unadjusted limits"),
            ],
            rows,
            note: None,
        }));
    }
    let outside: Vec<String> = c
        .forces
        .iter()
        .filter(|r| !r.in_national_set)
        .map(|r| r.force.clone())
        .collect();
    if !outside.is_empty() {
        blocks.push(Block::Paragraph {
            text: format!(
                "{} {} shown for reference against the same limits, but {} not in the national set: {} no part in the national rate, φ or τ², and {} no rank.",
                and_list(&outside),
                if outside.len() == 1 { "is" } else { "are" },
                if outside.len() == 1 { "is" } else { "are" },
                if outside.len() == 1 { "it plays" } else { "they play" },
                if outside.len() == 1 { "has" } else { "have" },
            ),
        });
    }
    blocks.extend(sensitivity_blocks(c, numbers));
    Ok(Section {
        id: "national".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "National comparison".into(),
        blocks: number_tables(blocks),
    })
}

/// "Cleveland (27.3%, 64,680 outcomes) is above the 95% limit but within the 99.8% limit. "
pub(super) fn focus_positions(c: &Input) -> String {
    c.focus
        .iter()
        .filter_map(|f| {
            f.flag.map(|flag| {
                format!(
                    "{} ({}, {} outcomes) is {}. ",
                    f.force,
                    percent(f.rate),
                    count(f.denominator),
                    c.position(flag)
                )
            })
        })
        .collect()
}

/// "Cleveland is ranked 3 of 43. "
pub(super) fn focus_ranks(c: &Input) -> String {
    c.focus
        .iter()
        .filter_map(|f| match (f.rank, f.of) {
            (Some(rank), Some(of)) => Some(format!("{} is ranked {rank} of {of}. ", f.force)),
            _ => None,
        })
        .collect()
}

pub(super) fn adjustment_sentence(c: &Input, phi: f64, tau2: f64, p: f64) -> Result<String> {
    let s = c.summary();
    let model = &s.funnel.overdispersion;
    let scale = &s.funnel.scale;
    let applied = s.funnel.adjustment_applied;
    let measured = format!(
        "The overdispersion factor is φ = {} (it would be close to 1 if forces differed by chance alone; overdispersion test p {}), and the between-force variance is τ² = {} on the {scale} scale.",
        significant(phi, 4),
        if p < 0.0001 { "below 0.0001".to_string() } else { format!("= {}", p_value(p)) },
        significant(tau2, 4),
    );
    let applied_text = if applied {
        format!(
            " The limits allow for it: the {model} overdispersion adjustment was applied, so large forces are judged against the typical spread between forces, not against sampling noise alone."
        )
    } else if model == "none" {
        " The overdispersion adjustment was not applied, because the analysis file asks for none: the limits allow for chance variation only, and at force-level denominators most forces can fall outside them.".to_string()
    } else if s.funnel.adjust_when == "significant" && p >= 0.05 {
        format!(
            " The {model} overdispersion adjustment was not applied, because the analysis file applies it only when the overdispersion test is significant at 5%, and it is not: the adjusted limits are the unadjusted ones."
        )
    } else {
        format!(
            " The {model} overdispersion adjustment was not applied, because the estimate gives no extra variation to allow for: the adjusted limits are the unadjusted ones."
        )
    };
    Ok(format!("{measured}{applied_text}"))
}

pub(super) fn funnel_table(c: &Input, numbers: &mut Numbers) -> TableBlock {
    let rows = ranked(c)
        .into_iter()
        .map(|r| Row {
            cells: vec![
                r.force.clone(),
                count(r.numerator),
                count(r.denominator),
                opt_percent(r.rate),
                limit_cell(r.inner),
                limit_cell(r.outer),
                c.flag_cell(Some(r.flag)),
            ],
            highlight: r.focus,
        })
        .collect();
    TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "The funnel plot's data: each force's count of {}, outcomes, rate, the adjusted limits at its number of outcomes, and its flag ({}).",
            c.outcome_phrase,
            c.scope_suffix()
        ),
        columns: vec![
            text_column("Force"),
            number_column(&capitalise(&c.outcome_phrase)),
            number_column("Outcomes"),
            number_column("Rate"),
            number_column(&format!("{} limits", c.inner_text)),
            number_column(&format!("{} limits", c.outer_text)),
            text_column("Position"),
        ],
        rows,
        note: Some(format!(
            "Forces in rank order. Limits are those after the overdispersion adjustment; rows in bold are focus forces. National rate {}.",
            percent(c.target)
        )),
    }
}

pub(super) fn caterpillar_table(c: &Input, numbers: &mut Numbers) -> TableBlock {
    let rows = ranked(c)
        .into_iter()
        .map(|r| Row {
            cells: vec![
                r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                r.force.clone(),
                opt_percent(r.rate),
                limit_cell(r.ci95),
                c.flag_cell(Some(r.flag)),
                c.flag_cell(Some(r.flag_unadjusted)),
            ],
            highlight: r.focus,
        })
        .collect();
    TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "The caterpillar plot's data: each force's rank, rate and 95% confidence interval (Wilson), with its position against the adjusted and the unadjusted limits ({}).",
            c.scope_suffix()
        ),
        columns: vec![
            number_column("Rank"),
            text_column("Force"),
            number_column("Rate"),
            number_column("95% interval"),
            text_column("Adjusted limits"),
            text_column("Unadjusted limits"),
        ],
        rows,
        note: Some("Rank 1 is the highest rate. Rows in bold are focus forces.".into()),
    }
}
