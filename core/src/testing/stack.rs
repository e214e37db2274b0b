//! Proptest strategies and invariant checks for coverage stacks (cargo feature `testing`):
//! random installed items with every layer kind and event kind, and the three properties of
//! docs/stacks.md — adding a layer never removes coverage another layer gives, a repair never
//! shortens any layer, and the answer does not depend on the order events are recorded in.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "proptest strategies: arithmetic on values drawn from small bounded ranges"
)]

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;

use crate::time::{Calendar, Duration, Instant, Unit};
use crate::warranty::coverage::Outcome;
use crate::warranty::policy::{Policy, Reason, ReplacementMode};
use crate::warranty::stack::{
    stack_coverage, Event, EventKind, Failure, Layer, LayerKind, Presets, Stack, StackItem,
    StartsOn, Timeline,
};

/// The jurisdictions of the built-in preset table.
pub const JURISDICTIONS: &[&str] = &["EU", "ES", "PT", "FR", "DE", "SE", "UK", "NL"];
const REASONS: &[&str] = &["DEFECT", "DROP", "SURGE"];
const COMPONENTS: &[&str] = &["compressor", "panel"];

fn instant(base: i64, day: i64, hour: i64, off: i32) -> Option<Instant> {
    let offset = FixedOffset::east_opt(off * 3600)?;
    DateTime::from_timestamp(base + day * 86_400 + hour * 3_600, 0)
        .map(|t| Instant(t.with_timezone(&offset)))
}

fn arb_terms(id: String) -> impl Strategy<Value = Policy> {
    (
        1u32..60,
        prop_oneof![Just(Unit::Months), Just(Unit::Years), Just(Unit::Days)],
        prop_oneof![
            Just(ReplacementMode::CarryOver),
            Just(ReplacementMode::ApplyNew),
            Just(ReplacementMode::NoWarranty)
        ],
        proptest::collection::vec(proptest::option::of(any::<bool>()), 3),
    )
        .prop_map(move |(v, unit, replacement, covers)| {
            let mut p = Policy::new(
                id.clone(),
                Duration::new(if unit == Unit::Days { v * 30 } else { v }, unit),
            );
            p.replacement = replacement;
            p.reasons = REASONS
                .iter()
                .zip(covers)
                .map(|(r, c)| Reason {
                    id: (*r).to_string(),
                    provides_coverage: c,
                    replacement: None,
                    name: None,
                })
                .collect();
            p
        })
}

/// One layer with id `L{index}`; `after` layers start when an earlier one ends.
pub fn arb_layer(index: usize) -> impl Strategy<Value = Layer> {
    let id = format!("L{index}");
    (
        0u8..5,
        0..JURISDICTIONS.len(),
        arb_terms(format!("T{index}")),
        0u8..4,
        0usize..index.max(1),
        proptest::option::of(0..COMPONENTS.len()),
        any::<bool>(),
        proptest::option::of(1u32..30),
    )
        .prop_map(
            move |(kind, j, terms, starts, after, component, transferable, agreed)| {
                let kind = match kind {
                    0 | 1 => LayerKind::Statutory,
                    2 => LayerKind::Manufacturer,
                    3 => LayerKind::Seller,
                    _ => LayerKind::Extended,
                };
                let mut l = Layer {
                    id: id.clone(),
                    kind,
                    provider: None,
                    starts_on: None,
                    attached_at: None,
                    terms: None,
                    components: Vec::new(),
                    transferable: true,
                    usage_at_start: None,
                    jurisdiction: None,
                    agreed_period: None,
                    excluded_reasons: Vec::new(),
                };
                if kind == LayerKind::Statutory {
                    l.jurisdiction = JURISDICTIONS.get(j).map(|s| (*s).to_string());
                    l.agreed_period = agreed.map(|m| Duration::new(m, Unit::Months));
                    l.excluded_reasons = vec!["DROP".to_string()];
                } else {
                    l.terms = Some(terms);
                    l.starts_on = Some(match starts {
                        0 => StartsOn::Sold,
                        1 => StartsOn::Delivered,
                        2 => StartsOn::Installed,
                        _ if index > 0 => StartsOn::After(format!("L{after}")),
                        _ => StartsOn::Sold,
                    });
                    l.components = component
                        .and_then(|c| COMPONENTS.get(c))
                        .map(|c| vec![(*c).to_string()])
                        .unwrap_or_default();
                    l.transferable = transferable;
                }
                l
            },
        )
}

