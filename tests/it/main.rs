//! The one integration-test binary. Modules:
//! - `support`: the binary in a scratch folder, paths to the real data;
//! - `cli`: help, usage errors and the bad-input corpus (tests/bad-input);
//! - `ingest`: the real 2018/19 table, the derived oracle, XLSX/ODS against CSV;
//! - `reference`: every `stats` function against R-produced reference tables.

mod cli;
mod ingest;
mod reference;
mod support;
