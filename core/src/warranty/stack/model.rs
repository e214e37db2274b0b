//! The installed item, its events and its warranty layers, as a request carries them.

use std::cmp::Ordering;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::time::{Duration, Instant};
use crate::warranty::policy::{Dec, Policy};

/// Most warranties one item may carry.
pub const MAX_LAYERS: usize = 64;

crate::wire::wire_enum! {
    /// What happened to an item.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum EventKind {
        /// Sold (the contract): the date that picks the statutory rows.
        Sold = "sold",
        /// Handed over to the customer: starts the legal guarantee.
        Delivered = "delivered",
        /// Installed.
        Installed = "installed",
        /// Repaired; `under` names the layer the repair was a remedy under.
        Repaired = "repaired",
        /// Replaced by another unit; every active layer follows its replacement mode.
        Replaced = "replaced",
        /// One commercial layer (`layer`), or every commercial layer, voided.
        Voided = "voided",
        /// Sold on to another owner; layers that are not transferable end.
        Transferred = "transferred",
    }
}

/// One event on an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub struct Event {
    /// What happened.
    pub event: EventKind,
    /// When (for a replacement: when the new unit was issued).
    pub at: Instant,
    /// `repaired`, `replaced`: the layer this was a remedy under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under: Option<String>,
    /// `repaired`, `replaced`: when the goods were handed back (default `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_at: Option<Instant>,
    /// `replaced`: when the replacement was requested (default `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<Instant>,
    /// `replaced`: the consumer chose a repair and the seller replaced instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instead_of_repair: bool,
    /// `repaired`: the consumer chose a replacement and the seller repaired instead (the
    /// repair does not count for rows with `condition: consumer_chose_repair`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instead_of_replacement: bool,
    /// `replaced`: the replacement reason (a reason id of the layers' terms); `voided`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `voided`: the layer voided (absent: every commercial layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// `repaired`: the component repaired (recorded, not used by the rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// `transferred`: the new owner (recorded, not used by the rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

crate::strict::text_struct!(Event {
    need_other event,
    need_other at,
    opt_text under,
    other returned_at,
    other requested_at,
    other instead_of_repair,
    other instead_of_replacement,
    opt_text reason,
    opt_text layer,
    opt_text component,
    opt_text to,
});

impl Event {
    /// An event of `kind` at `at` with no other field.
    pub fn at(kind: EventKind, at: Instant) -> Self {
        Event {
            event: kind,
            at,
            under: None,
            returned_at: None,
            requested_at: None,
            instead_of_repair: false,
            instead_of_replacement: false,
            reason: None,
            layer: None,
            component: None,
            to: None,
        }
    }

    pub(super) fn order(&self, other: &Event) -> Ordering {
        (self.at, self.event)
            .cmp(&(other.at, other.event))
            .then_with(|| {
                let key = |e: &Event| {
                    (
                        e.under.clone(),
                        e.returned_at,
                        e.requested_at,
                        e.instead_of_repair,
                        e.instead_of_replacement,
                        e.reason.clone(),
                        e.layer.clone(),
                        e.component.clone(),
                        e.to.clone(),
                    )
                };
                key(self).cmp(&key(other))
            })
    }

    pub(super) fn returned(&self) -> Instant {
        self.returned_at.unwrap_or(self.at)
    }
}

crate::wire::wire_enum! {
    /// What kind of warranty a layer is; it fixes who pays.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum LayerKind {
        /// The seller's legal guarantee (a statutory preset).
        Statutory = "statutory",
        /// The manufacturer's warranty.
        Manufacturer = "manufacturer",
        /// A warranty the seller gives of its own.
        Seller = "seller",
        /// An extended plan sold with the item.
        Extended = "extended",
    }
}

crate::wire::wire_enum! {
    /// Who bears the cost of a covered failure.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum Payer {
        /// The seller (legal guarantee, seller's warranty).
        Seller = "seller",
        /// The manufacturer.
        Manufacturer = "manufacturer",
        /// The extended plan's provider.
        PlanProvider = "plan_provider",
    }
}

impl Payer {
    pub(super) fn words(self) -> &'static str {
        match self {
            Payer::Seller => "seller's cost",
            Payer::Manufacturer => "manufacturer's cost",
            Payer::PlanProvider => "plan provider's cost",
        }
    }
}