/// One event on an item whose layers are `L0..L{layers}`. Days come from a small set so that
/// events often share an instant.
pub fn arb_event(layers: usize) -> impl Strategy<Value = Event> {
    (
        0u8..12,
        0i64..2_000,
        0i64..3,
        proptest::option::of(0..layers.max(1)),
        any::<bool>(),
        proptest::option::of(0..REASONS.len()),
        0i64..40,
        -2i32..3,
    )
        .prop_filter_map(
            "event",
            move |(kind, day, hour, under, instead, reason, back, off)| {
                let base = 1_640_995_200; // 2022-01-01
                let day = day / 50 * 50; // coarse days: shared instants
                let at = instant(base, day, hour * 8, off)?;
                let kind = match kind {
                    0 => EventKind::Sold,
                    1 => EventKind::Delivered,
                    2 => EventKind::Installed,
                    3..=6 => EventKind::Repaired,
                    7 | 8 => EventKind::Replaced,
                    9 => EventKind::Voided,
                    _ => EventKind::Transferred,
                };
                let remedy = matches!(kind, EventKind::Repaired | EventKind::Replaced);
                Some(Event {
                    event: kind,
                    at,
                    under: if remedy {
                        under.map(|u| format!("L{u}"))
                    } else {
                        None
                    },
                    returned_at: if remedy && back > 0 {
                        instant(base, day + back, hour * 8, off)
                    } else {
                        None
                    },
                    requested_at: if kind == EventKind::Replaced && back > 20 {
                        instant(base, day - (back - 20), hour * 8, off)
                    } else {
                        None
                    },
                    instead_of_repair: kind == EventKind::Replaced && instead,
                    instead_of_replacement: kind == EventKind::Repaired && instead,
                    reason: if kind == EventKind::Replaced {
                        reason
                            .and_then(|r| REASONS.get(r))
                            .map(|r| (*r).to_string())
                    } else {
                        None
                    },
                    layer: None,
                    component: None,
                    to: None,
                })
            },
        )
}

/// An item with 1–5 layers and up to 12 events (a sale and a delivery always among them).
pub fn arb_stack_item() -> impl Strategy<Value = StackItem> {
    (1usize..6)
        .prop_flat_map(|n| {
            let layers: Vec<_> = (0..n).map(arb_layer).collect();
            (
                layers,
                proptest::collection::vec(arb_event(n), 0..10),
                0i64..1_500,
                0i64..30,
                any::<bool>(),
            )
        })
        .prop_filter_map("item", |(layers, mut events, sold, deliver, second)| {
            let base = 1_640_995_200;
            let sold_at = instant(base, sold, 10, 1)?;
            events.push(Event::at(EventKind::Sold, sold_at));
            events.push(Event::at(
                EventKind::Delivered,
                instant(base, sold + deliver, 10, 1)?,
            ));
            // `after` names a commercial layer only.
            let statutory: Vec<String> = layers
                .iter()
                .filter(|l| l.kind == LayerKind::Statutory)
                .map(|l| l.id.clone())
                .collect();
            let mut layers = layers;
            for l in &mut layers {
                if matches!(&l.starts_on, Some(StartsOn::After(id)) if statutory.contains(id)) {
                    l.starts_on = Some(StartsOn::Sold);
                }
            }
            // Remedies may only name layers that exist; drop the others.
            for e in &mut events {
                if e.under
                    .as_ref()
                    .is_some_and(|u| !layers.iter().any(|l| &l.id == u))
                {
                    e.under = None;
                }
            }
            Some(StackItem {
                id: "ITEM".into(),
                serial: None,
                product: None,
                product_type: None,
                brand: None,
                family: None,
                second_hand: second,
                events,
                warranties: layers,
            })
        })
}

/// A failure: an instant between 2022 and 2036, a reason and a component, each optional.
pub fn arb_failure() -> impl Strategy<Value = (Instant, Option<String>, Option<String>)> {
    (
        0i64..5_000,
        -2i32..3,
        proptest::option::of(0..REASONS.len()),
        proptest::option::of(0..COMPONENTS.len()),
    )
        .prop_filter_map("failure", |(day, off, r, c)| {
            Some((
                instant(1_640_995_200, day, 12, off)?,
                r.and_then(|r| REASONS.get(r)).map(|s| (*s).to_string()),
                c.and_then(|c| COMPONENTS.get(c)).map(|s| (*s).to_string()),
            ))
        })
}

fn answer(
    item: &StackItem,
    at: Instant,
    reason: Option<&str>,
    component: Option<&str>,
) -> Result<crate::warranty::stack::StackAnswer, String> {
    let cal = Calendar::Fixed(at.offset());
    let s = Stack::new(item, Presets::new(&[]), cal).map_err(|e| e.to_string())?;
    stack_coverage(
        &s,
        &Failure {
            at,
            reason,
            component,
            usage: None,
        },
    )
    .map_err(|e| e.to_string())
}

