//! The section after the within-force breakdown (when the extract maps investigation-quality fields): why does the force stand
//! out? The record-level model's adjusted odds ratios, the areas and units compared after
//! adjustment for case mix beside the unadjusted funnels of section 6, the rates by each
//! field with how complete it is, and when victims withdrew; each with the caution that an
//! association is not a cause.

use super::*;

/// The tables this section prints, in its order; section 6 leaves them to it.
pub(super) const WHY_TABLES: [&str; 6] = [
    "extract_model",
    "extract_adjusted",
    "extract_adjusted_limits",
    "extract_by_field",
    "extract_withdrawal",
    "extract_by_officer",
];

pub(super) fn why_section(c: &Input, numbers: &mut Numbers) -> Result<Option<Section>> {
    let Some(e) = c.extract else {
        return Ok(None);
    };
    let Some(quality) = &e.quality else {
        return Ok(None);
    };
    let scope = &e.scope_label;
    let mut blocks = vec![Block::Paragraph {
        text: format!(
            "Section 6 breaks the force's use of {} down one field at a time. Here the record-level model weighs the fields together: a logistic regression of {} (against the rest of the denominator) for the {scope} on offence group, repeat victim, each investigation-quality field the extract records and area. Its odds ratios say how much more often a crime with a level was closed this way than a crime at the reference level with the same other fields.",
            c.outcome_phrase, c.outcome_phrase
        ),
    }];
    blocks.push(Block::Caveat {
        text: "These are associations, not causes. The model adjusts only for what the extract records; a field filled in more carefully in some cases than in others, or a step an officer skipped because the case already looked weak, goes with the outcome without causing it. Read a large odds ratio as a question for the case-file audit, not an answer.".into(),
    });
    if !quality.incomplete.is_empty() {
        blocks.push(Block::Caveat {
            text: format!("{}.", quality.incomplete.join(". ")),
        });
    }
    match (&quality.model_note, quality.model_crimes) {
        (Some(why), _) => blocks.push(Block::Paragraph {
            text: format!("{}.", capitalise(why.trim_end_matches('.'))),
        }),
        (None, Some(crimes)) => {
            let left_out = if quality.model_left_out.is_empty() {
                String::new()
            } else {
                format!(
                    " Left out of the model: {}.",
                    quality.model_left_out.join("; ")
                )
            };
            blocks.push(Block::Paragraph {
                text: format!(
                    "The model was fitted to {} {scope} with an outcome in the denominator.{left_out}",
                    count(crimes as f64)
                ),
            });
        }
        (None, None) => {}
    }
    let next_table = numbers.tables + 1;
    let tables = |name: &str| {
        c.data
            .tables
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, t)| t)
    };
    if let Some(table) = tables("extract_model") {
        blocks.push(c.figure(
            numbers,
            "extract-odds-ratios",
            format!(
                "Forest plot of the record-level model's adjusted odds ratios of {} with 95% intervals ({scope}, {}).",
                c.outcome_phrase, e.source
            ),
            |n| format!("Figure {n} shows each level's adjusted odds ratio against its field's reference level as a point on a log scale, with its 95% interval as a bar and a line at 1 (no difference); Table {next_table} gives the numbers. An interval that excludes 1 is a difference the sampling variation alone would rarely make."),
        ));
        blocks.extend(generic_table(c, numbers, "extract_model", table));
    }
    let levels = e
        .area_funnel
        .stats()
        .and_then(|f| levels_of(&f.levels).ok())
        .unwrap_or(c.levels);
    for (kind, noun, many, unadjusted) in [
        ("area", "area", "areas", "extract-funnel-area"),
        (
            "unit",
            "investigating unit",
            "investigating units",
            "extract-funnel-unit",
        ),
    ] {
        let Some((rows, _, k)) = rows::adjusted_funnel(c.data, kind, &levels)? else {
            continue;
        };
        let mut flagged = Vec::new();
        for flag in [
            Flag::HighOuter,
            Flag::HighInner,
            Flag::LowInner,
            Flag::LowOuter,
        ] {
            let names: Vec<String> = rows
                .iter()
                .filter(|r| r.flag == Some(flag))
                .map(|r| match r.rate {
                    Some(ratio) => format!("{} (O/E {ratio:.2})", r.name),
                    None => r.name.clone(),
                })
                .collect();
            if !names.is_empty() {
                let verb = if names.len() == 1 { "is" } else { "are" };
                flagged.push(format!(
                    "{} {verb} {}",
                    and_list(&names),
                    position_at(&levels, flag)
                ));
            }
        }
        let positions = if flagged.is_empty() {
            format!(
                "Every {noun} is {} once its case mix is allowed for.",
                position_at(&levels, Flag::Within)
            )
        } else {
            format!(
                "Once case mix is allowed for, {}; every other {noun} is within the limits.",
                flagged.join("; ")
            )
        };
        let beside = numbers
            .figure_of
            .get(unadjusted)
            .map(|n| format!(" Set it beside Figure {n}, the unadjusted funnel: an {noun} that was above the limits there and is within them here had an excess its case mix explains."))
            .unwrap_or_default();
        blocks.push(c.figure(
            numbers,
            &format!("extract-adjusted-{kind}"),
            format!(
                "Funnel plot of each {noun}'s closures with {} against the number the case-mix model expects ({scope}, {}).",
                c.outcome_phrase, e.source
            ),
            |n| {
                format!(
                    "Figure {n} shows each {noun} at the number of closures with {} the model without area expects from its crimes' offence groups, repeat victims and recorded fields (horizontal axis, E) and the ratio of those it had to those expected (vertical axis, O/E), with lines at 1 ∓ z·√(k/E), k = {} (the model's binomial variance per expected closure), for the {} {many}. {positions}{beside}",
                    c.outcome_phrase,
                    significant(k, 4),
                    rows.len()
                )
            },
        ));
    }
    for name in ["extract_adjusted", "extract_by_field", "extract_withdrawal"] {
        let Some(table) = tables(name) else {
            continue;
        };
        let next_table = numbers.tables + 1;
        let text = match name {
            "extract_adjusted" => format!("Table {next_table} gives each area's and unit's observed and expected closures, the ratio with its 95% interval and its place on the adjusted funnel; the funnel's lines along a grid of expected counts, which the charts draw, are in tables/extract_adjusted_limits.csv and not printed."),
            "extract_by_field" => format!("Table {next_table} gives the rate of {} at each level of each field, unadjusted, for the {scope} and the comparison group, with the share of crimes where the field is blank (\"not recorded\" is a level of its own, so no crime is dropped for a blank).", c.outcome_phrase),
            _ => format!("Table {next_table} gives when victims withdrew their support: the days from recording to the withdrawal and from the withdrawal to the closure (quartiles), overall and by area and unit, and the closures with no withdrawal date recorded."),
        };
        if name == "extract_withdrawal" {
            blocks.push(c.figure(
                numbers,
                "extract-withdrawal",
                format!(
                    "When victims withdrew their support: days from recording to withdrawal and from withdrawal to closure, for closures with {} ({scope}, {}).",
                    c.outcome_phrase, e.source
                ),
                |n| format!("Figure {n} shows, for the closures with {} overall, in each area and in each investigating unit, the middle half and the median of the days from the crime's recording to the victim's withdrawal and from the withdrawal to the closure, with each group's closures and the share with no withdrawal date; Table {next_table} gives the quartiles.", c.outcome_phrase),
            ));
        }
        blocks.push(Block::Paragraph { text });
        blocks.extend(generic_table(c, numbers, name, table));
    }
    if let Some(table) = tables("extract_by_officer") {
        blocks.push(Block::Paragraph {
            text: format!(
                "The rate by officer or team in charge ({} rows, one per officer and one for \"not recorded\") is not printed here: it is in tables/extract_by_officer.csv, for a supervisor to read rather than a report.",
                count(table.len() as f64)
            ),
        });
    }
    Ok(Some(Section {
        id: "why".into(),
        number: String::new(),
        scope: format!("{scope} (the force's record-level extract)"),
        period: c.extract_window(),
        title: "Why does the force stand out?".into(),
        blocks: number_tables(blocks),
    }))
}
