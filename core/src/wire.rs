//! Wire names: one place for the text of each fixed-set value.
//!
//! [`wire_enum!`] declares an enum whose variants carry their wire names (`Draft = "draft"`):
//! serde reads and writes those names, and `as_str` gives the same text, so the two cannot
//! drift apart.

/// Declares an enum of unit variants, each with its wire name, and its `as_str`. Derives and
/// other attributes are the caller's; each variant gets `#[serde(rename = ...)]`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name::$variant, )*];

            /// The wire name: the text serde reads and writes for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )*
                }
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use crate::claims::lifecycle::{Action, Role, Status, TransitionRule};
    use crate::claims::{RuleCode, ValidationOutcome};
    use crate::error::ErrorCode;
    use crate::warranty::coverage::{Code, Outcome};
    use crate::warranty::policy::{CoverKind, ReplacementMode};
    use crate::warranty::stack::{EventKind, LayerKind, Payer};

    fn serde_agrees<T: serde::Serialize + Copy>(all: &[T], name: impl Fn(T) -> &'static str) {
        for &v in all {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", name(v))
            );
        }
    }

    #[test]
    fn serde_writes_the_wire_names() {
        serde_agrees(ErrorCode::ALL, ErrorCode::as_str);
        serde_agrees(Code::ALL, Code::as_str);
        serde_agrees(Outcome::ALL, Outcome::as_str);
        serde_agrees(ValidationOutcome::ALL, ValidationOutcome::as_str);
        serde_agrees(RuleCode::ALL, RuleCode::as_str);
        serde_agrees(Status::ALL, Status::as_str);
        serde_agrees(Action::ALL, Action::as_str);
        serde_agrees(Role::ALL, Role::as_str);
        serde_agrees(TransitionRule::ALL, TransitionRule::as_str);
        serde_agrees(EventKind::ALL, EventKind::as_str);
        serde_agrees(ReplacementMode::ALL, ReplacementMode::as_str);
        serde_agrees(CoverKind::ALL, CoverKind::as_str);
        serde_agrees(LayerKind::ALL, LayerKind::as_str);
        serde_agrees(Payer::ALL, Payer::as_str);
        #[cfg(feature = "sync")]
        {
            use crate::sync::outbox::EventKind as OutboxEvent;
            use crate::sync::webhook::Refusal;
            serde_agrees(Refusal::ALL, Refusal::as_str);
            serde_agrees(OutboxEvent::ALL, OutboxEvent::as_str);
        }
    }

    #[test]
    fn every_claim_rule_and_transition_rule_is_documented() {
        let doc = include_str!("../../docs/claims.md");
        let names = RuleCode::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(TransitionRule::ALL.iter().map(|r| r.as_str()));
        for name in names {
            assert!(doc.contains(&format!("`{name}`")), "{name}");
        }
    }
}
