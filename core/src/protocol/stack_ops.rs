//! The dispatcher's coverage-stack operations (`docs/stacks.md`): `stack_coverage`,
//! `expiring` and `statutory_presets`.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{parse, ser};
use crate::error::{Error, Result};
use crate::time::{Calendar, Duration, Instant, Zone};
use crate::warranty::policy::Dec;
use crate::warranty::stack::presets::{self, PresetRow, Presets};
use crate::warranty::stack::{self, Expiring, Failure, LayerKind, Stack, StackItem};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StackReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    item: StackItem,
    failure_at: Instant,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    component: Option<String>,
    #[serde(default)]
    usage: Option<Dec>,
    #[serde(default)]
    zone: Option<Zone>,
    #[serde(default)]
    presets: Vec<PresetRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpiringReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    as_of: Instant,
    within: Duration,
    #[serde(default)]
    kinds: Vec<LayerKind>,
    items: Vec<StackItem>,
    #[serde(default)]
    zone: Option<Zone>,
    #[serde(default)]
    presets: Vec<PresetRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PresetsReq {
    #[allow(dead_code)]
    op: IgnoredAny,
    #[serde(default)]
    jurisdiction: Option<String>,
}

#[derive(Serialize)]
struct ExpiringAnswer {
    until: Instant,
    count: usize,
    expiring: Vec<Expiring>,
}

#[derive(Serialize)]
struct PresetTable<'a> {
    version: &'static str,
    jurisdictions: Vec<&'a str>,
    rows: Vec<&'a PresetRow>,
}

fn check_presets(rows: &[PresetRow]) -> Result<()> {
    for (i, r) in rows.iter().enumerate() {
        r.validate()
            .map_err(|e| e.within(&format!("presets[{i}]")))?;
    }
    Ok(())
}

/// Runs a coverage-stack operation, or `None` when `op` is not one.
pub(super) fn stack_op(op: &str, request: &str, out: &mut Vec<u8>) -> Option<Result<()>> {
    Some(match op {
        "stack_coverage" => parse(request).and_then(|r: StackReq| {
            check_presets(&r.presets)?;
            let cal = Calendar::for_operation(r.zone, r.failure_at);
            let s =
                Stack::new(&r.item, Presets::new(&r.presets), cal).map_err(|e| e.within("item"))?;
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
            ser(out, &answer)
        }),
        "expiring" => parse(request).and_then(|r: ExpiringReq| {
            check_presets(&r.presets)?;
            let cal = Calendar::for_operation(r.zone, r.as_of);
            let until = stack::window_end(r.as_of, r.within, cal)?;
            let presets = Presets::new(&r.presets);
            let mut found = Vec::new();
            for (i, item) in r.items.iter().enumerate() {
                let at = format!("items[{i}]");
                let s = Stack::new(item, presets, cal).map_err(|e| e.within(&at))?;
                stack::expiring(&s, r.as_of, until, &r.kinds, &mut found)
                    .map_err(|e| e.within(&at))?;
            }
            stack::sort_expiring(&mut found);
            ser(
                out,
                &ExpiringAnswer {
                    until,
                    count: found.len(),
                    expiring: found,
                },
            )
        }),
        "statutory_presets" => parse(request).and_then(|r: PresetsReq| {
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
                Some(j) => vec![j.as_str()],
                None => p.jurisdictions(),
            };
            let rows = presets::builtin()
                .iter()
                .filter(|row| jurisdictions.contains(&row.jurisdiction.as_str()))
                .collect();
            ser(
                out,
                &PresetTable {
                    version: presets::PRESETS_VERSION,
                    jurisdictions,
                    rows,
                },
            )
        }),
        _ => return None,
    })
}

#[cfg(test)]
pub(super) fn check_paths(op: &str, req: &str) -> Option<std::result::Result<(), String>> {
    use super::path_tests::same;
    Some(match op {
        "stack_coverage" => same::<StackReq>(req),
        "expiring" => same::<ExpiringReq>(req),
        "statutory_presets" => same::<PresetsReq>(req),
        _ => return None,
    })
}
