//! Property tests of the claims issue: validation is total and deterministic on hostile
//! claims; a claim built to satisfy every rule is accepted; blanking any one required field
//! gives exactly that field's finding; no POS invoice is never `accept`; sales staff can never
//! approve; an audit chain verifies and any changed byte breaks it at that entry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use proptest::prelude::*;
use serde_json::json;
use warranty_core::claims::audit::{
    verify_audit, verify_audit_keyed, AuditEntry, AuditKey, StoredEntry, AUDIT_KEY_MIN_BYTES,
};
use warranty_core::claims::lifecycle::{transition, Action, Actor, Role, Transition};
use warranty_core::claims::{validate_claim, Claim, ClaimContext, Line, Rules, ValidationOutcome};
use warranty_core::testing::claims::*;
use warranty_core::{call, Calendar, Instant};

fn cfg(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn validate(v: &ValidClaim, claim: &Claim) -> warranty_core::ValidationReport {
    let rules = Rules::default();
    validate_claim(
        claim,
        &ClaimContext {
            as_of: v.as_of,
            calendar: Calendar::Fixed(v.as_of.offset()),
            rules: &rules,
            known_claims: &v.known,
        },
    )
    .expect("a generated claim validates")
}

fn codes(r: &warranty_core::ValidationReport) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| (f.code.to_string(), f.path.clone()))
        .collect()
}

proptest! {
    #![proptest_config(cfg(1000))]

    #[test]
    fn a_claim_satisfying_every_rule_is_accepted(v in arb_valid_claim()) {
        let r = validate(&v, &v.claim);
        prop_assert_eq!(r.outcome, ValidationOutcome::Accept, "findings: {:?}", codes(&r));
        // The same through the dispatcher, as JSON.
        let req = json!({"op": "validate_claim", "claim": v.claim, "as_of": v.as_of.to_string(),
                         "known_claims": v.known});
        let resp: serde_json::Value = serde_json::from_str(&call(&req.to_string())).unwrap();
        prop_assert_eq!(&resp["result"]["outcome"], "accept", "{}", resp);
    }

    #[test]
    fn blanking_one_required_field_gives_exactly_its_finding(v in arb_valid_claim(), pick in any::<prop::sample::Index>()) {
        let blankers = required_field_blankers(&v.claim);
        let (path, blank) = &blankers[pick.index(blankers.len())];
        let mut c = v.claim.clone();
        blank(&mut c, line_index(path));
        let r = validate(&v, &c);
        prop_assert_eq!(codes(&r), vec![("REQUIRED_FIELD_MISSING".to_string(), path.clone())]);
        prop_assert_eq!(r.outcome, ValidationOutcome::Reject);
    }

    #[test]
    fn no_pos_invoice_is_never_accepted(v in arb_valid_claim(), hostile in arb_hostile_claim(), use_valid in any::<bool>()) {
        let mut c = if use_valid { v.claim.clone() } else { hostile };
        c.evidence.retain(|e| e.kind != "pos_invoice");
        let r = validate(&v, &c);
        prop_assert_ne!(r.outcome, ValidationOutcome::Accept);
        prop_assert!(r.findings.iter().any(|f| f.code == "POS_INVOICE_MISSING"));
    }

    #[test]
    fn sales_staff_can_never_approve(state in arb_claim_state(), reason in ".{0,20}") {
        let actor = Actor { id: "s1".into(), role: Role::SalesStaff };
        let t = Transition {
            state: &state, action: Action::Approve, actor: &actor,
            at: Instant::parse("2026-11-21T09:00:00+01:00").unwrap(), reason: &reason, prev_hash: None,
        };
        prop_assert!(transition(&t).is_err());
    }
}

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn validation_is_total_and_deterministic_on_hostile_claims(c in arb_hostile_claim(), as_of in warranty_core::testing::arb_instant()) {
        let req = json!({"op": "validate_claim", "claim": c, "as_of": as_of.to_string()}).to_string();
        let a = call(&req);
        let b = call(&req);
        prop_assert_eq!(&a, &b);
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        // Hostile content is findings, not a refusal: only the embedded policy may be refused.
        if v["ok"] == false {
            let path = v["error"]["path"].as_str().unwrap_or("");
            prop_assert!(path.starts_with("claim.policy") || path.starts_with("claim.warranty"), "{}", a);
        }
    }

    #[test]
    fn audit_chain_verifies_and_any_changed_byte_breaks_that_entry(
        chain in arb_audit_chain(), pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(),
        replacement in 0x20u8..0x7f,
    ) {
        let lines: Vec<String> = chain.iter().map(|e| e.canonical()).collect();
        let stored: Vec<StoredEntry> = lines.iter().cloned().map(StoredEntry::Line).collect();
        let ok = verify_audit(&stored);
        prop_assert!(ok.valid, "{:?}", ok);
        let objects: Vec<StoredEntry> = chain.iter().map(|e| StoredEntry::Value(serde_json::to_value(e).unwrap())).collect();
        prop_assert!(verify_audit(&objects).valid);
        if lines.is_empty() {
            return Ok(());
        }
        let k = pick.index(lines.len());
        let mut bytes = lines[k].clone().into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != replacement && bytes[i].is_ascii());
        bytes[i] = replacement;
        let Ok(changed) = String::from_utf8(bytes) else { return Ok(()) };
        let mut tampered: Vec<StoredEntry> = lines.iter().cloned().map(StoredEntry::Line).collect();
        tampered[k] = StoredEntry::Line(changed);
        let v = verify_audit(&tampered);
        prop_assert!(!v.valid);
        prop_assert_eq!(v.first_broken, Some(k), "{:?}", v);
    }

    /// The insider: rewrites one entry's content and recomputes every hash from there on, so
    /// the plain chain verifies again; the keyed chain names the edited entry.
    #[test]
    fn keyed_audit_catches_an_edit_with_recomputed_hashes(
        chain in arb_audit_chain(), pick in any::<prop::sample::Index>(),
        secret in prop::collection::vec(any::<u8>(), AUDIT_KEY_MIN_BYTES..64),
        new_reason in "[a-z ]{1,10}",
    ) {
        let key = AuditKey::new("k1", secret.clone()).unwrap();
        // Key the chain as transition_claim with `audit_key` does: each entry chains on the
        // keyed hash of the one before.
        let mut keyed: Vec<AuditEntry> = Vec::new();
        for e in &chain {
            let mut e = e.clone();
            e.prev_hash = keyed.last().map(|p| p.hash.clone());
            keyed.push(e.keyed(&key));
        }
        let lines = |c: &[AuditEntry]| c.iter().map(|e| StoredEntry::Line(e.canonical())).collect::<Vec<_>>();
        let v = verify_audit_keyed(&lines(&keyed), std::slice::from_ref(&key));
        prop_assert!(v.valid && v.authenticated, "{:?}", v);
        prop_assert!(verify_audit(&lines(&keyed)).valid);

        if keyed.is_empty() {
            return Ok(());
        }
        let k = pick.index(keyed.len());
        prop_assume!(keyed[k].reason != new_reason);
        let mut forged = keyed.clone();
        forged[k].reason = new_reason;
        for i in k..forged.len() {
            if i > 0 {
                forged[i].prev_hash = Some(forged[i - 1].hash.clone());
            }
            forged[i].hash = forged[i].compute_hash();
        }
        prop_assert!(verify_audit(&lines(&forged)).valid, "the forgery passes the plain chain");
        let v = verify_audit_keyed(&lines(&forged), std::slice::from_ref(&key));
        prop_assert!(!v.valid && !v.authenticated);
        prop_assert_eq!(v.first_broken, Some(k), "{:?}", v);
        // A different secret under the same id verifies nothing.
        let mut other = secret;
        other[0] ^= 1;
        let wrong = AuditKey::new("k1", other).unwrap();
        prop_assert_eq!(verify_audit_keyed(&lines(&keyed), &[wrong]).first_broken, Some(0));
    }
}

