//! XLSX workbooks: a whole workbook, or sheet XML zipped into one (see outcome_lens::fuzzing::xlsx).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::xlsx(data);
});
