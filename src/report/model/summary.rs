//! Section 1: the summary, in words first (what is compared, the notices, each focus force).

use super::*;

pub(super) fn proxy_note(c: &Input) -> String {
    format!(
        "{}. This scope is a proxy: it selects violence offence codes under which much domestic abuse is recorded, \
         but the Home Office tables carry no domestic-abuse flag, so what share of each code is domestic abuse cannot be known from them. \
         Read every figure here as a figure for these offence codes, not for domestic abuse.",
        c.scope_label
    )
}

pub(super) fn summary_section(c: &Input) -> Section {
    let mut blocks = Vec::new();
    blocks.push(Block::Paragraph {
        text: format!(
            "This report compares police forces' use of {} (\"{}\") in {} ({}). Each rate is the share of a force's outcomes that were {}; the outcomes counted (the denominator) are {}. \
             Forces are compared with the national rate of {} ({}) using funnel limits at {} and {}.",
            c.outcome_phrase,
            c.outcome_descriptions.join("\"; \""),
            c.period,
            c.scope_label,
            c.outcome_phrase,
            c.denominator_phrase,
            percent(c.target),
            target_phrase(c),
            c.inner_text,
            c.outer_text,
        ),
    });
    if !c.notices.is_empty() {
        blocks.push(Block::Caveat {
            text: format!(
                "Read the figures below with {}: the data they rest on are not whole.",
                if c.notices.len() == 1 {
                    "this in mind"
                } else {
                    "these in mind"
                }
            ),
        });
        blocks.push(Block::Bullets {
            items: c.notices.clone(),
        });
    }
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so this report describes the national comparison only.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("summary-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        blocks.push(Block::Bullets {
            items: focus_summary(c, f),
        });
    }
    blocks.push(Block::Caveat {
        text: format!(
            "A force outside the limits is a prompt to look, not a verdict. The flags describe where a rate sits against limits drawn on the assumption that every force shares the national rate; \
             they say nothing about why it sits there (recording practice, the crimes a force faces, its population), and a high rate of {} is not in itself a judgement on a force.",
            c.outcome_phrase
        ),
    });
    Section {
        id: "summary".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "Summary".into(),
        blocks,
    }
}

pub(super) fn target_phrase(c: &Input) -> String {
    match c.target_kind.as_str() {
        "pooled" => format!("the pooled rate of {}", c.national_set),
        _ => "a fixed target set in the analysis file".to_string(),
    }
}

