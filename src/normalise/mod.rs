//! Normalise: maps source headers, names and labels onto the canonical outcome table.
//!
//! Invariant: this is the only code that knows source column names and label variants;
//! later stages use the constants in `record.rs`.

pub mod forces;
pub mod headers;
pub mod offences;
pub mod outcomes;
pub mod text;
pub mod values;
