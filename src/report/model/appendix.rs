//! The appendix: every table of the run.

use super::*;

pub(super) fn appendix_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = vec![Block::Paragraph {
        text: "The tables below repeat the run's tables in full where the sections above show a selection. Every table is also in the run folder as CSV (tables/), Parquet (data/) and one workbook (tables.xlsx).".into(),
    }];
    let has_bh = c.forces.iter().any(|r| r.p_bh.is_some());
    let mut columns = vec![
        text_column("Force"),
        number_column(&capitalise(&c.outcome_phrase)),
        number_column("Outcomes"),
        number_column("Rate"),
        number_column("z"),
        number_column("Adjusted z"),
        number_column(&format!("{} limits", c.inner_text)),
        number_column(&format!("{} limits", c.outer_text)),
        text_column("Adjusted"),
        text_column("Unadjusted"),
        number_column("Rank"),
        text_column("Peer group"),
    ];
    if has_bh {
        columns.push(number_column("BH p"));
    }
    // Peer groups by their labels, as the charts name them.
    let labels: BTreeMap<String, String> = rows::peers(c.data)?
        .into_iter()
        .map(|p| (p.name, p.label))
        .collect();
    let rows = c
        .forces
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.force.clone(),
                count(r.numerator),
                count(r.denominator),
                opt_percent(r.rate),
                r.z.map(|z| fixed(z, 2)).unwrap_or_else(|| "–".into()),
                r.z_adjusted
                    .map(|z| fixed(z, 2))
                    .unwrap_or_else(|| "–".into()),
                limit_cell(r.inner),
                limit_cell(r.outer),
                c.flag_cell(Some(r.flag)),
                c.flag_cell(Some(r.flag_unadjusted)),
                r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                r.peer_group
                    .as_ref()
                    .map(|g| labels.get(g).cloned().unwrap_or_else(|| g.clone()))
                    .unwrap_or_else(|| "–".into()),
            ];
            if has_bh {
                cells.push(r.p_bh.map(p_value).unwrap_or_else(|| "–".into()));
            }
            Row {
                cells,
                highlight: r.focus,
            }
        })
        .collect();
    blocks.push(Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.appendix_table(),
        caption: format!("Force comparison in full, alphabetical (tables/force_comparison.csv; {}).", c.scope_suffix()),
        columns,
        rows,
        note: Some("z is on the scale named in the methods; the adjusted z allows for overdispersion. Limits are the adjusted limits at each force's number of outcomes; the unadjusted limits and the forces' ONS codes are in the CSV.".into()),
    }));

    let mut peer_rows = Vec::new();
    for group in rows::peers(c.data)? {
        peer_rows.push(Row {
            highlight: c
                .focus
                .iter()
                .any(|f| f.peer_group.as_deref() == Some(group.name.as_str())),
            cells: vec![
                group.label.clone(),
                group.owner.unwrap_or_else(|| "–".into()),
                and_list(&group.members),
                count(group.numerator),
                count(group.denominator),
                opt_percent(group.rate_pooled),
                opt_percent(group.rate_mean),
            ],
        });
    }
    blocks.push(Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.appendix_table(),
        caption: format!(
            "Peer groups (tables/peer_groups.csv; {}).",
            c.scope_suffix()
        ),
        columns: vec![
            text_column("Peer group"),
            text_column("For"),
            text_column("Members"),
            number_column(&capitalise(&c.outcome_phrase)),
            number_column("Outcomes"),
            number_column("Pooled rate"),
            number_column("Mean rate"),
        ],
        rows: peer_rows,
        note: None,
    }));

    let (_, _, summaries) = rows::mix(c.data)?;
    if !summaries.is_empty() {
        let mut rows = Vec::new();
        for (force, m) in summaries {
            rows.push(Row {
                cells: vec![
                    force,
                    count(m.observed),
                    opt_count(m.denominator),
                    count(m.expected),
                    fixed(m.ratio, 3),
                    format!(
                        "{} to {}",
                        fixed(m.ratio_ci95.0, 3),
                        fixed(m.ratio_ci95.1, 3)
                    ),
                    opt_signed(m.gap_vs_national),
                    opt_signed(m.explained_by_offence_mix),
                    opt_signed(m.excess),
                ],
                highlight: false,
            });
        }
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.appendix_table(),
            caption: format!("Offence-mix standardisation of each focus force (tables/offence_mix_summary.csv; {}).", c.scope_suffix()),
            columns: vec![
                text_column("Force"),
                number_column("Observed"),
                number_column("Outcomes"),
                number_column("Expected"),
                number_column("Ratio"),
                number_column("95% interval"),
                number_column("Gap vs national"),
                number_column("Offence mix"),
                number_column("Excess"),
            ],
            rows,
            note: None,
        }));
    }
    Ok(Section {
        id: "appendix".into(),
        number: "A".into(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "Appendix: tables".into(),
        blocks: number_tables(blocks),
    })
}

/// Gives every table its HTML id from its number.
pub(super) fn number_tables(mut blocks: Vec<Block>) -> Vec<Block> {
    for block in &mut blocks {
        if let Block::Table(table) = block {
            table.id = format!("table-{}", table.number.to_lowercase());
            table.caption = format!("Table {}. {}", table.number, table.caption);
        }
    }
    blocks
}
