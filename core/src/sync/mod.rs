//! Sync without I/O (DESIGN §9, `docs/sync.md`): the outbox state machine (with the API audit
//! records), signed webhooks, and the flows that build on the partner adapters
//! (`crate::partners`). The dispatcher's `outbox_*`, `webhook_*`,
//! `activate_sale` and `claim_changed` operations make them reachable from C, WASM and the
//! CLI (`docs/protocol.md`).

pub mod flows;
pub mod http_date;
pub mod outbox;
pub mod webhook;

pub use outbox::{
    Event, EventKind, Message, MessageState, Outbox, OutboxConfig, Persist, Snapshot, Transmit,
};

/// A `u64` written as a decimal string in JSON (the PRNG state), so that JavaScript hosts,
/// whose numbers stop being exact at 2^53, store and give it back unchanged. Reads a string
/// or a number.
pub(crate) mod u64_text {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    /// What a refused value was expected to be (the dispatcher places such errors).
    pub const EXPECTING: &str = "an unsigned 64-bit integer as a decimal string";

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTING)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::custom(format!(
                        "`{v}` is not an unsigned decimal integer"
                    )));
                }
                v.parse()
                    .map_err(|_| E::custom(format!("`{v}` does not fit in 64 bits")))
            }
        }
        d.deserialize_any(V)
    }
}
