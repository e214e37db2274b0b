//! Replays the committed fuzz corpus (fuzz/corpus) and every fixed crasher
//! (fuzz/regressions) through the fuzz targets' bodies (`warranty_core::fuzz_hooks`), so a
//! crash the fuzzer once found stays fixed without cargo-fuzz or a nightly toolchain.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let r = std::panic::catch_unwind(|| run(&data));
            assert!(
                r.is_ok(),
                "{} crashes the `{target}` target",
                path.display()
            );
            n += 1;
        }
    }
    n
}

#[test]
fn the_dispatch_corpus_and_crashers_replay() {
    assert!(replay("dispatch", warranty_core::fuzz_hooks::dispatch) > 400);
}

#[test]
fn the_partner_answer_corpus_and_crashers_replay() {
    assert!(
        replay(
            "partner_answers",
            warranty_core::fuzz_hooks::partner_answers
        ) > 50
    );
}

#[test]
fn the_date_corpus_and_crashers_replay() {
    assert!(replay("dates", warranty_core::fuzz_hooks::dates) > 20);
}

#[test]
fn the_tz_record_corpus_and_crashers_replay() {
    assert!(replay("tz_record", warranty_core::fuzz_hooks::tz_record) > 10);
}

#[test]
fn a_panicking_body_is_reported_by_the_replay() {
    // What a crasher looks like to the replay: the panic is caught and seen.
    let r = std::panic::catch_unwind(|| panic!("crash"));
    assert!(r.is_err());
}
