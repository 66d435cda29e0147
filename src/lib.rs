//! outcome-lens: batch analytics for police crime-outcome rates.
//!
//! The pipeline runs ingest → normalise → measure → compare → render → report;
//! `stats` is pure and is the only place a formula appears (see ARCHITECTURE.md).

pub mod app;
pub mod cli;
pub mod exit;
pub mod ingest;
pub mod normalise;
pub mod output;
pub mod record;
pub mod stats;
