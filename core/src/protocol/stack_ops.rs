//! The dispatcher's coverage-stack operations (`docs/stacks.md`): `stack_coverage`,
//! `expiring` and `statutory_presets`.

use serde::de::IgnoredAny;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::time::{Calendar, Duration, Instant, Zone};
use crate::warranty::policy::Dec;
use crate::warranty::stack::presets::{self, PresetRow, Presets};
use crate::warranty::stack::{self, Expiring, Failure, LayerKind, Stack, StackItem};

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct StackReq {
    _op: IgnoredAny,
    item: StackItem,
    failure_at: Instant,
    reason: Option<String>,
    component: Option<String>,
    usage: Option<Dec>,
    zone: Option<Zone>,
    presets: Vec<PresetRow>,
}

crate::strict::text_struct!(StackReq {
    need_other _op = "op",
    need_other item,
    need_other failure_at,
    opt_text reason,
    opt_text component,
    other usage,
    other zone,
    other presets,
});

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct ExpiringReq {
    _op: IgnoredAny,
    as_of: Instant,
    within: Duration,
    kinds: Vec<LayerKind>,
    items: Vec<StackItem>,
    zone: Option<Zone>,
    presets: Vec<PresetRow>,
}

crate::strict::text_struct!(ExpiringReq {
    need_other _op = "op",
    need_other as_of,
    need_other within,
    other kinds,
    need_other items,
    other zone,
    other presets,
});

// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub(super) struct PresetsReq {
    _op: IgnoredAny,
    jurisdiction: Option<String>,
}

crate::strict::text_struct!(PresetsReq {
    need_other _op = "op",
    opt_text jurisdiction,
});

#[derive(Serialize)]
pub(super) struct ExpiringAnswer {
    until: Instant,
    count: usize,
    expiring: Vec<Expiring>,
}

#[derive(Serialize)]
pub(super) struct PresetTable {
    version: &'static str,
    jurisdictions: Vec<String>,
    rows: Vec<&'static PresetRow>,
}

fn check_presets(rows: &[PresetRow]) -> Result<()> {
    for (i, r) in rows.iter().enumerate() {
        r.validate()
            .map_err(|e| e.within(&format!("presets[{i}]")))?;
    }
    Ok(())
}

/// `stack_coverage`: one failure judged on every layer of an item.
pub(super) fn stack_coverage(r: StackReq) -> Result<stack::StackAnswer> {
    check_presets(&r.presets)?;
    let cal = Calendar::for_operation(r.zone, r.failure_at);
    let s = Stack::new(&r.item, Presets::new(&r.presets), cal).map_err(|e| e.within("item"))?;
    let failure = Failure {
        at: r.failure_at,
        reason: r.reason.as_deref(),
        component: r.component.as_deref(),
        usage: r.usage,
    };
    let answer = stack::stack_coverage(&s, &failure).map_err(|e| {
        if e.path.ends_with(".usage") {
            Error {
                path: "usage".into(),
                ..e
            }
        } else {
            e.within("item")
        }
    })?;
    Ok(answer)
}

/// `expiring`: the layers of many items that end within a window.
pub(super) fn expiring(r: ExpiringReq) -> Result<ExpiringAnswer> {
    check_presets(&r.presets)?;
    let cal = Calendar::for_operation(r.zone, r.as_of);
    let (until, found) = stack::expiring_items(
        &r.items,
        Presets::new(&r.presets),
        r.as_of,
        r.within,
        &r.kinds,
        cal,
    )?;
    Ok(ExpiringAnswer {
        until,
        count: found.len(),
        expiring: found,
    })
}

/// `statutory_presets`: the built-in statutory rows, for one jurisdiction or all.
pub(super) fn statutory_presets(r: PresetsReq) -> Result<PresetTable> {
    let p = Presets::new(&[]);
    let jurisdictions = match &r.jurisdiction {
        Some(j) if !p.knows(j) => {
            return Err(Error::invalid(
                "jurisdiction",
                format!(
                    "no statutory preset for `{j}`; known: {}",
                    p.jurisdictions().join(", ")
                ),
            ))
        }
        Some(j) => vec![j.clone()],
        None => p.jurisdictions().into_iter().map(String::from).collect(),
    };
    let rows = presets::builtin()
        .iter()
        .filter(|row| jurisdictions.contains(&row.jurisdiction))
        .collect();
    Ok(PresetTable {
        version: presets::PRESETS_VERSION,
        jurisdictions,
        rows,
    })
}
