//! Section 3: the peer-group comparison.

use super::*;

pub(super) fn peer_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let peers = rows::peers(c.data)?;
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so no peer group is discussed here; every configured peer group is listed in the appendix.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("peers-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        let Some(group) = f.peer_group.as_deref() else {
            blocks.push(Block::Paragraph {
                text: format!("No peer group is configured for {}.", f.force),
            });
            continue;
        };
        let Some(row) = peers.iter().find(|p| p.name == group) else {
            bail!(
                "tables/peer_groups.csv has no row for {group:?}, the peer group of {}",
                f.force
            );
        };
        let (members, without) = (&row.members, &row.members_without_data);
        // The group by its label, as the charts name it.
        let group = row.label.as_str();
        let owner_phrase = row
            .owner
            .as_ref()
            .map(|owner| format!(", the group configured for {owner}"))
            .unwrap_or_default();
        blocks.push(Block::Paragraph {
            text: format!(
                "{}'s peer group is {group}{owner_phrase}: {}. Together they had a pooled rate of {} ({} of {} outcomes); the mean of the member rates, which counts each force once whatever its size and includes {} itself as the HMIC most-similar-group average does, is {}. {} itself: {}.",
                f.force,
                and_list(members),
                opt_percent(row.rate_pooled),
                count(row.numerator),
                count(row.denominator),
                f.force,
                opt_percent(row.rate_mean),
                f.force,
                percent(f.rate),
            ),
        });
        if !without.is_empty() {
            blocks.push(Block::Paragraph {
                text: format!("No data for: {}.", and_list(without)),
            });
        }
        let mut rows: Vec<&ForceRow> = members.iter().filter_map(|m| c.force_row(m)).collect();
        rows.sort_by(|a, b| {
            (a.rank.is_none(), a.rank, &a.force).cmp(&(b.rank.is_none(), b.rank, &b.force))
        });
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "The forces of {group}, placed against the national limits ({}).",
                c.scope_suffix()
            ),
            columns: vec![
                text_column("Force"),
                number_column(&capitalise(&c.outcome_phrase)),
                number_column("Outcomes"),
                number_column("Rate"),
                number_column("95% interval"),
                number_column("National rank"),
                text_column("Position (national limits)"),
            ],
            rows: rows
                .into_iter()
                .map(|r| Row {
                    cells: vec![
                        r.force.clone(),
                        count(r.numerator),
                        count(r.denominator),
                        opt_percent(r.rate),
                        limit_cell(r.ci95),
                        r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                        c.flag_cell(Some(r.flag)),
                    ],
                    highlight: r.focus,
                })
                .collect(),
            note: Some(format!(
                "Pooled peer rate {}; mean of member rates {}; national rate {}.",
                opt_percent(row.rate_pooled),
                opt_percent(row.rate_mean),
                percent(c.target)
            )),
        }));
        blocks.push(Block::Caveat {
            text: "A peer group has only a handful of forces (most similar groups have about eight). φ and τ² estimated from so few units are unstable, so this report draws no peer-only funnel: each peer is placed against the national limits, and the pooled and mean peer rates are descriptive only.".into(),
        });
    }
    Ok(Section {
        id: "peers".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.period.clone(),
        title: "Peer-group comparison".into(),
        blocks: number_tables(blocks),
    })
}
