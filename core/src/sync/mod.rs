//! Sync without I/O (DESIGN §9, `docs/sync.md`): the outbox state machine, signed webhooks
//! and the API audit records, as a typed Rust API. The dispatcher operations (`outbox_*`,
//! `webhook_*`) that make them reachable from C, WASM and the CLI are not wired yet (see
//! `docs/sync.md`, "Status").

pub mod cnh;
pub mod crm_coverage;
pub mod flows;
pub mod outbox;
pub mod product_code;
pub mod warranty_life;
pub mod webhook;

pub use outbox::{
    Event, EventKind, Message, MessageState, Outbox, OutboxConfig, Persist, Snapshot, Transmit,
};

/// Inserts `key: value` into a partner body unless `value` is blank (partners want optional
/// fields left out rather than empty).
pub(crate) fn put_nonempty(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    value: &str,
) {
    if !value.trim().is_empty() {
        map.insert(
            key.to_string(),
            serde_json::Value::String(value.to_string()),
        );
    }
}
