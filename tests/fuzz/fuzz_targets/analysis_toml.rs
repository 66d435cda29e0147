//! The analysis file (Config::from_toml).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::analysis_toml(data);
});