/// The plain-words bullets for one focus force.
pub(super) fn focus_summary(c: &Input, f: &Focus) -> Vec<String> {
    let mut items = Vec::new();
    // The group by its label, as the charts name it.
    let label = f.peer_group.as_ref().map(|group| {
        rows::peers(c.data)
            .ok()
            .and_then(|peers| peers.into_iter().find(|p| &p.name == group))
            .map_or_else(|| crate::wording::peer_label(group), |p| p.label)
    });
    let peer = match (&label, f.peer_rate_pooled, f.peer_rate_mean) {
        (Some(group), Some(pooled), Some(mean)) => format!(
            "; its peer group ({group}) had a pooled rate of {} and a mean of member rates of {}",
            percent(pooled),
            percent(mean)
        ),
        _ => "; it has no peer group".to_string(),
    };
    items.push(format!(
        "Rate: {} of {}'s outcomes in {} were {} ({} of {}; 95% interval {}), against a national rate of {}{}.",
        percent(f.rate),
        f.force,
        c.period,
        c.outcome_phrase,
        count(f.numerator),
        count(f.denominator),
        percent_range(f.ci.0, f.ci.1),
        percent(c.target),
        peer,
    ));
    if !f.periods_missing.is_empty() {
        let held = c
            .periods_compared
            .len()
            .saturating_sub(f.periods_missing.len());
        items.push(format!(
            "Partial: {} holds counts for {held} of the {} periods the national set holds (none for {}), so its rate is over those {held} against the others' {}.",
            f.force,
            c.periods_compared.len(),
            f.periods_missing.join(", "),
            c.periods_compared.len()
        ));
    }
    if let Some(flag) = f.flag {
        let mut text = format!(
            "Position: after the overdispersion adjustment, {} is {}.",
            f.force,
            c.position(flag)
        );
        match f.flag_unadjusted {
            Some(unadjusted) if unadjusted != flag => text.push_str(&format!(
                " Without the adjustment it would be {}.",
                c.position(unadjusted)
            )),
            Some(_) => text.push_str(" Without the adjustment its position is the same."),
            None => {}
        }
        items.push(text);
    }
    items.push(match (f.rank, f.of) {
        (Some(1), Some(of)) => format!("Rank: the highest rate of the {of} forces in the national set (rank 1 of {of})."),
        (Some(rank), Some(of)) if rank == of => {
            format!("Rank: the lowest rate of the {of} forces in the national set (rank {rank} of {of}).")
        }
        (Some(rank), Some(of)) => format!(
            "Rank: the {} highest rate of the {of} forces in the national set (rank {rank} of {of}).",
            ordinal(rank)
        ),
        _ => format!("Rank: {} is not in the national set, so it has no rank.", f.force),
    });
    if let Some(t) = &f.trend {
        items.push(format!("Trend: {}", trend_sentence(c, &f.force, t)));
    }
    if let (Some(excess), Some(expected)) = (f.excess, f.expected) {
        let ratio = match (f.ratio, f.ratio_ci) {
            (Some(r), Some((lo, hi))) => format!(
                "; standardised ratio {}, 95% interval {} to {}",
                fixed(r, 2),
                fixed(lo, 2),
                fixed(hi, 2)
            ),
            _ => String::new(),
        };
        items.push(format!(
            "Excess: {} closed {} with {} than the national rates for its offence mix predict ({} observed against {} expected{ratio}).",
            f.force,
            more_or_fewer(excess),
            c.outcome_phrase,
            count(f.numerator),
            count(expected),
        ));
    }
    if let Some(text) = sensitivity_sentence(c, &f.force) {
        items.push(format!("Sensitivity: {text}"));
    }
    items
}

/// "5,422 more crimes" or "166 fewer crimes".
pub(super) fn more_or_fewer(x: f64) -> String {
    if x < 0.0 {
        format!("{} fewer crimes", count(-x))
    } else {
        format!("{} more crimes", count(x))
    }
}

/// Is reliance falling? The first and last quarter, and what the SPC rules say.
pub(super) fn trend_sentence(c: &Input, force: &str, t: &TrendSummary) -> String {
    let change = match t.direction.as_str() {
        "falling" => format!(
            "{force}'s rate was lower in {} ({}) than in {} ({}).",
            t.last_period,
            percent(t.last_rate),
            t.first_period,
            percent(t.first_rate)
        ),
        "rising" => format!(
            "{force}'s rate was higher in {} ({}) than in {} ({}): on this measure its reliance on {} is not falling.",
            t.last_period,
            percent(t.last_rate),
            t.first_period,
            percent(t.first_rate),
            c.outcome_phrase
        ),
        _ => format!(
            "{force}'s rate was the same in {} as in {} ({}).",
            t.last_period,
            t.first_period,
            percent(t.last_rate)
        ),
    };
    let signals = if t.rule_hits.is_empty() {
        " No SPC rule marks a signal, so the change is within the quarter-to-quarter variation the control chart expects.".to_string()
    } else {
        format!(" SPC rules mark a signal in {}.", and_list(&t.rule_hits))
    };
    let (shift, trend) = (c.summary().spc.shift_length, c.summary().spc.trend_length);
    let short = if t.periods < shift.min(trend) {
        format!(
            " With {} quarters the shift and trend rules ({}) cannot be met; a longer series is needed to show a sustained change.",
            t.periods,
            rule_points(shift, trend)
        )
    } else {
        String::new()
    };
    format!("{change}{signals}{short}")
}

/// "7 points each" or "7 and 5 points".
pub(super) fn rule_points(shift: u64, trend: u64) -> String {
    if shift == trend {
        format!("{shift} points each")
    } else {
        format!("{shift} and {trend} points")
    }
}