#[test]
fn ten_thousand_lines_validate() {
    let mut claim: Claim = serde_json::from_value(json!({
        "dealer": "D", "workshop": "W", "dms_claim_number": "N", "reference_date": "2026-11-20",
        "serial": "S", "failure_date": "2026-11-10", "warranty_type": "A",
        "failure": {"component": "C", "failure_code": "F"}, "reason": "DEFECT",
        "evidence": [{"kind": "pos_invoice", "reference": "I"}],
        "policy": {"id": "P", "duration": {"value": 2, "unit": "years"}, "reasons": [{"id": "DEFECT", "provides_coverage": true}]},
        "warranty": {"start": "2026-01-01T00:00:00+01:00"}
    }))
    .unwrap();
    claim.lines = (0..10_000)
        .map(|i| Line {
            category: "other".into(),
            quantity: "1".into(),
            amount: format!("{}.{:02}", i, i % 100),
            currency: "EUR".into(),
            ..Line::default()
        })
        .collect();
    let sum: rust_decimal::Decimal = claim
        .lines
        .iter()
        .map(|l| l.amount.parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    claim.total = sum.to_string();
    let req = json!({"op": "validate_claim", "claim": claim, "as_of": "2026-11-20T12:00:00+01:00"});
    let resp: serde_json::Value = serde_json::from_str(&call(&req.to_string())).unwrap();
    assert_eq!(
        resp["result"]["outcome"], "accept",
        "{}",
        resp["result"]["findings"]
    );
    assert_eq!(resp["result"]["totals"][0]["claimed"], sum.to_string());
    // One cent off the declared total is found.
    claim.total = (sum + rust_decimal::Decimal::new(1, 2)).to_string();
    let req = json!({"op": "validate_claim", "claim": claim, "as_of": "2026-11-20T12:00:00+01:00"});
    let resp: serde_json::Value = serde_json::from_str(&call(&req.to_string())).unwrap();
    assert_eq!(resp["result"]["findings"][0]["code"], "TOTAL_MISMATCH");
}

#[test]
fn huge_amounts_overflow_into_a_finding() {
    let claim = Claim {
        lines: (0..3)
            .map(|_| Line {
                category: "other".into(),
                quantity: "1".into(),
                amount: "79228162514264337593543950335".into(),
                currency: "JPY".into(),
                ..Line::default()
            })
            .collect(),
        ..Claim::default()
    };
    let req = json!({"op": "validate_claim", "claim": claim, "as_of": "2026-11-20T12:00:00+01:00"});
    let resp = call(&req.to_string());
    assert!(resp.contains("AMOUNT_OVERFLOW"), "{resp}");
}
