//! Strict JSON: a deserializer wrapper that refuses what serde's derive quietly accepts.
//!
//! serde's derived `Deserialize` for a struct also reads a JSON array, field by field in
//! declaration order (`"duration":[1,"days"]` reads as `{"value":1,"unit":"days"}`), and a
//! map or `serde_json::Value` keeps the last of two equal keys. A warranty request is a
//! contract, not a guess: [`Strict`] wraps any deserializer (serde_json's, or a `Value`) and
//!
//! - refuses an array where a struct belongs (`invalid type: sequence, expected …`, at the
//!   array);
//! - refuses a repeated key in any object read as a map or a `Value` (`duplicate key `k``,
//!   at the second key). Structs already refuse a repeated field (`duplicate field `k``).
//!
//! Everything else is passed through unchanged, so error messages and positions stay those
//! of serde_json and paths come from positions as before (`crate::jsonpath`). The wrapper
//! recurses through every nested value, map, sequence and enum.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

/// Deserializes `T` from `d` with the strict rules of this module.
pub fn deserialize<'de, T: de::Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    T::deserialize(Strict(d))
}

/// `serde_json::from_str` with the strict rules, and nothing but whitespace after the value.
pub fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Reads a JSON document held in a request field (`at`, e.g. `body`: a partner's answer)
/// with the strict rules. Not JSON is `INVALID_INPUT` at `at`, with `what` naming what was
/// expected; a data error (a repeated key, a wrong type) is placed at its path inside the
/// document, below `at` (`body.Items[1].code`: the repeated key itself).
#[cfg(feature = "sync")]
pub(crate) fn from_field<T: de::DeserializeOwned>(
    text: &str,
    at: &str,
    what: &str,
) -> crate::error::Result<T> {
    from_str(text).map_err(|e| {
        // A syntax error keeps serde_json's line and column: the document is the field's.
        if !e.is_data() {
            return crate::error::Error::invalid(at, format!("{what}: {e}"));
        }
        let end = crate::jsonpath::offset_of(text, e.line(), e.column());
        let msg = e.to_string();
        let msg = msg
            .rfind(" at line ")
            .and_then(|i| msg.get(..i))
            .unwrap_or(&msg)
            .to_string();
        let msg = crate::jsonpath::name_the_number(text, end, msg);
        crate::error::Error::invalid(
            crate::error::join_path(at, &crate::jsonpath::path_at(text, end, false)),
            if what.is_empty() {
                msg
            } else {
                format!("{what}: {msg}")
            },
        )
    })
}

/// A deserializer that applies the strict rules to everything read through it.
pub struct Strict<D>(pub D);

/// The visitor of any value but a struct: a map (or a `Value`'s object) refuses repeated keys.
struct Wrap<V> {
    inner: V,
}

fn wrap<V>(inner: V) -> Wrap<V> {
    Wrap { inner }
}

/// The visitor of a struct: an array is refused without ever reaching the derived visitor's
/// `visit_seq` (so that code is never built), and fields are read as they come (the derived
/// visitor refuses its own repeated fields). serde_json and `Value` call nothing else on a
/// struct's visitor; any other input is refused with the struct's own expectation.
struct StructWrap<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for StructWrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(Unexpected::Seq, &self.0))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(StructMap(map))
    }
}

/// A struct's fields: keys and values read through [`Strict`].
struct StructMap<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StructMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

