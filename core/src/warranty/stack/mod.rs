//! Coverage stacks (docs/stacks.md): every warranty on one installed item — the seller's
//! legal guarantee, the manufacturer's warranty, a seller's warranty, extended plans and
//! component warranties — with the events that move them, answered layer by layer for one
//! failure: who covers it first, who pays, and whether the burden of proof is still reversed.
//!
//! - [`model`]: the item, its events and its layers (the request's shape);
//! - [`presets`]: the statutory guarantee rows, versioned data the host can override;
//! - [`timeline`]: each layer's clock from the item's events ([`Stack::timelines`]);
//! - [`answer`]: a failure judged on every layer ([`stack_coverage`]) and expiry queries
//!   ([`expiring`]).
//!
//! A layer's clock and end depend on the item's events only, never on the failure asked about
//! and never on the other layers (except a layer that starts when another ends), so adding a
//! layer never changes another's answer.

pub mod answer;
pub mod model;
pub mod presets;
pub mod timeline;

pub use answer::{
    code_clause, expiring, expiring_items, judge, sort_expiring, stack_coverage, window_end,
    Expiring, Failure, LayerAnswer, StackAnswer,
};
pub use model::{Event, EventKind, Layer, LayerKind, Payer, StackItem, StartsOn, MAX_LAYERS};
pub use presets::{Condition, Jurisdiction, PresetRow, Presets, Rule, PRESETS_VERSION};
pub use timeline::{Extension, Stack, Timeline};
