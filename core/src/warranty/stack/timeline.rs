//! Each layer's clock from the item's events: starts, ends, replacements, voids, transfers,
//! and the statutory extensions, restarts and graces of the preset rows in force.

use serde::Serialize;

use super::model::{Event, EventKind, Layer, LayerKind, StackItem, StartsOn, MAX_LAYERS};
use super::presets::{Condition, PresetRow, Presets, Rule};
use crate::error::{Error, Result};
use crate::time::{self, Calendar, Duration, Instant, Unit};
use crate::warranty::coverage::{self, Code};
use crate::warranty::policy::{Policy, ReplacementMode};

/// How a statutory layer was lengthened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// `repaired` or `replaced`.
    pub by: EventKind,
    /// The event's instant.
    pub at: Instant,
    /// `repair_extension`, `replacement_restart` or `returned_grace`.
    pub rule: Rule,
    /// The end (or grace end) after this event.
    pub end: Instant,
    /// The legal reference.
    pub reference: String,
}

/// A layer's clock, from the item's events alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// When the layer starts (`None`: its start event is not recorded).
    pub start: Option<Instant>,
    /// When it ends, exclusive (`None`: no fixed end, or not started).
    pub end: Option<Instant>,
    /// Statutory: claims about a repaired defect do not lapse before this.
    pub grace_end: Option<Instant>,
    /// Statutory: the end of the reversed burden of proof.
    pub burden_end: Option<Instant>,
    /// When the layer was voided.
    pub voided_at: Option<Instant>,
    /// When a non-transferable layer ended by a change of owner.
    pub transferred_at: Option<Instant>,
    /// When a replacement ended it (`no_warranty` replacement mode).
    pub replaced_without_warranty_at: Option<Instant>,
    /// The code that stops it being judged (`START_EVENT_MISSING`, `NO_STATUTORY_RULE`).
    pub missing: Option<Code>,
    /// Statutory extensions and restarts, in event order.
    pub extensions: Vec<Extension>,
    /// Statutory: the references of the rows used.
    pub references: Vec<String>,
    /// Statutory: the law sets no fixed period (`end` is a limitation, if any).
    pub open: bool,
}

/// How much of a timeline to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Detail {
    /// Everything (`stack_coverage`).
    Full,
    /// Everything but the legal references (`expiring`).
    Ends,
}

/// One stack: an item, its events in canonical order, the presets and the calendar.
#[derive(Debug)]
pub struct Stack<'a> {
    pub(super) item: &'a StackItem,
    events: Vec<&'a Event>,
    presets: Presets<'a>,
    pub(super) cal: Calendar,
}

fn range_err(path: &str) -> Error {
    Error::invalid(path, "a date falls outside the supported years 1..=9999")
}

impl<'a> Stack<'a> {
    /// Checks the item (paths relative to it) and orders its events.
    pub fn new(item: &'a StackItem, presets: Presets<'a>, cal: Calendar) -> Result<Self> {
        validate(item, &presets)?;
        let mut events: Vec<&Event> = item.events.iter().collect();
        crate::order::sort_by(&mut events, |a, b| a.order(b));
        Ok(Stack {
            item,
            events,
            presets,
            cal,
        })
    }

    fn first(&self, kind: EventKind) -> Option<Instant> {
        self.events.iter().find(|e| e.event == kind).map(|e| e.at)
    }

    /// Every layer's timeline, in the item's order.
    pub fn timelines(&self) -> Result<Vec<Timeline>> {
        self.timelines_with(Detail::Full)
    }

    /// Every layer's timeline without its legal references (what expiry queries read): every
    /// other field is as [`Stack::timelines`] gives it (a test compares the two).
    pub fn ends(&self) -> Result<Vec<Timeline>> {
        self.timelines_with(Detail::Ends)
    }

