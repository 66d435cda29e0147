//! Home Office outcomes tables as CSV (or gzip): the ingest reader on one input in memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::ingest(data);
});