impl LayerKind {
    /// Who pays under this kind of layer.
    pub fn payer(self) -> Payer {
        match self {
            LayerKind::Statutory | LayerKind::Seller => Payer::Seller,
            LayerKind::Manufacturer => Payer::Manufacturer,
            LayerKind::Extended => Payer::PlanProvider,
        }
    }

    pub(super) fn rank(self) -> u8 {
        match self {
            LayerKind::Manufacturer => 0,
            LayerKind::Seller => 1,
            LayerKind::Extended => 2,
            LayerKind::Statutory => 3,
        }
    }
}

/// The event that starts a commercial layer's clock, or the end of another layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartsOn {
    /// The sale.
    Sold,
    /// The delivery.
    Delivered,
    /// The installation.
    Installed,
    /// When the named layer ends (`{"after": "MFR"}`): an extended plan that takes over.
    After(String),
}

impl Serialize for StartsOn {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            StartsOn::Sold => s.serialize_str("sold"),
            StartsOn::Delivered => s.serialize_str("delivered"),
            StartsOn::Installed => s.serialize_str("installed"),
            StartsOn::After(id) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("after", id)?;
                m.end()
            }
        }
    }
}

/// What a `starts_on` value must be (read with `deserialize_any`, like the number-or-text
/// fields: the dispatcher places a wrong array or object at the value, not inside it).
pub const STARTS_ON_EXPECTING: &str =
    "\"sold\", \"delivered\", \"installed\" or {\"after\": layer id}";

impl<'de> Deserialize<'de> for StartsOn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StartsOn;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(STARTS_ON_EXPECTING)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<StartsOn, E> {
                match v {
                    "sold" => Ok(StartsOn::Sold),
                    "delivered" => Ok(StartsOn::Delivered),
                    "installed" => Ok(StartsOn::Installed),
                    other => Err(E::unknown_variant(
                        other,
                        &["sold", "delivered", "installed"],
                    )),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> std::result::Result<StartsOn, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct After {
                    after: String,
                }
                let a = After::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(StartsOn::After(a.after))
            }
        }
        d.deserialize_any(V)
    }
}

fn default_true() -> bool {
    true
}

/// One warranty attached to an item.
#[derive(Clone, Debug, PartialEq, Serialize)]
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub struct Layer {
    /// Unique within the item.
    pub id: String,
    /// Statutory, manufacturer, seller or extended.
    pub kind: LayerKind,
    /// The provider's name, for messages (`Samsung`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Commercial layers: what starts the clock (default `sold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<StartsOn>,
    /// When the layer was attached: its terms are frozen as of then, and it covers no failure
    /// before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_at: Option<Instant>,
    /// Commercial layers: the terms (a policy: duration, reasons, usage cap, replacement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<Policy>,
    /// Commercial layers: the components covered (empty: the whole item).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Commercial layers: whether the layer survives a change of owner (default true).
    #[serde(default = "default_true")]
    pub transferable: bool,
    /// Commercial layers: the usage reading when the layer started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_at_start: Option<Dec>,
    /// Statutory layers: the jurisdiction of the preset (`PT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Statutory layers, second-hand goods: the shorter period agreed at sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_period: Option<Duration>,
    /// Statutory layers: reasons that are not a lack of conformity (`DROP`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_reasons: Vec<String>,
}

crate::strict::text_struct!(Layer {
    need_text id,
    need_other kind,
    opt_text provider,
    other starts_on,
    other attached_at,
    other terms,
    other components,
    other(default_true()) transferable,
    other usage_at_start,
    opt_text jurisdiction,
    other agreed_period,
    other excluded_reasons,
});

/// An installed item and its warranties.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub struct StackItem {
    /// The host's id for the item.
    pub id: String,
    /// Serial number or VIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Product type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Product family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Sold second-hand.
    #[serde(default)]
    pub second_hand: bool,
    /// What happened to it, in any order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// The warranties on it.
    #[serde(default)]
    pub warranties: Vec<Layer>,
}

crate::strict::text_struct!(StackItem {
    need_text id,
    opt_text serial,
    opt_text product,
    opt_text product_type = "type",
    opt_text brand,
    opt_text family,
    other second_hand,
    other events,
    other warranties,
});
