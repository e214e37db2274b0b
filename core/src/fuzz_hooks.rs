//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), here so that the committed corpus
//! and every crasher found are replayed by `cargo test` (`core/tests/fuzz_replay.rs`) through
//! exactly the code the fuzzer runs. Each function panics only on a broken invariant: an
//! answer that is not a well-formed envelope, or two answers to the same bytes that differ.
#![allow(clippy::panic, reason = "a broken invariant must crash the fuzzer")]

use crate::time::{Calendar, Instant};
use crate::Engine;

fn check_envelope(answer: &str) {
    let v: serde_json::Value = match serde_json::from_str(answer) {
        Ok(v) => v,
        Err(e) => panic!("the answer is not JSON ({e}): {answer}"),
    };
    match v.get("ok") {
        Some(serde_json::Value::Bool(true)) if v.get("result").is_some() => {}
        Some(serde_json::Value::Bool(false)) => {
            let e = v.get("error");
            let fields = ["code", "path", "message"];
            if !fields
                .iter()
                .all(|f| e.and_then(|e| e.get(f)).is_some_and(|x| x.is_string()))
            {
                panic!("an error without code, path and message: {answer}");
            }
        }
        _ => panic!("not an envelope: {answer}"),
    }
}

/// Decimal texts at and just past the edges of `rust_decimal` (±(2⁹⁶−1), 28 places).
pub const EXTREME_DECIMALS: &[&str] = &[
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7922816251426433759354395033.5",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "-0.0000000000000000000000000001",
    "1e28",
    "99999999999999999999999999999999999999",
    "0",
    "-0",
    "4294967295",
    "18446744073709551615",
];

/// JSON numbers at the edges of every numeric type the library reads.
pub const EXTREME_NUMBERS: &[&str] = &[
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "1e28",
    "1e-400",
    "1e400",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "1.7976931348623157e308",
    "-0",
];

/// Dates and instants at the calendar's edges (years 1 and 9999, offsets ±23:59).
pub const EXTREME_DATES: &[&str] = &["0001-01-01", "9999-12-31", "0000-12-31", "10000-01-01"];
/// Instants at the calendar's edges.
pub const EXTREME_INSTANTS: &[&str] = &[
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59+14:00[Pacific/Kiritimati]",
    "0001-01-01T00:00:00+00:00[America/St_Johns]",
];

/// Structure-aware hostile values: walks `v` and replaces leaves with extreme ones of the
/// same shape (a decimal string by an extreme decimal string, a date by an extreme date, an
/// instant by an extreme instant, a number by an extreme number) and, in one request of
/// eight, grows one array by repeating its elements (to 4–64 elements, or `max_array` once
/// in sixteen), so that the request still reads and its values reach the arithmetic (a sum
/// of many extreme amounts). `pick(n)` draws a choice below `n` (the caller's PRNG or the
/// fuzzer's bytes). Used by the hostile-input generator and the `dispatch` fuzz target.
pub fn extreme(v: &mut serde_json::Value, pick: &mut dyn FnMut(usize) -> usize, max_array: usize) {
    let mut grow = pick(8) == 0;
    extreme_in(v, pick, max_array, &mut grow);
}

fn extreme_in(
    v: &mut serde_json::Value,
    pick: &mut dyn FnMut(usize) -> usize,
    max_array: usize,
    grow: &mut bool,
) {
    use serde_json::Value;
    fn choose(list: &[&str], pick: &mut dyn FnMut(usize) -> usize) -> String {
        list.get(pick(list.len()))
            .copied()
            .unwrap_or_default()
            .to_string()
    }
    let decimal = |s: &str| {
        let t = s.strip_prefix('-').unwrap_or(s);
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.bytes().any(|b| b.is_ascii_digit())
    };
    let dated = |s: &str| {
        s.len() >= 10
            && s.as_bytes().get(4) == Some(&b'-')
            && s.bytes().take(4).all(|b| b.is_ascii_digit())
    };
    match v {
        Value::Object(m) => m
            .values_mut()
            .for_each(|c| extreme_in(c, pick, max_array, grow)),
        Value::Array(a) => {
            a.iter_mut()
                .for_each(|c| extreme_in(c, pick, max_array, grow));
            if *grow && !a.is_empty() && pick(2) == 0 {
                *grow = false;
                let want = match pick(16) {
                    0 => max_array,
                    k => (4usize << k.rem_euclid(5)).min(max_array),
                };
                let mut i = 0;
                while a.len() < want {
                    let c = a.get(i).cloned().unwrap_or(Value::Null);
                    a.push(c);
                    i = i.saturating_add(1);
                }
            }
        }
        Value::String(s) if pick(3) == 0 => {
            if decimal(s) {
                *s = choose(EXTREME_DECIMALS, pick);
            } else if dated(s) && s.len() == 10 {
                *s = choose(EXTREME_DATES, pick);
            } else if dated(s) {
                *s = choose(EXTREME_INSTANTS, pick);
            }
        }
        Value::Number(_) if pick(3) == 0 => {
            if let Ok(n) = choose(EXTREME_NUMBERS, pick).parse::<serde_json::Number>() {
                *v = Value::Number(n);
            }
        }
        _ => {}
    }
}

