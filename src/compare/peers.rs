//! Peer groups: each group's pooled rate and the unweighted mean of its members' rates.
//!
//! Invariant: the mean includes every member with data, the compared force too, as HMIC's
//! most-similar-group average does (METHODS.md §7); members without data are listed, not
//! silently dropped.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::compare::{Counts, ForceRow};
use crate::config::Config;

/// One peer group's rates.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerRow {
    /// The group's name.
    pub group: String,
    /// Its label for people.
    pub label: String,
    /// The force the group is for, if any.
    pub owner: Option<String>,
    /// Members with data in the period and scope.
    pub members: Vec<String>,
    /// Members named by the group but absent from the inputs.
    pub members_without_data: Vec<String>,
    /// Σ numerator over members.
    pub numerator: u64,
    /// Σ denominator over members.
    pub denominator: u64,
    /// ΣO/Σn.
    pub rate_pooled: f64,
    /// Mean of member rates.
    pub rate_mean: f64,
}

/// Rates of every configured peer group that has at least one member with data.
pub fn peer_rows(
    by_unit: &BTreeMap<&str, Counts>,
    config: &Config,
    tidy: bool,
) -> Result<Vec<PeerRow>> {
    if tidy {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for group in &config.peer_groups {
        let mut members = Vec::new();
        let mut without = Vec::new();
        let (mut xs, mut ns) = (Vec::new(), Vec::new());
        for member in &group.members {
            match by_unit.get(member.as_str()) {
                Some(counts) if counts.denominator > 0 => {
                    let (x, n) = counts.unsigned(member)?;
                    xs.push(x);
                    ns.push(n);
                    members.push(member.clone());
                }
                _ => without.push(member.clone()),
            }
        }
        if members.is_empty() {
            continue;
        }
        let (rate_pooled, rate_mean) = crate::stats::proportion::pooled_and_mean_rates(&xs, &ns)?;
        let (numerator, denominator) = (xs.iter().sum(), ns.iter().sum());
        rows.push(PeerRow {
            group: group.name.clone(),
            label: group.label.clone(),
            owner: group.owner.clone(),
            rate_pooled,
            rate_mean,
            members,
            members_without_data: without,
            numerator,
            denominator,
        });
    }
    Ok(rows)
}

/// Fills each force row's peer-group columns.
pub fn attach(mut forces: Vec<ForceRow>, peers: &[PeerRow], config: &Config) -> Vec<ForceRow> {
    for row in &mut forces {
        let Some(group) = config.peer_group_of(&row.force) else {
            continue;
        };
        if let Some(peer) = peers.iter().find(|p| p.group == group.name) {
            row.peer_group = Some(peer.group.clone());
            row.peer_rate_pooled = Some(peer.rate_pooled);
            row.peer_rate_mean = Some(peer.rate_mean);
        }
    }
    forces
}
