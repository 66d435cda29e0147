//! Section 5: the offence mix and the excess.

use super::*;

pub(super) fn mix_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let (by_code, mix, summaries) = rows::mix(c.data)?;
    let stratum_word = if by_code {
        "offence code"
    } else {
        "offence group"
    };
    blocks.push(Block::Paragraph {
        text: format!(
            "Rates of {} differ greatly between offences, so a force that records more of a high-rate offence has a higher overall rate for that reason alone. \
             Indirect standardisation by {stratum_word} asks how many closures a force would have had if each of its {stratum_word}s had the national rate for that {stratum_word}. \
             The gap between a force's count and what the plain national rate predicts splits exactly into the part explained by its offence mix and the excess that the mix does not explain.",
            c.outcome_phrase
        ),
    });
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so no force is standardised.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("mix-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        let Some(summary) = summaries.get(&f.force) else {
            blocks.push(Block::Paragraph {
                text: if c.tidy {
                    format!("The inputs are tidy counts without offence detail, so {}'s rate cannot be standardised for offence mix.", f.force)
                } else {
                    format!("The run has no offence-mix standardisation for {}.", f.force)
                },
            });
            continue;
        };
        let observed = summary.observed;
        let expected = summary.expected;
        let gap = summary.gap_vs_national.unwrap_or(f64::NAN);
        let explained = summary.explained_by_offence_mix.unwrap_or(f64::NAN);
        let excess = summary.excess.unwrap_or(f64::NAN);
        let ratio = summary.ratio;
        let ratio_ci = summary.ratio_ci95;
        let method = match summary.interval_method.as_str() {
            "byar" => "Byar's approximation",
            "exact" => "the exact Poisson interval",
            other => other,
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "At the national rate for each {stratum_word}, {}'s offences would have given {} closures with {}; it had {}. The standardised ratio (observed ÷ expected) is {} (95% interval {} to {}, {method}); 1 would mean exactly as expected for its offence mix.",
                f.force,
                count(expected),
                c.outcome_phrase,
                count(observed),
                fixed(ratio, 2),
                fixed(ratio_ci.0, 2),
                fixed(ratio_ci.1, 2),
            ),
        });
        let explained_text = if explained < 0.0 {
            format!(
                "its offence mix accounts for {} closures: at national rates its mix of offences would give fewer closures than the all-offence national rate predicts, so the mix explains none of the gap",
                signed_count(explained)
            )
        } else {
            format!(
                "its offence mix explains {} closures",
                signed_count(explained)
            )
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "Against the plain national rate of {}, {}'s gap is {} closures. Of that gap, {explained_text}, and {} closures are not explained by offence mix (the excess).",
                percent(c.target),
                f.force,
                signed_count(gap),
                signed_count(excess),
            ),
        });
        // Largest contribution to the excess first: which offences drive the rate.
        let mut strata: Vec<&MixRow> = mix
            .get(&f.force)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let key = |r: &MixRow| r.excess_not_explained.unwrap_or(f64::NEG_INFINITY);
        strata.sort_by(|a, b| key(b).total_cmp(&key(a)));
        let drivers: Vec<String> = strata
            .iter()
            .filter(|r| key(r) > 0.0)
            .take(3)
            .map(|r| format!("{} ({})", r.label, signed_count(key(r))))
            .collect();
        if !drivers.is_empty() {
            blocks.push(Block::Paragraph {
                text: format!(
                    "The {stratum_word}s that add most to the excess are {}.",
                    and_list(&drivers)
                ),
            });
        }
        let table_number = numbers.tables + 1;
        blocks.push(c.figure(
            numbers,
            &format!("offence-mix-{}", slug(&f.force)),
            format!("{}'s rate of {} by {stratum_word} against the national rate for each ({}).", f.force, c.outcome_phrase, c.scope_suffix()),
            |n| format!(
                "Figure {n} shows, for each {stratum_word}, {}'s rate beside the national rate for that {stratum_word}, and its standardised ratio (observed ÷ expected) with its 95% interval against 1. Table {table_number} gives the numbers.",
                f.force
            ),
        ));
        let mut table_rows = Vec::new();
        for r in strata {
            table_rows.push(Row {
                cells: vec![
                    r.label.clone(),
                    count(r.numerator),
                    count(r.denominator),
                    opt_percent(r.rate),
                    opt_percent(r.national_rate),
                    opt_count(r.expected),
                    opt_signed(r.excess_offence_mix),
                    opt_signed(r.excess_not_explained),
                ],
                highlight: false,
            });
        }
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!("{}'s offence mix: each {stratum_word}'s count, rate, national rate, expected count and its part of the gap ({}).", f.force, c.scope_suffix()),
            columns: vec![
                text_column(&capitalise(stratum_word)),
                number_column(&capitalise(&c.outcome_phrase)),
                number_column("Outcomes"),
                number_column("Rate"),
                number_column("National rate"),
                number_column("Expected"),
                number_column("Offence mix"),
                number_column("Not explained"),
            ],
            rows: table_rows,
            note: Some(format!(
                "Ordered by the closures not explained by offence mix, largest first. Totals: expected {}, offence mix {}, not explained {}.",
                count(expected),
                signed_count(explained),
                signed_count(excess)
            )),
        }));
    }
    blocks.push(Block::Caveat {
        text: format!(
            "The split depends on the strata chosen (here, {stratum_word}s) and needs them to be defined the same way for every force. The national rates include each force itself, which matters most for the largest forces. {}s with very few outcomes add noise rather than information.",
            capitalise(stratum_word)
        ),
    });
    Ok(Section {
        id: "offence-mix".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "Offence mix".into(),
        blocks: number_tables(blocks),
    })
}