/// The dispatcher: one request on a fresh engine (twice: same bytes, same answer), then the
/// bytes as an NDJSON stream through one engine, then (when the bytes are a JSON request)
/// the same request with extreme values ([`extreme`], choices drawn from a hash of the bytes).
pub fn dispatch(data: &[u8]) {
    let a = crate::call_bytes(data);
    check_envelope(&a);
    if a != crate::call_bytes(data) {
        panic!("two answers to the same request");
    }
    let mut out = Vec::new();
    let (answered, _) = Engine::new().call_ndjson(data, &mut out);
    let text = String::from_utf8(out).unwrap_or_else(|_| panic!("an NDJSON answer is not UTF-8"));
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() != answered {
        panic!("{answered} requests answered in {} lines", lines.len());
    }
    lines.into_iter().for_each(check_envelope);
    if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(data) {
        // FNV-1a of the bytes seeds an xorshift: the same bytes, the same extreme request.
        let mut state = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        }) | 1;
        let mut pick = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state)
                .unwrap_or(0)
                .checked_rem(n)
                .unwrap_or(0)
        };
        extreme(&mut v, &mut pick, 2_000);
        check_envelope(&crate::call(&v.to_string()));
    }
}

/// The partner answer readers: CNH Create Claim, Defect/Failure lookup, attachment upload,
/// Smart Alert, EZ Labor, PIP and invoice reports (and the invoice lines reconciled),
/// Warranty Life errors and plans, CRM.COM
/// policy lists, the outbox's message reader. The first two bytes are the HTTP status.
pub fn partner_answers(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return;
    };
    let at = Instant::from_unix_millis(1_764_000_000_000).unwrap_or_else(|| panic!("instant"));
    let _ = crate::partners::cnh::read_create_claim_response(status, body, at);
    let _ = crate::partners::warranty_life::read_error(status, body);
    let _ = crate::sync::outbox::partner_message(body, status);
    let _ = crate::partners::cnh::read_defect_failure_answer(body);
    let _ = crate::partners::cnh::documents::read_upload_answer(status, body);
    let _ = crate::partners::cnh::smart_alert::read_smart_alert_answer(body, at);
    let _ = crate::partners::cnh::pre_submission::read_ez_labor_answer(body);
    let _ = crate::partners::cnh::pre_submission::read_pip_answer(body);
    if let Ok(report) = crate::partners::cnh::invoice::read_invoice_answer(body) {
        // Every line an answer yields reconciles (or is refused) without a panic.
        let _ = crate::partners::cnh::invoice::reconcile(&[], &report.lines);
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let _ = crate::partners::warranty_life::plan_from_response(&v, "plan");
        let _ = crate::partners::crm_com::import(&v, "response", Calendar::Fixed(at.offset()));
    }
}

/// The date readers: HTTP dates (Retry-After), CRM.COM dates in a zone and at a fixed
/// offset, protocol instants.
pub fn dates(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::sync::http_date::parse_ms(s, 1_764_000_000_000);
    let at = Instant::from_unix_millis(0).unwrap_or_else(|| panic!("instant"));
    let _ = crate::partners::crm_com::parse_crm_date(s, Calendar::Fixed(at.offset()));
    if let Ok(z) = "Europe/Nicosia".parse::<crate::Zone>() {
        let _ = crate::partners::crm_com::parse_crm_date(s, Calendar::Zone(z.0));
    }
    let _ = Instant::parse(s);
}

/// The packed time-zone record decoder (`core/src/tz`).
pub fn tz_record(data: &[u8]) {
    let _ = crate::time::tz::decode_record(data);
}
