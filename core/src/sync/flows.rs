//! The two flows the integration overview names, end to end, as typed functions:
//! a sale starts coverage automatically (`activate_sale`), and a claim's state change
//! notifies the partners (`claim_changed`). Both validate everything before they touch the
//! outbox, so a refused call changes nothing.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::claims::lifecycle::{Status, Transitioned};
use crate::claims::Claim;
use crate::error::{Error, Result};
use crate::partners::cnh::{create_claim_body, CnhOptions};
use crate::partners::product_code::{self, Registration};
use crate::sync::outbox::{Outbox, Persist};
use crate::time::{Calendar, Instant};
use crate::warranty::catalog::{Catalog, Item, Resolution};
use crate::warranty::coverage::Outcome;
use crate::warranty::policy::Dec;

/// The customer of a sale.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Phone, any format the registration adapter accepts.
    pub phone: String,
    /// Country (TR, US, DE, GB, AE, NL, FR for product-code registration).
    pub country: String,
}

/// One line of a sale.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleLine {
    /// The line's id within the order.
    pub line_id: String,
    /// The product identity, for `resolve`.
    pub item: Item,
    /// The partner's product code (product-code registration), if it differs from
    /// `item.product`.
    #[serde(default)]
    pub product_code: Option<String>,
    /// Price paid.
    pub price: Dec,
    /// Serial number.
    pub serial: String,
}

/// A sale at a store.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sale {
    /// The store (business unit).
    pub store: String,
    /// The order / invoice id (the registrations' idempotency key).
    pub order_id: String,
    /// When it was sold.
    pub sold_at: Instant,
    /// Who bought.
    pub customer: Customer,
    /// What was sold.
    pub lines: Vec<SaleLine>,
}

/// Which partners a sale is registered with.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActivationConfig {
    /// Register covered lines with the product-code registration partner (`product_code`).
    pub product_code: bool,
    /// Match policies restricted to the sale's store (`business_units`).
    pub use_store_as_business_unit: bool,
}

/// What a sale line got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineActivation {
    /// The line.
    pub line_id: String,
    /// The serial.
    pub serial: String,
    /// The warranty record (the `resolve` result).
    pub record: Resolution,
    /// Outbox messages enqueued for it.
    pub enqueued: Vec<u64>,
}

/// Resolves each line's warranty and enqueues the registrations, in one step. Every line is
/// resolved and every body built before anything is enqueued: a refused sale (bad phone, key
/// reused with another body, …) leaves the outbox as it was.
pub fn activate_sale(
    catalog: &Catalog,
    outbox: &mut Outbox,
    sale: &Sale,
    cfg: &ActivationConfig,
    cal: Calendar,
    now: Instant,
) -> Result<(Vec<LineActivation>, Vec<Persist>)> {
    if sale.lines.is_empty() {
        return Err(Error::invalid(
            "sale.lines",
            "a sale needs at least one line",
        ));
    }
    let unit = cfg
        .use_store_as_business_unit
        .then_some(sale.store.as_str());
    let mut plan = Vec::new();
    for (i, line) in sale.lines.iter().enumerate() {
        let record = catalog
            .resolve(&line.item, sale.sold_at, unit, cal)
            .and_then(|r| r.explain(&line.item))
            .map_err(|e| e.within(&format!("sale.lines[{i}]")))?;
        let mut messages = Vec::new();
        if cfg.product_code && record.outcome == Outcome::Covered {
            let code = line
                .product_code
                .clone()
                .or_else(|| line.item.product.clone())
                .unwrap_or_default();
            let reg = Registration {
                product_code: code,
                first_name: sale.customer.first_name.clone(),
                last_name: sale.customer.last_name.clone(),
                email: sale.customer.email.clone(),
                phone: sale.customer.phone.clone(),
                country: sale.customer.country.clone(),
                external_order_id: sale.order_id.clone(),
                external_line_id: Some(line.line_id.clone()),
                purchased_at: Some(sale.sold_at),
                expires_at: record.end,
            };
            let (body, key) = product_code::request(&reg, now, None, cal).map_err(|mut e| {
                // Name the sale's own field, not the registration's.
                e.path = match e.path.as_str() {
                    "first_name" | "last_name" | "email" | "phone" | "country" => {
                        format!("sale.customer.{}", e.path)
                    }
                    "external_order_id" => "sale.order_id".into(),
                    "product_code" if line.product_code.is_some() => {
                        format!("sale.lines[{i}].product_code")
                    }
                    "product_code" => format!("sale.lines[{i}].item.product"),
                    _ => format!("sale.lines[{i}]"),
                };
                e
            })?;
            messages.push(("product_code", "register_warranty", key, body));
        }
        plan.push((line, record, messages));
    }
    // All or nothing: check every message first (against the outbox and each other); then
    // enqueueing cannot fail.
    let mut seen = std::collections::BTreeMap::new();
    for (i, (_, _, messages)) in plan.iter().enumerate() {
        for (partner, op, key, body) in messages {
            let (_, hash, _) = outbox.check_enqueue(partner, op, key, body)?;
            if seen
                .insert((*partner, key.clone()), hash.clone())
                .is_some_and(|h| h != hash)
            {
                return Err(Error::invalid(
                    format!("sale.lines[{i}].line_id"),
                    format!("two lines register under the same key `{key}` with different bodies"),
                ));
            }
        }
    }
    let mut persists = Vec::new();
    let mut out = Vec::new();
    for (line, record, messages) in plan {
        let mut ids = Vec::new();
        for (partner, op, key, body) in messages {
            let (id, _, p) = outbox.enqueue(partner, op, &key, body, now)?;
            ids.push(id);
            persists.push(p);
        }
        out.push(LineActivation {
            line_id: line.line_id.clone(),
            serial: line.serial.clone(),
            record,
            enqueued: ids,
        });
    }
    Ok((out, persists))
}

