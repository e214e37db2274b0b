#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| warranty_core::fuzz_hooks::partner_answers(data));