macro_rules! forward {
    ($($name:ident),* $(,)?) => {
        $(
            fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$name(wrap(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, wrap(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, StructWrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit_scalar {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(
            fn $name<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.inner.$name(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    visit_scalar!(
        visit_bool: bool,
        visit_i8: i8,
        visit_i16: i16,
        visit_i32: i32,
        visit_i64: i64,
        visit_i128: i128,
        visit_u8: u8,
        visit_u16: u16,
        visit_u32: u32,
        visit_u64: u64,
        visit_u128: u128,
        visit_f32: f32,
        visit_f64: f64,
        visit_char: char,
        visit_str: &str,
        visit_borrowed_str: &'de str,
        visit_string: String,
        visit_bytes: &[u8],
        visit_borrowed_bytes: &'de [u8],
        visit_byte_buf: Vec<u8>,
    );

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_some(Strict(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_newtype_struct(Strict(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_seq(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_map(Map {
            inner: map,
            seen: Seen::default(),
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_enum(Enum(data))
    }
}

/// A seed whose value is read through [`Strict`].
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<'de, A> {
    inner: A,
    /// The keys read so far.
    seen: Seen<'de>,
}

/// The keys of one map read so far: borrowed from the input when they have no escapes (no
/// allocation for a warranty request's small objects), a list while short, a set after.
#[derive(Default)]
enum Seen<'de> {
    #[default]
    None,
    Few(Vec<Cow<'de, str>>),
    Many(BTreeSet<Cow<'de, str>>),
}

/// Keys kept in a list up to this many; a longer map (a hostile one with a million keys)
/// moves them into a set, so the check stays logarithmic.
const FEW_KEYS: usize = 16;

impl<'de> Seen<'de> {
    fn contains(&self, key: &str) -> bool {
        match self {
            Seen::None => false,
            Seen::Few(v) => v.iter().any(|k| k == key),
            Seen::Many(s) => s.contains(key),
        }
    }

    fn insert(&mut self, key: Cow<'de, str>) {
        match self {
            Seen::None => *self = Seen::Few(vec![key]),
            Seen::Few(v) if v.len() < FEW_KEYS => v.push(key),
            Seen::Few(v) => {
                // Inserted one by one: `collect` into a set would build a sort for it.
                let mut set = BTreeSet::new();
                for k in v.drain(..) {
                    set.insert(k);
                }
                set.insert(key);
                *self = Seen::Many(set);
            }
            Seen::Many(s) => {
                s.insert(key);
            }
        }
    }
}

/// A struct's key, read as the index of its field in a field list; an unknown key is refused
/// as serde's derive refuses it (`unknown field `k`, expected one of …`, in declaration
/// order), at the key. For [`text_struct!`].
pub(crate) struct FieldIndex(pub(crate) &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        let key = d.deserialize_identifier(KeyText(PhantomData))?;
        self.0
            .iter()
            .position(|f| *f == key)
            .ok_or_else(|| de::Error::unknown_field(&key, self.0))
    }
}

/// The bit of field `i` in [`text_struct!`]'s set of fields read (`i` < 64, checked there).
pub(crate) fn field_bit(i: usize) -> u64 {
    u32::try_from(i)
        .ok()
        .and_then(|i| 1u64.checked_shl(i))
        .unwrap_or(0)
}

/// `Deserialize` for a struct of mostly text fields, read as serde's derive reads a struct
/// with `#[serde(deny_unknown_fields)]` — the same errors, in the same order and at the same
/// positions (an unknown or repeated field at its key, a wrong type at its value, the first
/// missing required field after the object) — but with one reader for all of its `String`
/// fields and one for all of its `Option<String>` fields, where the derive builds one per
/// field (a claim has 22), and the fields read so far held in one value (one drop on an
/// error, where the derive drops each). Fields are listed in declaration order, each with its
/// kind and, when the wire name is not the field's, `= "name"`:
///
/// - `text` (a `String`), `opt_text` (an `Option<String>`), `other` (any `Deserialize`):
///   missing is the field type's `Default` (`#[serde(default)]` on the field), or `other(e)`:
///   missing is `e` (`#[serde(default = "…")]`);
/// - `need_text`, `need_other`: required (`missing field `f``).
///
/// `text_struct!(T: default { … })` reads as `#[serde(default)]` on the struct: a missing
/// field is that field of `T::default()` (no required fields then).
macro_rules! text_struct {
    ($ty:ident: default { $($kind:ident $field:ident $(= $wire:literal)?),* $(,)? }) => {
        $crate::strict::text_struct!(@de $ty,
            [$($crate::strict::text_struct!(@wire $field $($wire)?)),*], [], |map| {
                // Read in place into the default value.
                let mut st = <$ty as Default>::default();
                $crate::strict::text_struct!(@read map st FIELDS { $($kind $field $(= $wire)?),* });
                Ok(st)
            });

        // Every field is listed: a field added to the struct and not here does not compile.
        const _: fn(&$ty) = |v| {
            let $ty { $($field: _),* } = v;
        };
    };
    (@read $map:ident $st:ident $fields:ident { $($kind:ident $field:ident $(= $wire:literal)?),* }) => {
        let mut seen = 0u64;
        while let Some(i) = $map.next_key_seed($crate::strict::FieldIndex($fields))? {
            let name = $fields.get(i).copied().unwrap_or_default();
            let bit = $crate::strict::field_bit(i);
            if seen & bit != 0 {
                return Err(serde::de::Error::duplicate_field(name));
            }
            seen |= bit;
            let text: Option<&mut String> = match name {
                $($crate::strict::text_struct!(@wire $field $($wire)?) =>
                    $crate::strict::text_struct!(@text $kind $st.$field),)*
                _ => None,
            };
            if let Some(slot) = text {
                *slot = $map.next_value()?;
                continue;
            }
            let opt_text: Option<&mut Option<String>> = match name {
                $($crate::strict::text_struct!(@wire $field $($wire)?) =>
                    $crate::strict::text_struct!(@opt_text $kind $st.$field),)*
                _ => None,
            };
            if let Some(slot) = opt_text {
                *slot = $map.next_value()?;
                continue;
            }
            match name {
                $($crate::strict::text_struct!(@wire $field $($wire)?) =>
                    $crate::strict::text_struct!(@other $kind $map $st.$field),)*
                _ => {}
            }
        }
    };
    ($ty:ident { $($kind:ident $(($default:expr))? $field:ident $(= $wire:literal)?),* $(,)? }) => {
        $crate::strict::text_struct!(@impl $ty,
            [$(let $field = $crate::strict::text_struct!(@init $kind $($default)?);)*],
            { $($kind $field $(= $wire)?),* });
    };
    (@impl $ty:ident, [$($init:tt)*], { $($kind:ident $field:ident $(= $wire:literal)?),* }) => {
        $crate::strict::text_struct!(@de $ty,
            [$($crate::strict::text_struct!(@wire $field $($wire)?)),*],
            [
                /// The fields read so far (a required one as an `Option`), in one value.
                #[allow(non_camel_case_types, reason = "one type parameter per field, named as it")]
                struct Fields<$($field),*> {
                    $($field: $field),*
                }
            ],
            |map| {
                $($init)*
                let mut st = Fields { $($field),* };
                $crate::strict::text_struct!(@read map st FIELDS { $($kind $field $(= $wire)?),* });
                // In declaration order: the first missing required field is named.
                $(let $field = $crate::strict::text_struct!(
                    @finish $kind st.$field, $crate::strict::text_struct!(@wire $field $($wire)?)
                );)*
                Ok($ty { $($field),* })
            });
    };
    // The `Deserialize` both forms share: `FIELDS` (the wire names, one bit each), `items`,
    // and a visitor whose `visit_map` is `body` over the map `map`.
    (@de $ty:ident, $fields:tt, [$($items:item)*], |$map:ident| $body:block) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const FIELDS: &[&str] = &$fields;
                const _: () = assert!(FIELDS.len() <= 64, "one bit per field");
                $($items)*
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;

                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($ty)))
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut $map: A,
                    ) -> Result<$ty, A::Error> $body
                }
                d.deserialize_struct(stringify!($ty), FIELDS, V)
            }
        }
    };
    (@wire $f:ident) => { stringify!($f) };
    (@wire $f:ident $w:literal) => { $w };
    (@init text) => { String::new() };
    (@init opt_text) => { None::<String> };
    (@init other) => { Default::default() };
    (@init other $default:expr) => { $default };
    (@init need_text) => { None::<String> };
    (@init need_other) => { None };
    (@text text $e:expr) => { Some(&mut $e) };
    (@text need_text $e:expr) => { Some($e.get_or_insert_with(String::new)) };
    (@text $k:ident $e:expr) => { None };
    (@opt_text opt_text $e:expr) => { Some(&mut $e) };
    (@opt_text $k:ident $e:expr) => { None };
    (@other other $map:ident $e:expr) => { $e = $map.next_value()? };
    (@other need_other $map:ident $e:expr) => { $e = Some($map.next_value()?) };
    (@other $k:ident $map:ident $e:expr) => { {} };
    (@finish need_text $e:expr, $name:expr) => {
        $crate::strict::text_struct!(@finish need_other $e, $name)
    };
    (@finish need_other $e:expr, $name:expr) => {
        match $e {
            Some(v) => v,
            None => return Err(serde::de::Error::missing_field($name)),
        }
    };
    (@finish $k:ident $e:expr, $name:expr) => { $e };
}
pub(crate) use text_struct;

/// A map key's text, borrowed from the input when it can be.
struct KeyText<'de>(PhantomData<&'de ()>);

impl<'de> Visitor<'de> for KeyText<'de> {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Reads a map key as text, refuses one already seen, then hands it to the real seed.
struct KeySeed<'a, 'de, S> {
    seed: S,
    seen: &'a mut Seen<'de>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        let key = d.deserialize_str(KeyText(PhantomData))?;
        if self.seen.contains(&key) {
            return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
        }
        let value = match &key {
            Cow::Borrowed(k) => self
                .seed
                .deserialize(de::value::BorrowedStrDeserializer::<D::Error>::new(k)),
            Cow::Owned(k) => self
                .seed
                .deserialize(IntoDeserializer::<D::Error>::into_deserializer(k.as_str())),
        }?;
        self.seen.insert(key);
        Ok(value)
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(KeySeed {
            seed,
            seen: &mut self.seen,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (v, variant) = self.0.variant_seed(Seed(seed))?;
        Ok((v, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, wrap(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, StructWrap(visitor))
    }
}

/// Parses a JSON document held in a request field (`at`: a partner's answer) with the strict
/// rules (a repeated key is refused at the key, as [`from_field`]). Every JSON number is read
/// as its text (`"90071992547409.93"`), so amounts are exact: serde_json would otherwise read
/// it through f64. A document that is not JSON is reported as written; `what` starts the
/// message (none when empty: a field the request's own parse already found to be JSON).
#[cfg(feature = "sync")]
pub(crate) fn exact_value(
    text: &str,
    at: &str,
    what: &str,
) -> crate::error::Result<serde_json::Value> {
    // The document as written decides whether it is JSON (and where it is not); only then
    // are its numbers, each of them a valid JSON number, read as text.
    from_field::<serde_json::Value>(text, at, what)?;
    from_field(&numbers_as_text(text), at, what)
}

/// The compact JSON text of the document in `text` (a request field `at`), as serde_json
/// writes a `Value` — object keys in order, no whitespace — but with every number exactly as
/// written (`12345678901234567.89`, `1.50`), never through f64. Not JSON, or a repeated key,
/// is `INVALID_INPUT` at its path below `at` (the message as for the request itself).
#[cfg(feature = "sync")]
pub(crate) fn exact_compact(text: &str, at: &str) -> crate::error::Result<String> {
    use serde_json::Value;
    fn write(shape: &Value, exact: &Value, out: &mut String) {
        match (shape, exact) {
            (Value::Number(_), Value::String(digits)) => out.push_str(digits),
            (Value::Array(a), Value::Array(b)) => {
                out.push('[');
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, y, out);
                }
                out.push(']');
            }
            (Value::Object(a), Value::Object(b)) => {
                out.push('{');
                for (i, ((k, x), y)) in a.iter().zip(b.values()).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(x, y, out);
                }
                out.push('}');
            }
            (other, _) => out.push_str(&other.to_string()),
        }
    }
    let shape: Value = from_field(text, at, "")?;
    let exact: Value = from_field(&numbers_as_text(text), at, "")?;
    let mut out = String::with_capacity(text.len());
    write(&shape, &exact, &mut out);
    Ok(out)
}

/// `body` with every number outside a string quoted (`{"a":1.50}` → `{"a":"1.50"}`): the
/// exact text of each number survives the parse. Strings, escapes included, are kept.
#[cfg(feature = "sync")]
fn numbers_as_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len().saturating_add(16));
    let mut chars = body.char_indices().peekable();
    let mut in_string = false;
    while let Some((_, c)) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        out.push(e);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '-' | '0'..='9' => {
                out.push('"');
                out.push(c);
                while let Some(&(_, d)) = chars.peek() {
                    if !(d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-')) {
                        break;
                    }
                    out.push(d);
                    chars.next();
                }
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Duration {
        value: u32,
        unit: String,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Req {
        duration: Duration,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        payload: Option<serde_json::Value>,
        #[serde(default)]
        list: Vec<Duration>,
    }

    fn read(s: &str) -> Result<Req, String> {
        from_str(s).map_err(|e| e.to_string())
    }

    #[test]
    fn plain_objects_read_as_before() {
        let r = read(r#"{"duration":{"value":1,"unit":"days"},"headers":{"a":"1","b":"2"},"payload":{"x":[1,{"y":2}]},"list":[{"value":2,"unit":"weeks"}]}"#).unwrap();
        assert_eq!(r.duration.value, 1);
        assert_eq!(r.headers.len(), 2);
        assert_eq!(r.payload.unwrap()["x"][1]["y"], 2);
        assert_eq!(r.list[0].unit, "weeks");
        // What serde alone accepts, and Strict refuses.
        let loose: Req = serde_json::from_str(r#"{"duration":[1,"days"]}"#).unwrap();
        assert_eq!(loose.duration.unit, "days");
    }

    #[test]
    fn an_array_where_a_struct_belongs_is_refused() {
        let e = read(r#"{"duration":[1,"days"]}"#).unwrap_err();
        assert!(
            e.starts_with("invalid type: sequence, expected struct Duration"),
            "{e}"
        );
        let e = read(r#"{"duration":{"value":1,"unit":"days"},"list":[[2,"weeks"]]}"#).unwrap_err();
        assert!(e.starts_with("invalid type: sequence"), "{e}");
        assert!(read("[]")
            .unwrap_err()
            .starts_with("invalid type: sequence"));
    }

    #[test]
    fn repeated_keys_are_refused_everywhere() {
        let e = read(r#"{"duration":{"value":1,"unit":"days"},"headers":{"a":"1","a":"2"}}"#)
            .unwrap_err();
        assert!(e.starts_with("duplicate key `a`"), "{e}");
        let e = read(r#"{"duration":{"value":1,"unit":"days"},"payload":{"x":{"k":1,"k":1}}}"#)
            .unwrap_err();
        assert!(e.starts_with("duplicate key `k`"), "{e}");
        let e = read(r#"{"duration":{"value":1,"unit":"days","unit":"days"}}"#).unwrap_err();
        assert!(e.starts_with("duplicate field `unit`"), "{e}");
        // Equal keys in different objects are fine.
        read(r#"{"duration":{"value":1,"unit":"d"},"payload":[{"k":1},{"k":2}]}"#).unwrap();
    }

    #[test]
    fn repeated_keys_are_found_in_long_maps_and_escaped_keys() {
        // Past the short list of keys (a set then), at either end of the map.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let doc = |extra: &str| {
            format!(
                r#"{{"duration":{{"value":1,"unit":"d"}},"payload":{{{},{extra}}}}}"#,
                keys.join(",")
            )
        };
        for (extra, dup) in [
            (r#""k0":0"#, "k0"),
            (r#""k39":0"#, "k39"),
            (r#""k17":0"#, "k17"),
        ] {
            let e = read(&doc(extra)).unwrap_err();
            assert!(e.starts_with(&format!("duplicate key `{dup}`")), "{e}");
        }
        let r = read(&doc(r#""k40":40"#)).unwrap();
        assert_eq!(r.payload.unwrap().as_object().unwrap().len(), 41);
        // A key with an escape is owned, not borrowed: still compared by its text.
        let e = read(r#"{"duration":{"value":1,"unit":"d"},"headers":{"\u0061":"1","a":"2"}}"#)
            .unwrap_err();
        assert!(e.starts_with("duplicate key `a`"), "{e}");
        // 100,000 keys: the check stays fast (a set), and the map is read whole.
        let many: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let big = format!(
            r#"{{"duration":{{"value":1,"unit":"d"}},"payload":{{{}}}}}"#,
            many.join(",")
        );
        assert_eq!(
            read(&big)
                .unwrap()
                .payload
                .unwrap()
                .as_object()
                .unwrap()
                .len(),
            100_000
        );
    }

    /// The derive's reading of a `deny_unknown_fields, default` struct, beside `text_struct!`
    /// (the same name: it is in the messages).
    mod derived {
        #[derive(serde::Deserialize, Debug, PartialEq, Default)]
        #[serde(deny_unknown_fields, default)]
        pub(super) struct Probe {
            pub(super) a: String,
            pub(super) n: Option<u32>,
            pub(super) b: String,
            pub(super) list: Vec<String>,
            pub(super) inner: Option<super::Duration>,
        }

        /// Required fields, a renamed one, optional texts and field-level defaults.
        #[derive(serde::Deserialize, Debug, PartialEq, Default)]
        #[serde(deny_unknown_fields)]
        pub(super) struct Probe2 {
            pub(super) id: String,
            #[serde(default)]
            pub(super) a: Option<String>,
            #[serde(default, rename = "type")]
            pub(super) kind: Option<String>,
            #[serde(default)]
            pub(super) flag: bool,
            pub(super) n: u32,
            #[serde(default)]
            pub(super) list: Vec<String>,
            #[serde(default = "yes")]
            pub(super) on: bool,
        }

        fn yes() -> bool {
            true
        }
    }

    mod compact {
        #[derive(Debug, PartialEq, Default)]
        pub(super) struct Probe {
            pub(super) a: String,
            pub(super) n: Option<u32>,
            pub(super) b: String,
            pub(super) list: Vec<String>,
            pub(super) inner: Option<super::Duration>,
        }

        crate::strict::text_struct!(Probe: default {
            text a,
            other n,
            text b,
            other list,
            other inner,
        });

        #[derive(Debug, PartialEq, Default)]
        pub(super) struct Probe2 {
            pub(super) id: String,
            pub(super) a: Option<String>,
            pub(super) kind: Option<String>,
            pub(super) flag: bool,
            pub(super) n: u32,
            pub(super) list: Vec<String>,
            pub(super) on: bool,
        }

        crate::strict::text_struct!(Probe2 {
            need_text id,
            opt_text a,
            opt_text kind = "type",
            other flag,
            need_other n,
            other list,
            other(true) on,
        });
    }

    /// Both readings of `doc`, as comparable text (the value, or the whole message with
    /// serde_json's line and column).
    fn both_of<X, Y>(doc: &str) -> (String, String)
    where
        X: serde::de::DeserializeOwned + std::fmt::Debug,
        Y: serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let text =
            |r: Result<String, serde_json::Error>| r.unwrap_or_else(|e| format!("error: {e}"));
        (
            text(from_str::<X>(doc).map(|v| format!("{v:?}"))),
            text(from_str::<Y>(doc).map(|v| format!("{v:?}"))),
        )
    }

    fn both(doc: &str) -> (String, String) {
        both_of::<derived::Probe, compact::Probe>(doc)
    }

    fn both2(doc: &str) -> (String, String) {
        both_of::<derived::Probe2, compact::Probe2>(doc)
    }

    #[test]
    fn text_structs_read_as_the_derive_does() {
        for doc in [
            r#"{}"#,
            r#"{"a":"x","b":"y","n":3,"list":["p","q"],"inner":{"value":1,"unit":"days"}}"#,
            r#"{"a":"x","a":"y"}"#,
            r#"{"b":"x","n":1,"n":2}"#,
            r#"{"zz":1}"#,
            r#"{"a":"x","zz":1}"#,
            r#"{"\u0061":"escaped key"}"#,
            r#"{"a":1}"#,
            r#"{"a":null}"#,
            r#"{"n":"3"}"#,
            r#"{"n":-1}"#,
            r#"{"n":5000000000}"#,
            r#"{"list":"p"}"#,
            r#"{"list":[1]}"#,
            r#"{"inner":[1,"days"]}"#,
            r#"{"inner":{"value":1}}"#,
            r#"{"a":"x",}"#,
            r#"{"a" "x"}"#,
            r#"{"a":"x""#,
            r#"[]"#,
            r#"["x","y"]"#,
            r#""text""#,
            r#"12"#,
            r#"null"#,
        ] {
            let (d, c) = both(doc);
            assert_eq!(d, c, "{doc}");
            let (d, c) = both2(doc);
            assert_eq!(d, c, "{doc}");
        }
        for doc in [
            r#"{"id":"x","n":1}"#,
            r#"{"n":1}"#,
            r#"{"id":"x"}"#,
            r#"{"id":"x","n":1,"type":"t","a":null,"flag":true}"#,
            r#"{"id":"x","n":1,"kind":"t"}"#,
            r#"{"id":"x","n":1,"type":"t","type":"u"}"#,
            r#"{"id":"x","n":1,"a":7}"#,
            r#"{"id":null,"n":1}"#,
        ] {
            let (d, c) = both2(doc);
            assert_eq!(d, c, "{doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn text_structs_read_random_objects_as_the_derive_does(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["a", "b", "n", "list", "inner", "zz", "\\u0062"]),
                    proptest::sample::select(vec![
                        "\"t\"", "7", "-2", "1.5", "null", "true", "[]", "[\"p\"]", "[3]", "{}",
                        "{\"value\":2,\"unit\":\"weeks\"}", "\"\\u00e9\"",
                    ]),
                ),
                0..6,
            ),
        ) {
            let body: Vec<String> = entries.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let doc = format!("{{{}}}", body.join(","));
            let (d, c) = both(&doc);
            proptest::prop_assert_eq!(d, c, "{}", doc);
        }

        #[test]
        fn text_structs_with_required_fields_read_as_the_derive_does(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["id", "a", "type", "kind", "flag", "n", "list", "on", "zz"]),
                    proptest::sample::select(vec![
                        "\"t\"", "7", "-2", "null", "true", "[]", "[\"p\"]", "{}",
                    ]),
                ),
                0..7,
            ),
        ) {
            let body: Vec<String> = entries.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let doc = format!("{{{}}}", body.join(","));
            let (d, c) = both2(&doc);
            proptest::prop_assert_eq!(d, c, "{}", doc);
        }
    }

    #[cfg(feature = "sync")]
    #[test]
    fn compact_text_keeps_every_number_as_written() {
        let t = super::exact_compact(
            "{ \"b\": [1.50, -0, 1E-7, 12345678901234567.89], \"a\": {\"x\": \"1.0\"} }",
            "payload",
        )
        .unwrap();
        assert_eq!(
            t,
            r#"{"a":{"x":"1.0"},"b":[1.50,-0,1E-7,12345678901234567.89]}"#
        );
        // Everything else as serde_json writes a Value (escapes included).
        let doc = r#"{"z":"\u00e9\n","y":[true,null,{}],"x":18446744073709551615}"#;
        let v: serde_json::Value = serde_json::from_str(doc).unwrap();
        assert_eq!(super::exact_compact(doc, "p").unwrap(), v.to_string());
        assert_eq!(
            super::exact_compact(r#"{"a":1,"a":2}"#, "payload")
                .unwrap_err()
                .path,
            "payload.a"
        );
    }
}
