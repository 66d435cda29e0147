//! outcome-lens: batch analytics for police crime-outcome rates.
//!
//! The pipeline runs ingest → normalise → measure → compare → render → report;
//! `stats` is pure and is the only place a formula appears (see ARCHITECTURE.md).

pub mod stats;
