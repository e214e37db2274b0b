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
