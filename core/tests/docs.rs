//! The docs stay true to the code: the README's operation table and docs/protocol.md name
//! every operation the dispatcher has, the README's `core/src` layout table names every
//! file and folder there, and docs/stacks.md's preset table and examples are what the
//! library returns.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap or index is the test failing"
)]

use std::path::Path;

use warranty_core::protocol::OPERATIONS;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

#[test]
fn every_operation_is_in_the_readme_table_and_the_protocol_doc() {
    let readme = read("README.md");
    let protocol = read("docs/protocol.md");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    for op in OPERATIONS {
        assert!(
            rows.iter().any(|r| r.contains(&format!("`{op}`"))),
            "README.md's operation table lacks `{op}`"
        );
        assert!(
            protocol.contains(&format!("`{op}`")),
            "docs/protocol.md does not mention `{op}`"
        );
    }
}

#[test]
fn the_readme_layout_table_names_everything_in_core_src() {
    let readme = read("README.md");
    let start = readme.find("Inside the core (`core/src/`)").unwrap();
    let table: String = readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let shown = if entry.file_type().unwrap().is_dir() {
            format!("`{name}/`")
        } else {
            format!("`{name}`")
        };
        if !table.contains(&shown) {
            missing.push(shown);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "README's core/src table lacks {missing:?}"
    );
}

/// docs/stacks.md's preset table, as the built-in rows render it (one line per row).
fn preset_table() -> Vec<String> {
    use warranty_core::warranty::stack::presets::{builtin, rule_name};
    let dash = || "—".to_string();
    builtin()
        .iter()
        .map(|r| {
            format!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.jurisdiction,
                rule_name(r.rule),
                r.duration.map_or_else(dash, |d| d.to_string()),
                r.max_repairs.map_or_else(dash, |m| m.to_string()),
                r.condition.map_or_else(dash, |c| c.name().to_string()),
                r.from.0.format("%Y-%m-%d"),
                r.reference
            )
        })
        .collect()
}

#[test]
fn the_stacks_doc_preset_table_is_the_built_in_table() {
    use warranty_core::warranty::stack::PRESETS_VERSION;
    let doc = read("docs/stacks.md");
    let intro = format!("The built-in table, version `{PRESETS_VERSION}`");
    let start = doc
        .find(&intro)
        .unwrap_or_else(|| panic!("docs/stacks.md lacks \"{intro}\""));
    let documented: Vec<&str> = doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and rule
        .collect();
    let expected = preset_table();
    assert_eq!(
        documented,
        expected,
        "docs/stacks.md's preset table differs from `statutory_presets`; the table is:\n{}",
        expected.join("\n")
    );
}

/// The JSON block after `marker` in `doc`.
fn block_after(doc: &str, marker: &str) -> serde_json::Value {
    let at = doc
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in the doc"));
    let rest = &doc[at..];
    let open = rest.find("```json\n").unwrap() + "```json\n".len();
    let close = rest[open..].find("```").unwrap() + open;
    serde_json::from_str(&rest[open..close])
        .unwrap_or_else(|e| panic!("the block after `{marker}` is not JSON: {e}"))
}

/// The library's whole answer to `request` is `expected`, as docs/stacks.md shows it.
fn answers_as_shown(request: &serde_json::Value, expected: &serde_json::Value, what: &str) {
    let answer: serde_json::Value =
        serde_json::from_str(&warranty_core::protocol::call(&request.to_string())).unwrap();
    assert_eq!(
        &answer,
        expected,
        "docs/stacks.md's {what} is not what the library answers:\n{}",
        serde_json::to_string_pretty(&answer).unwrap()
    );
}

#[test]
fn the_stacks_doc_worked_example_is_what_the_library_answers() {
    let doc = read("docs/stacks.md");
    let request = block_after(&doc, "<!-- worked example: request -->");
    let expected = block_after(&doc, "<!-- worked example: answer -->");
    answers_as_shown(&request, &expected, "worked example");
}

#[test]
fn the_expiring_doc_example_is_what_the_library_answers() {
    let doc = read("docs/stacks.md");
    let mut request = block_after(&doc, "<!-- expiring example: request -->");
    let item = block_after(&doc, "<!-- worked example: request -->")["item"].clone();
    request["items"] = serde_json::json!([item]);
    let expected = block_after(&doc, "<!-- expiring example: answer -->");
    answers_as_shown(&request, &expected, "expiring example");
}