    fn timelines_with(&self, detail: Detail) -> Result<Vec<Timeline>> {
        let n = self.item.warranties.len();
        let mut done: Vec<Option<Timeline>> = Vec::with_capacity(n);
        done.resize_with(n, || None);
        for i in 0..n {
            self.timeline_of(i, &mut done, 0, detail)?;
        }
        Ok(done.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Computes layer `i`'s timeline into `done` (once), and gives its end.
    fn timeline_of(
        &self,
        i: usize,
        done: &mut [Option<Timeline>],
        depth: usize,
        detail: Detail,
    ) -> Result<Option<Instant>> {
        if let Some(Some(t)) = done.get(i) {
            return Ok(t.end);
        }
        // Written only for an error: this runs for every layer of every item.
        let path = || format!("warranties[{i}]");
        if depth > MAX_LAYERS {
            return Err(Error::invalid(
                format!("{}.starts_on", path()),
                "the layers start after each other in a cycle",
            ));
        }
        let layer = self
            .item
            .warranties
            .get(i)
            .ok_or_else(|| Error::invalid(path(), "no such layer"))?;
        // Written in place: a timeline is large, and this runs for every layer of every item.
        let end = match (&layer.kind, &layer.terms) {
            (LayerKind::Statutory, _) => {
                let t = done
                    .get_mut(i)
                    .ok_or_else(|| Error::invalid(path(), "no such layer"))?
                    .insert(Timeline::default());
                self.statutory(layer, detail, t)
                    .map_err(|e| e.within(&path()))?;
                t.end
            }
            (_, Some(terms)) => {
                let start = match &layer.starts_on {
                    None | Some(StartsOn::Sold) => self.first(EventKind::Sold),
                    Some(StartsOn::Delivered) => self.first(EventKind::Delivered),
                    Some(StartsOn::Installed) => self.first(EventKind::Installed),
                    Some(StartsOn::After(id)) => {
                        let j = self
                            .item
                            .warranties
                            .iter()
                            .position(|l| &l.id == id)
                            .unwrap_or(i);
                        self.timeline_of(j, done, depth.saturating_add(1), detail)?
                    }
                };
                let t = done
                    .get_mut(i)
                    .ok_or_else(|| Error::invalid(path(), "no such layer"))?
                    .insert(Timeline::default());
                self.commercial(layer, terms, start, t)
                    .map_err(|e| e.within(&path()))?;
                t.end
            }
            (_, None) => {
                return Err(Error::invalid(
                    format!("{}.terms", path()),
                    "missing field `terms`",
                ))
            }
        };
        Ok(end)
    }

    fn commercial(
        &self,
        layer: &Layer,
        terms: &Policy,
        start: Option<Instant>,
        t: &mut Timeline,
    ) -> Result<()> {
        let cal = self.cal;
        t.voided_at = self
            .events
            .iter()
            .find(|e| {
                e.event == EventKind::Voided && e.layer.as_ref().is_none_or(|l| *l == layer.id)
            })
            .map(|e| e.at);
        t.transferred_at = if layer.transferable {
            None
        } else {
            self.first(EventKind::Transferred)
        };
        let Some(start) = start else {
            t.missing = Some(Code::StartEventMissing);
            return Ok(());
        };
        let mut end = time::expiry(start, terms.duration, terms.expiry, cal)
            .map_err(|_| range_err("terms.duration"))?;
        for e in self
            .events
            .iter()
            .filter(|e| e.event == EventKind::Replaced)
        {
            let requested = e.requested_at.unwrap_or(e.at);
            let ended = [
                t.voided_at,
                t.transferred_at,
                t.replaced_without_warranty_at,
            ]
            .iter()
            .flatten()
            .any(|x| *x <= requested);
            if requested < start || requested >= end || ended {
                continue;
            }
            let mode = e
                .reason
                .as_deref()
                .and_then(|r| terms.reason(r))
                .and_then(|r| r.replacement)
                .unwrap_or(terms.replacement);
            match mode {
                ReplacementMode::CarryOver => {
                    end = coverage::carry_over_end(cal, requested, e.at, end)
                        .ok_or_else(|| range_err("events"))?
                        .0;
                }
                ReplacementMode::ApplyNew => {
                    end = time::expiry(e.at, terms.duration, terms.expiry, cal)
                        .map_err(|_| range_err("terms.duration"))?;
                }
                ReplacementMode::NoWarranty => {
                    t.replaced_without_warranty_at = Some(e.at);
                    end = cal.localize(e.at);
                }
            }
        }
        t.start = Some(cal.localize(start));
        t.end = Some(end);
        Ok(())
    }

    fn statutory(&self, layer: &Layer, detail: Detail, t: &mut Timeline) -> Result<()> {
        let full = detail == Detail::Full;
        let cal = self.cal;
        let juris = layer.jurisdiction.as_deref().unwrap_or_default();
        let Some(start) = self
            .first(EventKind::Delivered)
            .or_else(|| self.first(EventKind::Sold))
        else {
            t.missing = Some(Code::StartEventMissing);
            return Ok(());
        };
        let sold = cal.date(self.first(EventKind::Sold).unwrap_or(start));
        let p = self.presets.of(juris);
        let rows = p.in_force_by_rule(sold);
        let period = rows
            .get(Rule::Period)
            .into_iter()
            .chain(rows.get(Rule::OpenPeriod))
            .max_by_key(|r| r.from);
        let Some(period) = period else {
            t.missing = Some(Code::NoStatutoryRule);
            t.start = Some(cal.localize(start));
            return Ok(());
        };
        if full {
            t.references.push(period.reference.clone());
        }
        let open = period.rule == Rule::OpenPeriod;
        let burden_row = if self.item.second_hand {
            rows.get(Rule::SecondHandBurden)
                .or_else(|| rows.get(Rule::Burden))
        } else {
            rows.get(Rule::Burden)
        };
        let floor = rows.get(Rule::SecondHandFloor);
        let add = |from: Instant, d: Duration| {
            time::add_duration(from, d, cal).map_err(|_| range_err("events"))
        };
        // The period and burden that run from a handover.
        let run = |from: Instant| -> Result<(Option<Instant>, Option<Instant>)> {
            let mut end = period.duration.map(|d| add(from, d)).transpose()?;
            if let (Some(full), true, Some(agreed), Some(floor)) =
                (end, self.item.second_hand, layer.agreed_period, floor)
            {
                let agreed = add(from, agreed)?;
                let floor_end = add(from, floor.duration.unwrap_or(Duration::new(0, Unit::Days)))?;
                end = Some(agreed.max(floor_end).min(full));
            }
            // Computed in every detail: its range error is the answer's.
            let burden = match burden_row.and_then(|r| r.duration) {
                Some(d) => Some(add(from, d)?),
                None => None,
            };
            let burden = match (burden, end) {
                (Some(b), Some(e)) => Some(b.min(e)),
                (b, _) => b,
            };
            Ok((end, burden))
        };
        if let Some(r) = burden_row.filter(|_| full) {
            t.references.push(r.reference.clone());
        }
        if full && self.item.second_hand && layer.agreed_period.is_some() {
            if let Some(f) = floor {
                t.references.push(f.reference.clone());
            }
        }
        let (mut base_end, mut burden_end) = run(start)?;
        let mut end = base_end;
        let mut grace: Option<Instant> = None;
        // Repairs counted so far since the period last started: every one, and the ones the
        // consumer chose (rows with `condition: consumer_chose_repair` count only those).
        let mut repairs: u32 = 0;
        let mut chosen: u32 = 0;
        let restart = rows.get(Rule::ReplacementRestart);
        let grace_row = rows.get(Rule::ReturnedGrace);
        let suspension = rows.get(Rule::RepairSuspension);
        let mut period_start = start;
        for e in &self.events {
            let remedy = matches!(e.event, EventKind::Repaired | EventKind::Replaced)
                && e.under.as_deref() == Some(layer.id.as_str());
            let live = match end.max(grace) {
                Some(until) => e.at < until,
                None => true,
            };
            if !remedy || e.at < period_start || !live {
                continue;
            }
            let repaired = e.event == EventKind::Repaired;
            let extension = |rule: Rule, to: Instant, row: &PresetRow| Extension {
                by: e.event,
                at: cal.localize(e.at),
                rule,
                end: cal.localize(to),
                reference: row.reference.clone(),
            };
            if let Some(row) = restart.filter(|r| {
                !repaired
                    && (r.condition != Some(Condition::InsteadOfRepair) || e.instead_of_repair)
            }) {
                period_start = e.returned();
                let (b, bur) = run(period_start)?;
                base_end = b;
                repairs = 0;
                chosen = 0;
                end = end.max(b);
                burden_end = burden_end.max(bur);
                if let Some(new_end) = end {
                    t.extensions
                        .push(extension(Rule::ReplacementRestart, new_end, row));
                }
            }
            if let (true, Some(row)) = (repaired, suspension) {
                let away = e.returned().0.signed_duration_since(e.at.0);
                let shift = |x: Option<Instant>| -> Result<Option<Instant>> {
                    x.map(|x| {
                        x.0.checked_add_signed(away)
                            .map(Instant)
                            .filter(|x| time::in_range(*x))
                            .ok_or_else(|| range_err("events"))
                    })
                    .transpose()
                };
                if away > chrono::TimeDelta::zero() {
                    base_end = shift(base_end)?;
                    end = shift(end)?;
                    if let Some(new_end) = end {
                        t.extensions
                            .push(extension(Rule::RepairSuspension, new_end, row));
                    }
                }
            }
            if repaired {
                repairs = repairs.saturating_add(1);
                if !e.instead_of_replacement {
                    chosen = chosen.saturating_add(1);
                }
                let mut best: Option<(Instant, &PresetRow)> = None;
                if let Some(base) = base_end {
                    for row in p.all_in_force(Rule::RepairExtension, sold) {
                        let Some(d) = row.duration else { continue };
                        let counted = if row.condition == Some(Condition::ConsumerChoseRepair) {
                            chosen
                        } else {
                            repairs
                        };
                        let n = row.max_repairs.map_or(counted, |m| counted.min(m));
                        if n == 0 {
                            continue;
                        }
                        let total = Duration::new(d.value.saturating_mul(n), d.unit);
                        let ext = add(base, total)?;
                        if best.is_none_or(|(b, _)| ext > b) {
                            best = Some((ext, row));
                        }
                    }
                }
                if let (Some((ext, row)), Some(cur)) = (best, end) {
                    if ext > cur {
                        end = Some(ext);
                        t.extensions
                            .push(extension(Rule::RepairExtension, ext, row));
                    }
                }
            }
            let grace_applies =
                |r: &&PresetRow| r.condition != Some(Condition::AfterRepair) || repaired;
            if let (Some(row), Some(cur)) = (grace_row.filter(grace_applies), end) {
                if let Some(d) = row.duration {
                    let g = add(e.returned(), d)?;
                    if g > grace.map_or(cur, |x| x.max(cur)) {
                        grace = Some(g);
                        t.extensions.push(extension(Rule::ReturnedGrace, g, row));
                    }
                }
            }
        }
        for x in t.extensions.iter().filter(|_| full) {
            if !t.references.contains(&x.reference) {
                t.references.push(x.reference.clone());
            }
        }
        t.open = open;
        t.start = Some(cal.localize(start));
        t.end = end.map(|x| cal.localize(x));
        t.grace_end = grace
            .filter(|g| end.is_some_and(|e| *g > e))
            .map(|x| cal.localize(x));
        t.burden_end = burden_end.map(|x| cal.localize(x));
        Ok(())
    }
}

fn validate(item: &StackItem, presets: &Presets<'_>) -> Result<()> {
    let n = item.warranties.len();
    if n > MAX_LAYERS {
        return Err(Error::invalid(
            "warranties",
            format!("an item carries at most {MAX_LAYERS} warranties, not {n}"),
        ));
    }
    for (i, l) in item.warranties.iter().enumerate() {
        let at = |f: &str| format!("warranties[{i}].{f}");
        if l.id.is_empty() {
            return Err(Error::invalid(at("id"), "the layer id is empty"));
        }
        if item.warranties.iter().take(i).any(|o| o.id == l.id) {
            return Err(Error::invalid(
                at("id"),
                format!("layer `{}` is listed twice", l.id),
            ));
        }
        let statutory = l.kind == LayerKind::Statutory;
        let only = |ok: bool, f: &str, what: &str| -> Result<()> {
            if ok {
                Ok(())
            } else {
                Err(Error::invalid(
                    at(f),
                    format!("`{f}` belongs to {what} layers only"),
                ))
            }
        };
        only(!statutory || l.terms.is_none(), "terms", "commercial")?;
        only(
            !statutory || l.starts_on.is_none(),
            "starts_on",
            "commercial (the legal guarantee starts at delivery)",
        )?;
        only(
            !statutory || l.components.is_empty(),
            "components",
            "commercial",
        )?;
        only(!statutory || l.transferable, "transferable", "commercial")?;
        only(
            !statutory || l.usage_at_start.is_none(),
            "usage_at_start",
            "commercial",
        )?;
        only(
            statutory || l.jurisdiction.is_none(),
            "jurisdiction",
            "statutory",
        )?;
        only(
            statutory || l.agreed_period.is_none(),
            "agreed_period",
            "statutory",
        )?;
        only(
            statutory || l.excluded_reasons.is_empty(),
            "excluded_reasons",
            "statutory",
        )?;
        if statutory {
            match l.jurisdiction.as_deref() {
                None => {
                    return Err(Error::invalid(
                        at("jurisdiction"),
                        "missing field `jurisdiction`",
                    ))
                }
                Some(j) if !presets.knows(j) => {
                    return Err(Error::invalid(
                        at("jurisdiction"),
                        format!(
                        "no statutory preset for `{j}`; known: {} (or give its rows in `presets`)",
                        presets.jurisdictions().join(", ")
                    ),
                    ))
                }
                Some(_) => {}
            }
        } else {
            let terms = l
                .terms
                .as_ref()
                .ok_or_else(|| Error::invalid(at("terms"), "missing field `terms`"))?;
            terms.validate().map_err(|e| e.within(&at("terms")))?;
            if let Some(StartsOn::After(id)) = &l.starts_on {
                match item.warranties.iter().find(|o| &o.id == id) {
                    Some(o) if o.id != l.id && o.kind != LayerKind::Statutory => {}
                    Some(o) if o.kind == LayerKind::Statutory => {
                        return Err(Error::invalid(
                            at("starts_on.after"),
                            format!(
                                "`{id}` is the legal guarantee, which runs beside commercial layers: start after a commercial layer"
                            ),
                        ))
                    }
                    _ => {
                        return Err(Error::invalid(
                            at("starts_on.after"),
                            format!("`{id}` is not another layer of this item"),
                        ))
                    }
                }
            }
        }
    }
    for i in 0..n {
        // Follow the `after` links from layer i: more steps than layers means a cycle.
        let mut at = i;
        for _ in 0..=n {
            let next = match item.warranties.get(at).and_then(|l| l.starts_on.as_ref()) {
                Some(StartsOn::After(id)) => item.warranties.iter().position(|l| &l.id == id),
                _ => None,
            };
            match next {
                Some(j) => at = j,
                None => break,
            }
        }
        if matches!(
            item.warranties.get(at).and_then(|l| l.starts_on.as_ref()),
            Some(StartsOn::After(_))
        ) {
            return Err(Error::invalid(
                format!("warranties[{i}].starts_on"),
                "the layers start after each other in a cycle",
            ));
        }
    }
    for (i, e) in item.events.iter().enumerate() {
        let at = |f: &str| format!("events[{i}].{f}");
        let kind = e.event;
        let remedy = matches!(kind, EventKind::Repaired | EventKind::Replaced);
        let only = |given: bool, f: &str, what: &str| -> Result<()> {
            if given {
                Err(Error::invalid(
                    at(f),
                    format!("`{f}` belongs to {what} events only"),
                ))
            } else {
                Ok(())
            }
        };
        only(
            !remedy && e.under.is_some(),
            "under",
            "repaired and replaced",
        )?;
        only(
            !remedy && e.returned_at.is_some(),
            "returned_at",
            "repaired and replaced",
        )?;
        only(
            kind != EventKind::Replaced && e.requested_at.is_some(),
            "requested_at",
            "replaced",
        )?;
        only(
            kind != EventKind::Replaced && e.instead_of_repair,
            "instead_of_repair",
            "replaced",
        )?;
        only(
            kind != EventKind::Repaired && e.instead_of_replacement,
            "instead_of_replacement",
            "repaired",
        )?;
        only(
            !matches!(kind, EventKind::Replaced | EventKind::Voided) && e.reason.is_some(),
            "reason",
            "replaced and voided",
        )?;
        only(
            kind != EventKind::Voided && e.layer.is_some(),
            "layer",
            "voided",
        )?;
        only(
            kind != EventKind::Repaired && e.component.is_some(),
            "component",
            "repaired",
        )?;
        only(
            kind != EventKind::Transferred && e.to.is_some(),
            "to",
            "transferred",
        )?;
        if e.returned_at.is_some_and(|r| r < e.at) {
            return Err(Error::invalid(
                at("returned_at"),
                "the goods cannot be returned before the event",
            ));
        }
        if e.requested_at.is_some_and(|r| r > e.at) {
            return Err(Error::invalid(
                at("requested_at"),
                "the replacement cannot be issued before it was requested",
            ));
        }
        for (f, id) in [("under", &e.under), ("layer", &e.layer)] {
            let Some(id) = id else { continue };
            match item.warranties.iter().find(|l| &l.id == id) {
                None => {
                    return Err(Error::invalid(
                        at(f),
                        format!("`{id}` is not a layer of this item"),
                    ))
                }
                Some(l) if f == "layer" && l.kind == LayerKind::Statutory => {
                    return Err(Error::invalid(
                        at(f),
                        "the legal guarantee cannot be voided",
                    ))
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// A repair suspension that would carry the period past year 9999 is refused, not
    /// rendered as a five-digit year.
    #[test]
    fn a_suspension_past_year_9999_is_an_error() {
        let answer = crate::protocol::call(
            r#"{"op":"stack_coverage","failure_at":"9999-06-01T00:00:00Z","item":{"id":"X","events":[{"event":"sold","at":"9997-01-01T00:00:00Z"},{"event":"repaired","at":"9997-06-01T00:00:00Z","under":"L","returned_at":"9999-12-31T00:00:00Z"}],"warranties":[{"id":"L","kind":"statutory","jurisdiction":"ES"}]}}"#,
        );
        assert!(
            answer.starts_with(r#"{"ok":false,"error":{"code":"INVALID_INPUT""#),
            "{answer}"
        );
        assert!(answer.contains("outside the supported years"), "{answer}");
    }
}