/// Refuses a transition that is not `transition_claim`'s answer for `claim` (what
/// [`claim_changed`] checks first; a host may check before it looks up the outbox).
pub fn check_transition(claim: &Claim, change: &Transitioned) -> Result<()> {
    let a = &change.audit;
    if a.hash != a.compute_hash() {
        return Err(Error::invalid(
            "transition.audit.hash",
            "the audit entry's hash does not match its content (pass transition_claim's answer unchanged)",
        ));
    }
    if a.to != change.state.status {
        return Err(Error::invalid(
            "transition.state.status",
            "the state's status is not the audit entry's `to`",
        ));
    }
    if a.claim != claim.dms_claim_number {
        return Err(Error::invalid(
            "transition.audit.claim",
            format!(
                "the audit entry is for claim `{}`, the claim given is `{}`",
                a.claim, claim.dms_claim_number
            ),
        ));
    }
    Ok(())
}

/// Who hears about claim state changes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimNotifyConfig {
    /// Send a status webhook to this partner (its route and secret in the outbox config).
    pub webhook_partner: Option<String>,
    /// Submit the claim to CNH (Create Claim) when it becomes `submitted`.
    pub cnh: Option<CnhOptions>,
}

/// Enqueues what a claim's accepted transition must tell the partners: a status event for
/// the webhook partner (keyed by the audit entry's hash, so a replay is a no-op) and, on
/// submission, the CNH Create Claim (keyed by the DMS claim number).
///
/// `change` must be `transition_claim`'s answer for `claim`, unchanged: its audit entry's
/// hash must match its content, its state must be the entry's `to`, and the entry must be for
/// this claim (errors at `transition.…`); otherwise nothing is enqueued.
pub fn claim_changed(
    outbox: &mut Outbox,
    claim: &Claim,
    change: &Transitioned,
    cfg: &ClaimNotifyConfig,
    now: Instant,
) -> Result<(Vec<u64>, Vec<Persist>)> {
    check_transition(claim, change)?;
    let mut messages = Vec::new();
    if let Some(partner) = &cfg.webhook_partner {
        let a = &change.audit;
        let event = json!({
            "type": "claim.status_changed",
            "timestamp": a.at.to_string(),
            "data": {
                "claim": a.claim, "from": a.from.as_str(), "to": a.to.as_str(),
                "action": a.action, "actor": a.actor, "role": a.role,
                "reason": a.reason, "audit_hash": a.hash,
            }
        });
        messages.push((
            partner.clone(),
            "claim_status".to_string(),
            a.hash.clone(),
            event,
        ));
    }
    if let (Some(opts), Status::Submitted) = (&cfg.cnh, change.state.status) {
        if change.audit.from != Status::Submitted {
            let body = create_claim_body(claim, opts)?;
            messages.push((
                "cnh".to_string(),
                "create_claim".to_string(),
                claim.dms_claim_number.clone(),
                body,
            ));
        }
    }
    for (partner, op, key, body) in &messages {
        outbox.check_enqueue(partner, op, key, body)?;
    }
    let mut ids = Vec::new();
    let mut persists = Vec::new();
    for (partner, op, key, body) in messages {
        let (id, _, p) = outbox.enqueue(&partner, &op, &key, body, now)?;
        ids.push(id);
        persists.push(p);
    }
    Ok((ids, persists))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::lifecycle::{transition, Action, Actor, ClaimState, Role, Transition};
    use crate::sync::outbox::OutboxConfig;
    use crate::time::Zone;

    fn cal() -> Calendar {
        Calendar::Zone("Europe/Istanbul".parse::<Zone>().unwrap().0)
    }

    fn catalog() -> Catalog {
        let ps: Vec<crate::warranty::policy::Policy> = serde_json::from_value(json!([
            {"id": "TV-2Y", "duration": {"value": 2, "unit": "years"}, "covers": [{"product_type": "TV"}]}
        ]))
        .unwrap();
        Catalog::new(ps).unwrap()
    }

    fn sale(phone: &str) -> Sale {
        serde_json::from_value(json!({
            "store": "IST-1", "order_id": "INV-7", "sold_at": "2026-11-20T14:00:00+03:00",
            "customer": {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "a@example.com", "phone": phone, "country": "TR"},
            "lines": [
                {"line_id": "1", "item": {"product": "TV-55", "product_type": "TV"}, "price": "999.00", "serial": "S1"},
                {"line_id": "2", "item": {"product": "HDMI"}, "price": "9.90", "serial": "S2"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn a_sale_starts_coverage_and_registers_covered_lines() {
        let mut o = Outbox::new("main", 1, OutboxConfig::default());
        let now = Instant::parse("2026-11-20T14:01:00+03:00").unwrap();
        let cfg = ActivationConfig {
            product_code: true,
            use_store_as_business_unit: false,
        };
        let (lines, persists) =
            activate_sale(&catalog(), &mut o, &sale("05443332211"), &cfg, cal(), now).unwrap();
        assert_eq!(lines[0].record.policy.as_deref(), Some("TV-2Y"));
        assert_eq!(lines[0].enqueued, vec![1]);
        assert_eq!(lines[1].record.outcome, Outcome::NotCovered);
        assert!(lines[1].enqueued.is_empty());
        assert_eq!(persists.len(), 1);
        let m = o.message(1).unwrap();
        assert_eq!(m.idempotency_key, "INV-7:1");
        let body: serde_json::Value = serde_json::from_str(&m.payload).unwrap();
        assert_eq!(body["warrantyExpireDate"], "20-11-2028 14:00");
        // The same sale again registers nothing new.
        activate_sale(&catalog(), &mut o, &sale("05443332211"), &cfg, cal(), now).unwrap();
        assert_eq!(o.len(), 1);
        // Two lines with one id but different goods: refused, nothing enqueued.
        let mut twice = sale("05443332211");
        twice.order_id = "INV-9".into();
        twice.lines[1] = twice.lines[0].clone();
        twice.lines[1].product_code = Some("OTHER".into());
        let before = o.snapshot();
        assert_eq!(
            activate_sale(&catalog(), &mut o, &twice, &cfg, cal(), now)
                .unwrap_err()
                .path,
            "sale.lines[1].line_id"
        );
        assert_eq!(o.snapshot(), before);
        // A bad phone refuses the whole sale and changes nothing.
        let before = o.snapshot();
        let mut s = sale("123");
        s.order_id = "INV-8".into();
        let e = activate_sale(&catalog(), &mut o, &s, &cfg, cal(), now).unwrap_err();
        assert_eq!(e.path, "sale.customer.phone");
        assert_eq!(o.snapshot(), before);
    }

    #[test]
    fn a_submission_notifies_the_webhook_and_cnh() {
        let req: serde_json::Value = serde_json::from_str(include_str!(
            "../../../examples/claims/validate-tractor.json"
        ))
        .unwrap();
        let claim: Claim = serde_json::from_value(req["claim"].clone()).unwrap();
        let state = ClaimState {
            claim: claim.dms_claim_number.clone(),
            status: Status::Draft,
            validation: None,
            overridden: false,
            partner_at: None,
        };
        let actor = Actor {
            id: "u-3".into(),
            role: Role::SalesStaff,
        };
        let at = Instant::parse("2026-11-20T16:05:00+01:00").unwrap();
        let change = transition(&Transition {
            state: &state,
            action: Action::Submit,
            actor: &actor,
            at,
            reason: "",
            prev_hash: None,
        })
        .unwrap();
        let mut o = Outbox::new("main", 1, OutboxConfig::default());
        let cfg = ClaimNotifyConfig {
            webhook_partner: Some("dms".into()),
            cnh: Some(CnhOptions::default()),
        };
        let (ids, _) = claim_changed(&mut o, &claim, &change, &cfg, at).unwrap();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(o.message(1).unwrap().idempotency_key, change.audit.hash);
        assert_eq!(o.message(2).unwrap().idempotency_key, "DMS-2026-0042");
        assert!(o
            .message(2)
            .unwrap()
            .payload
            .contains("\"DmsClaimNumber\":\"DMS-2026-0042\""));
        // Replaying the same change is a no-op.
        let (again, _) = claim_changed(&mut o, &claim, &change, &cfg, at).unwrap();
        assert_eq!(again, vec![1, 2]);
        assert_eq!(o.len(), 2);

        // A change that is not transition_claim's answer for this claim enqueues nothing.
        let mut fresh = Outbox::new("other", 1, OutboxConfig::default());
        let mut edited = change.clone();
        edited.audit.reason = "edited".into();
        let e = claim_changed(&mut fresh, &claim, &edited, &cfg, at).unwrap_err();
        assert_eq!(e.path, "transition.audit.hash");
        let mut moved = change.clone();
        moved.state.status = Status::Approved;
        let e = claim_changed(&mut fresh, &claim, &moved, &cfg, at).unwrap_err();
        assert_eq!(e.path, "transition.state.status");
        let mut other = claim.clone();
        other.dms_claim_number = "DMS-OTHER".into();
        let e = claim_changed(&mut fresh, &other, &change, &cfg, at).unwrap_err();
        assert_eq!(e.path, "transition.audit.claim");
        assert!(fresh.is_empty());
    }
}

#[cfg(test)]
mod webhook_tests {
    use std::collections::BTreeMap;

    use crate::sync::outbox::{Outbox, OutboxConfig, PartnerRoutes};
    use crate::sync::webhook::verify;
    use crate::time::Instant;

    #[test]
    fn status_webhooks_are_signed_when_sent_and_verify() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let mut cfg = OutboxConfig::default();
        cfg.partners.insert(
            "dms".into(),
            PartnerRoutes {
                webhook_secret: Some(secret.into()),
                ..PartnerRoutes::default()
            },
        );
        cfg.validate().unwrap();
        let mut o = Outbox::new("hooks", 3, cfg);
        let t = Instant::parse("2026-11-20T16:05:00+01:00").unwrap();
        o.enqueue(
            "dms",
            "claim_status",
            "evt-1",
            serde_json::json!({"to": "submitted"}),
            t,
        )
        .unwrap();
        let (tx, _) = o.poll_transmit(t);
        let tx = tx.unwrap();
        let h: BTreeMap<String, String> = tx.headers.clone();
        assert_eq!(h["webhook-id"], "evt-1");
        let v = verify(secret, &h, &tx.body, t.0.timestamp() + 5, 300).unwrap();
        assert!(v.valid, "{v:?}");
        let mut bad = OutboxConfig::default();
        bad.partners.insert(
            "x".into(),
            PartnerRoutes {
                webhook_secret: Some("nope!".into()),
                ..PartnerRoutes::default()
            },
        );
        assert_eq!(
            bad.validate().unwrap_err().path,
            "config.partners.x.webhook_secret"
        );
    }
}
