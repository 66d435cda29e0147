//! The one integration-test binary. Modules:
//! - `support`: the binary in a scratch folder, paths to the real data;
//! - `audit`: the reviewed audit sample read back (`outcome-lens audit`) and refused when it
//!   is not the drawn sample;
//! - `bad_input`: bad inputs made at run time (huge fields, millions of columns, truncated,
//!   zip-bomb and sparse workbooks, gzip bombs), duplicated files, mixed header families,
//!   overflowing counts, and formula-looking text through a run into CSV and Excel;
//! - `cli`: help, usage errors and the bad-input corpus (tests/bad-input);
//! - `extract`: record-level extracts: planted effects, false positives, bad extracts, sample, synth;
//! - `fuzz_regressions`: the fuzz targets' seeds and the inputs they once crashed on;
//! - `monitor`: monitoring against the action plan (`diff` on rule hits and variation, events files);
//! - `ingest`: the real 2018/19 table, the derived oracle, XLSX/ODS against CSV;
//! - `reference`: every `stats` function against R-produced reference tables;
//! - `reliability`: runs killed at seeded random points, and two runs on one output folder;
//! - `run`: the analysis run end to end (R, goldens, determinism, diff, bad files, kills);
//! - `render`: the charts (golden SVGs, PNG sizes, redraws, no system fonts);
//! - `golden`: golden-file comparison and refresh;
//! - `house`: the house rules of ARCHITECTURE.md on the source tree (import circles, `stats`
//!   alone, `render` and `report` apart from the pipeline, `std::fs` at the edges);
//! - `honest`: partial, missing and left-out data said to be so (issue #16);
//! - `report`: the HTML and Markdown report (golden, escaping, rebuild from a run folder).

mod audit;
mod bad_input;
mod cli;
mod extract;
mod fuzz_regressions;
mod golden;
mod honest;
mod house;
mod ingest;
mod monitor;
mod reference;
mod reliability;
mod render;
mod report;
mod run;
mod support;
