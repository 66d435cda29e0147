//! Tidy-counts tables as CSV (or gzip): the same ingest reader, seeded with tidy-counts tables.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::ingest(data);
});
