//! Policies (CRM.COM `warranty_policies`, PROTOCOL.md "Policy object") and the values they use.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::time::{Duration, ExpiryMode, Instant};

/// Whether a policy may be applied to sold goods at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// May be applied (CRM.COM `EFFECTIVE`).
    #[default]
    Effective,
    /// May not be applied (CRM.COM `NOT_EFFECTIVE`).
    NotEffective,
}

crate::wire::wire_enum! {
    /// How the policy of a replaced item carries over to the item that replaces it (DESIGN §6).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ReplacementMode {
        /// The replacement inherits the remaining coverage (`CARRY_OVER_WARRANTY`).
        CarryOver = "carry_over",
        /// The replacement gets the policy afresh from its issue (`APPLY_NEW_WARRANTY`).
        ApplyNew = "apply_new",
        /// The replacement inherits nothing (`NO_WARRANTY`).
        #[default]
        NoWarranty = "no_warranty",
    }
}

crate::wire::wire_enum! {
    /// The kinds of key a covered-goods entry may name, from most to least specific (the
    /// order of `CoverKind::ALL`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum CoverKind {
        /// A product code (most specific).
        Product = "product",
        /// A product type name.
        ProductType = "product_type",
        /// A brand name.
        Brand = "brand",
        /// A product family name (least specific).
        Family = "family",
    }
}

impl CoverKind {
    /// Index 0..4 in [`CoverKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn words(self) -> &'static str {
        match self {
            CoverKind::Product => "product",
            CoverKind::ProductType => "product type",
            CoverKind::Brand => "brand",
            CoverKind::Family => "product family",
        }
    }
}

impl fmt::Display for CoverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

/// One covered-goods entry: exactly one kind and the value it must equal (case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cover {
    /// Which key of the item this entry looks at.
    pub kind: CoverKind,
    /// The value that key must equal.
    pub value: String,
}

impl Serialize for Cover {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.kind.as_str(), &self.value)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Cover {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        const KINDS: &[&str] = &["product", "product_type", "brand", "family"];
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Cover;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object naming one of product, product_type, brand, family")
            }
            // The checks run inside the map visitor, so that serde_json places an error at
            // this entry of `covers` (error paths come from positions).
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Cover, A::Error> {
                let mut found: Option<Cover> = None;
                let mut count = 0;
                while let Some(kind) = map.next_key_seed(KindKey)? {
                    if let Some(value) = map.next_value::<Option<String>>()? {
                        count = usize::saturating_add(count, 1);
                        found = Some(Cover { kind, value });
                    }
                }
                match (found, count) {
                    (Some(c), 1) => Ok(c),
                    _ => Err(serde::de::Error::custom(
                        "a covers entry names exactly one of product, product_type, brand, family",
                    )),
                }
            }
        }
        /// A `covers` key read as its kind, without copying the key's text.
        struct KindKey;
        impl<'de> serde::de::DeserializeSeed<'de> for KindKey {
            type Value = CoverKind;
            fn deserialize<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<CoverKind, D::Error> {
                d.deserialize_str(self)
            }
        }
        impl serde::de::Visitor<'_> for KindKey {
            type Value = CoverKind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("one of product, product_type, brand, family")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                key: &str,
            ) -> std::result::Result<CoverKind, E> {
                match key {
                    "product" => Ok(CoverKind::Product),
                    "product_type" => Ok(CoverKind::ProductType),
                    "brand" => Ok(CoverKind::Brand),
                    "family" => Ok(CoverKind::Family),
                    other => Err(serde::de::Error::unknown_field(other, KINDS)),
                }
            }
        }
        d.deserialize_map(V)
    }
}

/// A coverage reason listed on a policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The reason id the host passes in `reason`.
    pub id: String,
    /// `true` covers, `false` excludes, `null` (or absent) leaves the decision to a person.
    #[serde(default)]
    pub provides_coverage: Option<bool>,
    /// Reason-level replacement mode overriding the policy's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<ReplacementMode>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A usage cap, "whichever comes first" with the duration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageLimit {
    /// What is counted, e.g. `hours` or `km`.
    pub unit: String,
    /// The most usage allowed since the start of coverage.
    pub limit: Dec,
}

/// A non-negative exact decimal carried as a JSON string (`"2000"`, `"1.5"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Dec(pub Decimal);

impl FromStr for Dec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let ok = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && s.bytes().filter(|b| *b == b'.').count() <= 1
            && !s.starts_with('.')
            && !s.ends_with('.');
        let d = if ok {
            Decimal::from_str_exact(s).ok()
        } else {
            None
        };
        d.map(Dec).ok_or_else(|| {
            format!("`{s}` is not a non-negative decimal string such as \"2000\" or \"1.5\"")
        })
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal string such as \"2000\" or \"1.5\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Dec, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A warranty policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Unique id within a catalog.
    pub id: String,
    /// Policy number; ties between equally specific candidates go to the lowest (string order).
    #[serde(default)]
    pub number: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// CRM.COM alternative code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative_code: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Life-cycle state.
    #[serde(default)]
    pub state: State,
    /// How long coverage lasts from its start.
    pub duration: Duration,
    /// Exact end or end of the local day.
    #[serde(default)]
    pub expiry: ExpiryMode,
    /// Replacement coverage policy.
    #[serde(default)]
    pub replacement: ReplacementMode,
    /// The policy applies to goods sold at or after this instant.
    #[serde(default)]
    pub effective_from: Option<Instant>,
    /// The policy applies to goods sold at or before this instant.
    #[serde(default)]
    pub effective_until: Option<Instant>,
    /// Covered goods.
    #[serde(default)]
    pub covers: Vec<Cover>,
    /// Coverage reasons.
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// Business units allowed to apply the policy; empty = all.
    #[serde(default)]
    pub business_units: Vec<String>,
    /// Usage cap, whichever comes first.
    #[serde(default)]
    pub usage_limit: Option<UsageLimit>,
    /// Parts window; defaults to `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts_duration: Option<Duration>,
    /// Labour window; defaults to `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_duration: Option<Duration>,
    /// What the company undertakes (echoed in explanations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_responsibilities: Option<String>,
    /// What the customer must do (echoed in explanations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_responsibilities: Option<String>,
    /// User-defined fields, carried through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udf: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Policy {
    /// A policy with the given id and duration and every default of PROTOCOL.md.
    pub fn new(id: impl Into<String>, duration: Duration) -> Self {
        Policy {
            id: id.into(),
            number: String::new(),
            name: None,
            alternative_code: None,
            description: None,
            state: State::Effective,
            duration,
            expiry: ExpiryMode::Exact,
            replacement: ReplacementMode::NoWarranty,
            effective_from: None,
            effective_until: None,
            covers: Vec::new(),
            reasons: Vec::new(),
            business_units: Vec::new(),
            usage_limit: None,
            parts_duration: None,
            labour_duration: None,
            company_responsibilities: None,
            customer_responsibilities: None,
            udf: None,
        }
    }

    /// The reason with this id, if listed.
    pub fn reason(&self, id: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.id == id)
    }

    /// Checks what serde cannot: reason ids are unique. Paths are relative to the policy.
    pub fn validate(&self) -> Result<()> {
        for (i, r) in self.reasons.iter().enumerate() {
            if self.reasons.iter().take(i).any(|p| p.id == r.id) {
                return Err(Error::invalid(
                    format!("reasons[{i}].id"),
                    format!("reason `{}` is listed twice", r.id),
                ));
            }
        }
        Ok(())
    }

    /// The name to show people: name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}
