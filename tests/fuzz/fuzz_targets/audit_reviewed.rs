//! A reviewed audit sample read back against the sample drawn from the bundled extract.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::audit_reviewed(data);
});
