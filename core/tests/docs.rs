//! The docs stay true to the code: the README's operation table and docs/protocol.md name
//! every operation the dispatcher has, and the README's `core/src` layout table names every
//! file and folder there.
#![allow(
    clippy::unwrap_used,
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
