//! ODS workbooks: a whole workbook, or content.xml zipped into one (see outcome_lens::fuzzing::ods).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    outcome_lens::fuzzing::ods(data);
});
