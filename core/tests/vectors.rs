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
use warranty_core::Engine;

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

/// Every answer's exact bytes, one line per request: `{"file", "step", "response"}`. The
/// vectors check a subset of each answer; this pins the rest (key order, every message).
/// `make golden` rewrites it after an intended change.
const GOLDEN: &str = "tests/golden/answers.ndjson";

#[test]
fn every_answer_is_byte_for_byte_the_golden_one() {
    let mut lines = Vec::new();
    for dir in ["tests/vectors", "tests/scenarios"] {
        for f in files(dir) {
            let case = Case::parse(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let mut engine = Engine::new();
            for (step, (request, _, _)) in case.steps.iter().enumerate() {
                let line = serde_json::json!({
                    "file": format!("{dir}/{}", f.file_name().unwrap().to_string_lossy()),
                    "step": step,
                    "response": engine.call(request),
                });
                lines.push(line.to_string());
            }
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(GOLDEN);
    if std::env::var_os("WARRANTY_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (make golden writes it)", path.display()));
    let golden: Vec<&str> = golden.lines().collect();
    let differ: Vec<String> = lines
        .iter()
        .zip(&golden)
        .filter(|(a, b)| a != b)
        .take(5)
        .map(|(a, b)| format!("now:    {a}\ngolden: {b}"))
        .collect();
    assert!(
        differ.is_empty() && lines.len() == golden.len(),
        "{} answers, {} golden; first differences (make golden after an intended change):\n{}",
        lines.len(),
        golden.len(),
        differ.join("\n")
    );
}
