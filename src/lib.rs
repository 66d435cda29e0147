//! outcome-lens: batch analytics for police crime-outcome rates.
//!
//! The pipeline runs ingest → normalise → measure → compare → render → report;
//! `stats` is pure and is the only place a formula appears (see ARCHITECTURE.md).

pub mod cache;
pub mod cli;
pub mod compare;
pub mod config;
pub mod dates;
pub mod diff;
pub mod exit;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod measure;
pub mod normalise;
pub mod output;
pub mod paths;
pub mod record;
pub mod render;
pub mod report;
pub mod run;
pub mod run_folder;
pub mod stats;
pub mod tables;
pub mod timings;
pub mod wording;
