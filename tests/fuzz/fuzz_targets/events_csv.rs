//! An events file (`[monitor] events_file`), read and each event checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::events_csv(data);
});
