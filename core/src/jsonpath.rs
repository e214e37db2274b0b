//! Where in a JSON document a serde_json error happened, as a protocol path
//! (`policies[2].covers[0]`), from the error's line and column.
//!
//! serde_json gives data errors the position at which the innermost deserializer noticed
//! them: just after a scalar value, just after an object's closing brace (a missing field),
//! just after a key (an unknown field), or at an opening bracket of the wrong type. Walking
//! the document up to that byte and keeping the stack of keys and indexes gives the path of
//! the value at fault, with no per-type code (unlike a tracking deserializer wrapper, which
//! instantiates every request type's deserializer a second time).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "byte offsets into a document held in memory (at most its length plus two, and a \
              document is shorter than isize::MAX bytes) and array indexes counted from it"
)]

enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The byte offset of serde_json's `line` (1-based) and `column` (bytes into the line).
pub fn offset_of(doc: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match doc.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column).min(doc.len())
}

/// serde's type errors say `invalid type: floating point `184.2`, …` (the number as f64
/// prints it) or, with serde_json's `arbitrary_precision`, `invalid type: number, …`: this
/// writes `invalid type: number `184.20`, …` in both cases, the number as the document has it
/// (`invalid type: number `184.2`, …`), the number being the one that ends (or starts) at
/// byte `at`.
pub fn name_the_number(doc: &str, at: usize, msg: String) -> String {
    const HEAD: &str = "invalid type: number";
    let Some(rest) = serde_number_rest(&msg) else {
        return msg;
    };
    let bytes = doc.as_bytes();
    let is_num = |b: &u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
    let at = at.min(bytes.len());
    let before = bytes.get(..at).unwrap_or_default();
    let start = before.len() - before.iter().rev().take_while(|b| is_num(b)).count();
    let (start, end) = if start < at {
        (start, at)
    } else {
        let from = at
            + bytes
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let len = bytes
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| is_num(b))
            .count();
        (from, from + len)
    };
    match doc.get(start..end) {
        Some(n) if !n.is_empty() => format!("{HEAD} `{n}`{rest}"),
        _ => format!("{HEAD}{rest}"),
    }
}

/// What follows the number in serde's type error, in either build: `invalid type: number, …`
/// (numbers kept as text, the `sync` build) or `invalid type: floating point `1.5`, …` /
/// `integer `7``, the rules-only build, which reads numbers as f64 and would print `184.2`
/// for `184.20`). Both builds then write the same message, the number as the document has it.
pub fn serde_number_rest(msg: &str) -> Option<&str> {
    if let Some(rest) = msg.strip_prefix("invalid type: number") {
        return Some(rest);
    }
    let lit = msg
        .strip_prefix("invalid type: floating point `")
        .or_else(|| msg.strip_prefix("invalid type: integer `"))?;
    lit.split_once('`').map(|(_, rest)| rest)
}

/// The path of the value being read at byte `end` of `doc`. With `key_is_value`, a position
/// just after an object key (an enum written as `{"variant": …}` whose variant is unknown)
/// names the object holding that key rather than the key.
pub fn path_at(doc: &str, end: usize, key_is_value: bool) -> String {
    let bytes = doc.as_bytes();
    let end = end.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut after_key = false;
    let mut i = 0;
    while i < end {
        let Some(&c) = bytes.get(i) else { break };
        if !c.is_ascii_whitespace() {
            after_key = false;
        }
        match c {
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            b'"' => {
                let close = string_end(bytes, i + 1);
                let Some(close) = close.filter(|c| *c < end) else {
                    break; // the position is inside this string
                };
                if let Some(Frame::Object {
                    key,
                    expecting_key: true,
                }) = stack.last_mut()
                {
                    let raw = doc.get(i..=close).unwrap_or("\"\"");
                    *key = Some(serde_json::from_str::<String>(raw).unwrap_or_default());
                    after_key = true;
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    if key_is_value && after_key {
        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// The index of the quote closing the string whose contents start at `from`.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_at_positions() {
        let doc = r#"{"a":{"b":[1,{"c":"x"}]},"d":"e"}"#;
        let at = |needle: &str| doc.find(needle).map(|i| i + needle.len()).unwrap_or(0);
        assert_eq!(path_at(doc, at(r#""x""#), false), "a.b[1].c");
        assert_eq!(path_at(doc, at(r#""x"}"#), false), "a.b[1]");
        assert_eq!(path_at(doc, at(r#"[1"#), false), "a.b[0]");
        assert_eq!(path_at(doc, at(r#""d""#), false), "d");
        assert_eq!(path_at(doc, at(r#""d""#), true), "");
        assert_eq!(path_at(doc, at(r#"{"c""#), true), "a.b[1]");
        assert_eq!(path_at(doc, doc.len(), false), "");
        // At an opening bracket: the value that holds it, not its first element.
        assert_eq!(path_at(doc, doc.find('[').unwrap_or(0), false), "a.b");
    }

    #[test]
    fn escaped_keys_and_lines() {
        let doc = "{\n\"k\\\"ey\": [\n 1,\n \"x\"]}";
        let end = offset_of(doc, 4, 4);
        assert_eq!(path_at(doc, end, false), "k\"ey[1]");
    }
}