/// Adding `extra` to `item` leaves every other layer's answer as it was, and a covered stack
/// stays covered.
pub fn check_adding_a_layer_keeps_coverage(
    item: &StackItem,
    extra: &Layer,
    at: Instant,
    reason: Option<&str>,
    component: Option<&str>,
) -> Result<(), String> {
    let before = answer(item, at, reason, component)?;
    let mut more = item.clone();
    let mut extra = extra.clone();
    extra.id = "EXTRA".into();
    if let Some(StartsOn::After(_)) = extra.starts_on {
        extra.starts_on = Some(StartsOn::Sold);
    }
    more.warranties.push(extra);
    let after = answer(&more, at, reason, component)?;
    for (a, b) in before.layers.iter().zip(&after.layers) {
        if a != b {
            return Err(format!(
                "adding a layer changed layer {}: {a:?} → {b:?}",
                a.id
            ));
        }
    }
    if before.outcome == Outcome::Covered && after.outcome != Outcome::Covered {
        return Err(format!("covered became {:?}", after.outcome));
    }
    Ok(())
}

fn timelines(item: &StackItem) -> Result<Vec<Timeline>, String> {
    let cal = Calendar::Fixed(FixedOffset::east_opt(3600).ok_or("offset")?);
    Stack::new(item, Presets::new(&[]), cal)
        .and_then(|s| s.timelines())
        .map_err(|e| e.to_string())
}

/// [`Stack::ends`] (what `expiring` reads) gives every layer's timeline as
/// [`Stack::timelines`] does, without the legal references: the same error or the same
/// timelines.
pub fn check_ends_match_timelines(item: &StackItem) -> Result<(), String> {
    let cal = Calendar::Fixed(FixedOffset::east_opt(3600).ok_or("offset")?);
    let stack = Stack::new(item, Presets::new(&[]), cal);
    let (full, ends) = match &stack {
        Ok(s) => (s.timelines(), s.ends()),
        Err(_) => return Ok(()),
    };
    match (full, ends) {
        (Ok(full), Ok(ends)) => {
            for (f, e) in full.iter().zip(&ends) {
                let mut f = f.clone();
                f.references.clear();
                if &f != e {
                    return Err(format!("ends {e:?} differ from the timeline {f:?}"));
                }
            }
            if full.len() != ends.len() {
                return Err("a different number of timelines".into());
            }
            Ok(())
        }
        (Err(a), Err(b)) if a == b => Ok(()),
        (a, b) => Err(format!("timelines {a:?} but ends {b:?}")),
    }
}

/// Recording `repair` on `item` never makes a layer start later, end earlier or lose its
/// grace.
pub fn check_a_repair_never_shortens(item: &StackItem, repair: &Event) -> Result<(), String> {
    let before = timelines(item)?;
    let mut more = item.clone();
    let mut repair = repair.clone();
    repair.event = EventKind::Repaired;
    repair.requested_at = None;
    repair.instead_of_repair = false;
    repair.instead_of_replacement = false;
    repair.reason = None;
    more.events.push(repair);
    let after = timelines(&more)?;
    for (i, (a, b)) in before.iter().zip(&after).enumerate() {
        let later = |x: Option<Instant>, y: Option<Instant>| match (x, y) {
            (Some(x), Some(y)) => y < x,
            (None, Some(_)) => false,
            (Some(_), None) => true,
            (None, None) => false,
        };
        if a.start != b.start
            || later(a.end, b.end)
            || later(a.end.max(a.grace_end), b.end.max(b.grace_end))
        {
            return Err(format!("a repair shortened layer L{i}: {a:?} → {b:?}"));
        }
    }
    Ok(())
}

/// The answer is the same, byte for byte, whatever order the events are listed in.
pub fn check_event_order_irrelevant(
    item: &StackItem,
    rotation: usize,
    at: Instant,
    reason: Option<&str>,
    component: Option<&str>,
) -> Result<(), String> {
    let a = answer(item, at, reason, component)?;
    let mut shuffled = item.clone();
    shuffled.events.reverse();
    let n = shuffled.events.len().max(1);
    shuffled
        .events
        .rotate_left(rotation.checked_rem(n).unwrap_or(0));
    let b = answer(&shuffled, at, reason, component)?;
    let (ja, jb) = (
        serde_json::to_string(&a).map_err(|e| e.to_string())?,
        serde_json::to_string(&b).map_err(|e| e.to_string())?,
    );
    if ja != jb {
        return Err(format!("event order changed the answer:\n{ja}\n{jb}"));
    }
    Ok(())
}
