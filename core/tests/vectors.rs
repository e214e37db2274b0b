//! The conformance vectors (`tests/vectors/`) and scenarios (`tests/scenarios/`) under
//! `cargo test`, through the core's own runner (`protocol::conformance::Case`, the one
//! `wty conformance` uses). The C and Node suites run the same files through their bindings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap or panic is the test failing"
)]

use std::path::{Path, PathBuf};

use warranty_core::protocol::conformance::Case;

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

fn run(dir: &str) -> usize {
    let files = files(dir);
    assert!(!files.is_empty(), "no vectors in {dir}");
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let case = Case::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if let Err(fail) = case.run() {
            failures.push(format!(
                "{} ({}), step {}:\n  {}\n  response: {}",
                case.name,
                f.display(),
                fail.step + 1,
                fail.mismatches.join("\n  "),
                fail.response
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    files.len()
}

#[test]
fn every_vector_conforms() {
    assert!(run("tests/vectors") > 800);
}

#[test]
fn every_scenario_conforms() {
    assert!(run("tests/scenarios") > 0);
}

#[test]
fn a_response_that_does_not_conform_is_reported_at_its_step() {
    let case = Case::parse(
        r#"{"name":"x","steps":[
            {"request":{"op":"version"},"expect":{"ok":true}},
            {"request":{"op":"nope"},"expect":{"ok":true}}]}"#,
    )
    .unwrap();
    let fail = case.run().unwrap_err();
    assert_eq!(fail.step, 1);
    assert!(fail.response.contains("UNKNOWN_OP"), "{}", fail.response);
    assert!(!fail.mismatches.is_empty());
}
