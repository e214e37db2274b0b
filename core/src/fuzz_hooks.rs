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

/// The dispatcher: one request on a fresh engine (twice: same bytes, same answer), then the
/// bytes as an NDJSON stream through one engine.
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
