//! Record-level extracts (CSV or gzip) with the sample analysis file's column mapping.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::extract(data);
});
