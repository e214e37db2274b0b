//! Typed Arrow batches for the two fleet-sized jobs: `resolve` of every sold item against a
//! loaded catalog, and `expiring` over an installed base. The columns are read into the
//! core's types and answered by the core's API (`Catalog::resolve_with`, `Stack`,
//! `stack::expiring`) without writing or reading JSON, and the answers come back as typed
//! columns (timestamps, counts, a list of structs).
//!
//! Each row stands for one request of the protocol (docs/python.md writes it out), and its
//! answer is that request's answer: a row the typed path cannot answer — a missing or
//! malformed value, an unknown zone, an instant out of range, a core error — is sent as that
//! request through the dispatcher, so an error row carries exactly the error `call` gives.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder, StructBuilder,
    TimestampSecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use serde_json::value::RawValue;
use serde_json::Value;

use warranty_core::warranty::catalog::FxBuildHasher;
use warranty_core::warranty::stack::{
    self, Event, EventKind, Expiring, Layer, LayerKind, PresetRow, Presets, Stack, StackItem,
};
use warranty_core::{Calendar, Candidates, Duration, Instant, Item, Zone};

use crate::arrow::{json_string, split, timestamp, CallError};

/// A string column (or a column of nulls only), plain or dictionary-encoded (Parquet's
/// dictionary pages read with `read_dictionary`, `pyarrow.compute.dictionary_encode`).
enum Strs<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// Int32 keys into a plain string column.
    Dict(&'a arrow_array::Int32Array, Box<Strs<'a>>),
    Null,
}

impl<'a> Strs<'a> {
    fn of(name: &str, a: &'a ArrayRef) -> Result<Self, CallError> {
        Ok(match a.data_type() {
            DataType::Utf8 => Strs::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Strs::Large(a.as_string::<i64>()),
            DataType::Utf8View => Strs::View(a.as_string_view()),
            DataType::Null => Strs::Null,
            DataType::Dictionary(k, v)
                if **k == DataType::Int32
                    && matches!(
                        **v,
                        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                    ) =>
            {
                let d = a.as_dictionary::<arrow_array::types::Int32Type>();
                Strs::Dict(d.keys(), Box::new(Strs::of(name, d.values())?))
            }
            other => {
                return Err(format!(
                "column `{name}` must be strings (plain or dictionary<int32, string>), not {other}"
            ))
            }
        })
    }

    /// How many values: a dictionary's size, or the column's rows.
    fn len(&self) -> usize {
        match self {
            Strs::Utf8(a) => a.len(),
            Strs::Large(a) => a.len(),
            Strs::View(a) => a.len(),
            Strs::Dict(_, values) => values.len(),
            Strs::Null => 0,
        }
    }

    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => a.is_valid(row).then(|| a.value(row)),
            Strs::Large(a) => a.is_valid(row).then(|| a.value(row)),
            Strs::View(a) => a.is_valid(row).then(|| a.value(row)),
            Strs::Dict(_, values) => values.get(self.key(row)?),
            Strs::Null => None,
        }
    }

    /// A dictionary column's key at `row` (`None` for a null, or a plain column).
    fn key(&self, row: usize) -> Option<usize> {
        match self {
            // A key outside the dictionary (a producer's bug) reads as a null, never an index
            // out of bounds.
            Strs::Dict(keys, values) if keys.is_valid(row) => {
                usize::try_from(*keys.values().get(row)?)
                    .ok()
                    .filter(|&k| k < values.len())
            }
            _ => None,
        }
    }
}

/// A timestamp column with a zone (its values are instants), or a column of nulls only.
struct Times<'a> {
    array: Option<&'a dyn Array>,
    values: &'a [i64],
    per_second: i64,
}

/// A timestamp that is not an instant the protocol takes (out of chrono's range or the years
/// 1..=9999): the row goes to the dispatcher, which says so.
struct OutOfRange;

impl<'a> Times<'a> {
    fn of(name: &str, a: &'a ArrayRef) -> Result<Self, CallError> {
        let (values, per_second): (&'a [i64], i64) = match a.data_type() {
            DataType::Null => {
                return Ok(Times {
                    array: None,
                    values: &[],
                    per_second: 1,
                })
            }
            DataType::Timestamp(unit, Some(_)) => match unit {
                TimeUnit::Second => (a.as_primitive::<TimestampSecondType>().values(), 1),
                TimeUnit::Millisecond => {
                    (a.as_primitive::<TimestampMillisecondType>().values(), 1_000)
                }
                TimeUnit::Microsecond => (
                    a.as_primitive::<TimestampMicrosecondType>().values(),
                    1_000_000,
                ),
                TimeUnit::Nanosecond => (
                    a.as_primitive::<TimestampNanosecondType>().values(),
                    1_000_000_000,
                ),
            },
            other => {
                return Err(format!(
                    "column `{name}` must be timestamps with a zone (instants), not {other}"
                ))
            }
        };
        Ok(Times {
            array: Some(a.as_ref()),
            values,
            per_second,
        })
    }

    /// The value at `row`: `None` for a null.
    fn get(&self, row: usize) -> Option<Result<Instant, OutOfRange>> {
        let a = self.array?;
        if a.is_null(row) {
            return None;
        }
        let v = *self.values.get(row)?;
        let (secs, nanos) = split(v, self.per_second);
        Some(
            chrono::DateTime::from_timestamp(secs, nanos)
                .filter(|t| {
                    use chrono::Datelike;
                    (1..=9999).contains(&t.year())
                })
                .map(|t| Instant(t.fixed_offset()))
                .ok_or(OutOfRange),
        )
    }

    /// The value at `row` as the request's JSON text (RFC 3339 in UTC); `None` for a null.
    fn text(&self, row: usize) -> Option<String> {
        let a = self.array?;
        if a.is_null(row) {
            return None;
        }
        let (secs, nanos) = split(*self.values.get(row)?, self.per_second);
        // Beyond chrono's range: a value no instant parser takes, so the answer says so.
        Some(timestamp(secs, nanos).unwrap_or_else(|| json_string(&v_text(secs))))
    }
}

fn v_text(secs: i64) -> String {
    format!("{secs} seconds from 1970-01-01T00:00:00Z")
}

/// The table's columns by name, each allowed once and only from `allowed`.
fn columns<'a>(
    batch: &'a RecordBatch,
    allowed: &[&str],
    what: &str,
) -> Result<HashMap<&'a str, &'a ArrayRef>, CallError> {
    let schema = batch.schema_ref();
    let mut out = HashMap::new();
    for (f, a) in schema.fields().iter().zip(batch.columns()) {
        let name = f.name().as_str();
        if !allowed.contains(&name) {
            return Err(format!(
                "column `{name}` is not a column of {what} (the columns: {})",
                allowed.join(", ")
            ));
        }
        if out.insert(name, a).is_some() {
            return Err(format!("column `{name}` is given twice"));
        }
    }
    Ok(out)
}

/// One row's answer when the typed path could not give it: the dispatcher's answer to the
/// row's request, read back.
fn dispatch(engine: &mut warranty_core::Engine, request: &str) -> Value {
    let mut out = Vec::new();
    engine.call_to(request, &mut out);
    serde_json::from_slice(&out).unwrap_or_default()
}

/// The `ok` and error columns of every answer table. Errors are kept sparse: a batch without
/// one gets all-null error columns, never written row by row.
struct Errors {
    ok: BooleanBuilder,
    /// `(row, code, path, message)` of each failed row, in row order.
    failed: Vec<(usize, String, Option<String>, Option<String>)>,
}

impl Errors {
    fn new(n: usize) -> Self {
        Errors {
            ok: BooleanBuilder::with_capacity(n),
            failed: Vec::new(),
        }
    }

    fn ok(&mut self) {
        self.ok.append_value(true);
    }

    /// Records the error of an `ok:false` answer.
    fn error(&mut self, answer: &Value) {
        let row = self.ok.len();
        self.ok.append_value(false);
        let e = answer.get("error");
        let field = |k: &str| {
            e.and_then(|e| e.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        self.failed.push((
            row,
            field("code").unwrap_or_else(|| "INTERNAL".into()),
            field("path"),
            field("message"),
        ));
    }

    fn finish(mut self, fields: &mut Vec<Field>, arrays: &mut Vec<ArrayRef>) {
        let n = self.ok.len();
        fields.push(Field::new("ok", DataType::Boolean, false));
        arrays.push(Arc::new(self.ok.finish()));
        let names = ["error_code", "error_path", "error_message"];
        if self.failed.is_empty() {
            for name in names {
                fields.push(Field::new(name, DataType::Utf8, true));
                arrays.push(arrow_array::new_null_array(&DataType::Utf8, n));
            }
            return;
        }
        let mut b: [StringBuilder; 3] = Default::default();
        let mut next = 0;
        for (row, code, path, message) in &self.failed {
            for c in &mut b {
                c.append_nulls(row.saturating_sub(next));
            }
            let [bc, bp, bm] = &mut b;
            bc.append_value(code);
            bp.append_option(path.as_deref());
            bm.append_option(message.as_deref());
            next = row.saturating_add(1);
        }
        for (name, mut c) in names.into_iter().zip(b) {
            c.append_nulls(n.saturating_sub(next));
            fields.push(Field::new(name, DataType::Utf8, true));
            arrays.push(Arc::new(c.finish()));
        }
    }
}

fn utc_seconds() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
}

/// An answer's instant (`"2027-06-01T00:00:00+01:00"`) as seconds since the epoch.
fn seconds_of(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_str)
        .and_then(|s| Instant::parse(s).ok())
        .map(|t| t.0.timestamp())
}

/// The fixed fields of a call: a JSON object's text, its values kept as written.
fn fixed_fields(text: &str) -> Result<HashMap<String, Box<RawValue>>, CallError> {
    serde_json::from_str(text).map_err(|e| format!("the fixed fields are not a JSON object: {e}"))
}

/// How one row of a resolve batch was answered on the typed path.
#[derive(Clone, Copy)]
enum Resolved {
    Covered {
        policy: usize,
        matched_by: &'static str,
        start: i64,
        end: i64,
    },
    NotCovered,
    /// Answered by the dispatcher: the index in the fallback answers.
    Dispatched(usize),
}

const RESOLVE_COLUMNS: &[&str] = &[
    "product",
    "product_type",
    "brand",
    "family",
    "sold_at",
    "business_unit",
    "zone",
];

/// Parses a zone name once per distinct name in the batch.
#[derive(Default)]
struct Zones<'a> {
    last: Option<(&'a str, Option<Zone>)>,
}

impl<'a> Zones<'a> {
    fn get(&mut self, name: &'a str) -> Option<Zone> {
        match self.last {
            Some((n, z)) if n == name => z,
            _ => {
                let z = name.parse::<Zone>().ok();
                self.last = Some((name, z));
                z
            }
        }
    }
}

/// `resolve` with the winner only for every row of `batch` against the engine's catalog
/// `fixed.catalog`. Columns: `product`, `product_type`, `brand`, `family`, `business_unit`,
/// `zone` (strings), `sold_at` (timestamps with a zone); fixed: `catalog`, and
/// `business_unit` and `zone` for every row. Answers: `ok`, the error columns, `policy`,
/// `matched_by`, `start`, `end` (timestamps in seconds, UTC).
pub fn resolve_batch(
    engine: &mut warranty_core::Engine,
    batch: &RecordBatch,
    fixed: &str,
) -> Result<RecordBatch, CallError> {
    let fixed = fixed_fields(fixed)?;
    for k in fixed.keys() {
        if !matches!(k.as_str(), "catalog" | "business_unit" | "zone") {
            return Err(format!(
                "`{k}` is not a fixed field of resolve_arrow (catalog, business_unit, zone)"
            ));
        }
    }
    let catalog_name: String = fixed
        .get("catalog")
        .and_then(|v| serde_json::from_str(v.get()).ok())
        .ok_or("resolve_arrow needs `catalog`: the name of a catalog loaded in this engine")?;
    let cols = columns(batch, RESOLVE_COLUMNS, "resolve_arrow")?;
    for k in fixed.keys() {
        if cols.contains_key(k.as_str()) {
            return Err(format!("`{k}` is both a column and a fixed field"));
        }
    }
    let strs = |name: &str| -> Result<Strs<'_>, CallError> {
        cols.get(name).map_or(Ok(Strs::Null), |a| Strs::of(name, a))
    };
    let keys = [
        strs("product")?,
        strs("product_type")?,
        strs("brand")?,
        strs("family")?,
    ];
    let bu_col = strs("business_unit")?;
    let zone_col = strs("zone")?;
    let sold_col = match cols.get("sold_at") {
        Some(a) => Times::of("sold_at", a)?,
        None => Times {
            array: None,
            values: &[],
            per_second: 1,
        },
    };
    let fixed_str = |k: &str| -> Option<String> {
        fixed
            .get(k)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
    };
    let fixed_bu = fixed_str("business_unit");
    let fixed_zone_text = fixed_str("zone");
    // A fixed value that is not a string, or a zone that does not exist: every row gets the
    // dispatcher's error.
    let fixed_ok = ["business_unit", "zone"]
        .iter()
        .all(|k| !fixed.contains_key(*k) || fixed_str(k).is_some());
    let fixed_zone = match &fixed_zone_text {
        Some(z) => z.parse::<Zone>().ok(),
        None => None,
    };
    let typed = fixed_ok && (fixed_zone_text.is_none() || fixed_zone.is_some());

    let n = batch.num_rows();
    let mut rows: Vec<Resolved> = Vec::with_capacity(n);
    let mut pending: Vec<usize> = Vec::new();
    {
        let catalog = engine.catalog(&catalog_name).filter(|_| typed);
        let mut zones = Zones::default();
        // One item reused for every row: its strings keep their buffers.
        let mut item = Item::default();
        let mut spare: [String; 4] = Default::default();
        for row in 0..n {
            let answer = catalog.and_then(|catalog| {
                let sold_at = sold_col.get(row)?.ok()?;
                let zone = match zone_col.get(row) {
                    Some(name) => Some(zones.get(name)?),
                    None => fixed_zone,
                };
                let bu = bu_col.get(row).or(fixed_bu.as_deref());
                for ((col, slot), buf) in keys.iter().zip(item_slots(&mut item)).zip(&mut spare) {
                    match col.get(row) {
                        Some(v) => {
                            let mut s = slot.take().unwrap_or_else(|| std::mem::take(buf));
                            s.clear();
                            s.push_str(v);
                            *slot = Some(s);
                        }
                        None => {
                            if let Some(s) = slot.take() {
                                *buf = s;
                            }
                        }
                    }
                }
                let cal = Calendar::for_operation(zone, sold_at);
                let r = catalog
                    .resolve_with(&item, sold_at, bu, cal, Candidates::None)
                    .ok()?;
                let end = r.end().ok()?;
                let won = r
                    .policy_index()
                    .and_then(|i| Some((i, r.matched_by()?, end?)));
                Some(match won {
                    Some((policy, kind, end)) => Resolved::Covered {
                        policy,
                        matched_by: kind.as_str(),
                        start: r.start.0.timestamp(),
                        end: end.0.timestamp(),
                    },
                    None => Resolved::NotCovered,
                })
            });
            match answer {
                Some(a) => rows.push(a),
                None => {
                    rows.push(Resolved::Dispatched(pending.len()));
                    pending.push(row);
                }
            }
        }
    }
    // The rows the typed path could not answer, through the dispatcher.
    let answers: Vec<Value> = pending
        .iter()
        .map(|&row| {
            let request = resolve_request(
                &catalog_name,
                &fixed,
                &keys,
                &sold_col,
                &bu_col,
                &zone_col,
                row,
            );
            dispatch(engine, &request)
        })
        .collect();
    let catalog = engine.catalog(&catalog_name);
    let mut errors = Errors::new(n);
    let mut policy = StringBuilder::new();
    let mut matched = StringBuilder::new();
    let mut start = TimestampSecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut end = TimestampSecondBuilder::with_capacity(n).with_timezone("UTC");
    for r in rows {
        match r {
            Resolved::Covered {
                policy: i,
                matched_by,
                start: s,
                end: e,
            } => {
                errors.ok();
                policy.append_option(
                    catalog
                        .and_then(|c| c.policies().get(i))
                        .map(|p| p.id.as_str()),
                );
                matched.append_value(matched_by);
                start.append_value(s);
                end.append_value(e);
            }
            Resolved::NotCovered => {
                errors.ok();
                policy.append_null();
                matched.append_null();
                start.append_null();
                end.append_null();
            }
            Resolved::Dispatched(k) => {
                let a = answers.get(k).cloned().unwrap_or_default();
                match a
                    .get("result")
                    .filter(|_| a.get("ok") == Some(&Value::Bool(true)))
                {
                    Some(res) => {
                        errors.ok();
                        policy.append_option(res.get("policy").and_then(Value::as_str));
                        matched.append_option(res.get("matched_by").and_then(Value::as_str));
                        start.append_option(seconds_of(res.get("start")));
                        end.append_option(seconds_of(res.get("end")));
                    }
                    None => {
                        errors.error(&a);
                        policy.append_null();
                        matched.append_null();
                        start.append_null();
                        end.append_null();
                    }
                }
            }
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    errors.finish(&mut fields, &mut arrays);
    fields.push(Field::new("policy", DataType::Utf8, true));
    arrays.push(Arc::new(policy.finish()));
    fields.push(Field::new("matched_by", DataType::Utf8, true));
    arrays.push(Arc::new(matched.finish()));
    fields.push(Field::new("start", utc_seconds(), true));
    arrays.push(Arc::new(start.finish()));
    fields.push(Field::new("end", utc_seconds(), true));
    arrays.push(Arc::new(end.finish()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}

/// The item's four key fields, in `CoverKind::ALL`'s order.
fn item_slots(item: &mut Item) -> [&mut Option<String>; 4] {
    [
        &mut item.product,
        &mut item.product_type,
        &mut item.brand,
        &mut item.family,
    ]
}

/// The request a resolve row stands for (docs/python.md): `op`, `catalog`, `candidates`,
/// `item`, `sold_at`, `business_unit`, `zone`, each value from its column or the fixed
/// fields; a null leaves the field out.
fn resolve_request(
    catalog: &str,
    fixed: &HashMap<String, Box<RawValue>>,
    keys: &[Strs<'_>; 4],
    sold: &Times<'_>,
    bu: &Strs<'_>,
    zone: &Strs<'_>,
    row: usize,
) -> String {
    let mut out = String::from("{\"op\":\"resolve\",\"catalog\":");
    out.push_str(&json_string(catalog));
    out.push_str(",\"candidates\":\"none\",\"item\":{");
    let mut first = true;
    for (name, col) in ["product", "product_type", "brand", "family"]
        .iter()
        .zip(keys)
    {
        if let Some(v) = col.get(row) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&json_string(name));
            out.push(':');
            out.push_str(&json_string(v));
        }
    }
    out.push('}');
    if let Some(t) = sold.text(row) {
        out.push_str(",\"sold_at\":");
        out.push_str(&t);
    }
    for (name, col) in [("business_unit", bu), ("zone", zone)] {
        let value = col
            .get(row)
            .map(json_string)
            .or_else(|| fixed.get(name).map(|v| v.get().to_string()));
        if let Some(v) = value {
            out.push(',');
            out.push_str(&json_string(name));
            out.push(':');
            out.push_str(&v);
        }
    }
    out.push('}');
    out
}

const EXPIRING_COLUMNS: &[&str] = &[
    "id",
    "second_hand",
    "sold_at",
    "delivered_at",
    "installed_at",
    "events",
    "warranties",
];

const FIXED_EXPIRING: [&str; 5] = ["as_of", "within", "kinds", "zone", "presets"];

/// The fixed fields of an expiring batch, read into the core's types.
struct ExpiringQuery {
    as_of: Instant,
    until: Instant,
    kinds: Vec<LayerKind>,
    presets: Vec<PresetRow>,
    cal: Calendar,
}

impl ExpiringQuery {
    /// `None` when a field is missing or wrong: every row then gets the dispatcher's error.
    fn read(fixed: &HashMap<String, Box<RawValue>>) -> Option<Self> {
        fn field<T: serde::de::DeserializeOwned>(
            fixed: &HashMap<String, Box<RawValue>>,
            k: &str,
        ) -> Option<Option<T>> {
            match fixed.get(k) {
                None => Some(None),
                Some(v) => warranty_core::strict::from_str::<T>(v.get()).ok().map(Some),
            }
        }
        let as_of: Instant = field(fixed, "as_of")??;
        let within: Duration = field(fixed, "within")??;
        let kinds: Vec<LayerKind> = field(fixed, "kinds")?.unwrap_or_default();
        let zone: Option<Zone> = field(fixed, "zone")?;
        let presets: Vec<PresetRow> = field(fixed, "presets")?.unwrap_or_default();
        if presets.iter().any(|r| r.validate().is_err()) {
            return None;
        }
        let cal = Calendar::for_operation(zone, as_of);
        let until = stack::window_end(as_of, within, cal).ok()?;
        Some(ExpiringQuery {
            as_of,
            until,
            kinds,
            presets,
            cal,
        })
    }
}

/// `expiring` for every row of `batch`: each row is one installed item. Columns: `id`
/// (string), `second_hand` (bool), `sold_at`, `delivered_at`, `installed_at` (timestamps
/// with a zone: the item's events of those kinds), `events` (JSON text: an array of further
/// events), `warranties` (JSON text: the item's layers; rows with the same text share one
/// parse). Fixed: `as_of`, `within`, and optionally `kinds`, `zone`, `presets`. Answers:
/// `ok`, the error columns, `count`, and `expiring` (a list of `{layer, kind, payer, end,
/// remaining_days}`, soonest first).
pub fn expiring_batch(batch: &RecordBatch, fixed: &str) -> Result<RecordBatch, CallError> {
    let fixed = fixed_fields(fixed)?;
    for k in fixed.keys() {
        if !FIXED_EXPIRING.contains(&k.as_str()) {
            return Err(format!(
                "`{k}` is not a fixed field of expiring_arrow ({})",
                FIXED_EXPIRING.join(", ")
            ));
        }
    }
    let cols = columns(batch, EXPIRING_COLUMNS, "expiring_arrow")?;
    let strs = |name: &str| -> Result<Strs<'_>, CallError> {
        cols.get(name).map_or(Ok(Strs::Null), |a| Strs::of(name, a))
    };
    let times = |name: &str| -> Result<Times<'_>, CallError> {
        match cols.get(name) {
            Some(a) => Times::of(name, a),
            None => Ok(Times {
                array: None,
                values: &[],
                per_second: 1,
            }),
        }
    };
    let id_col = strs("id")?;
    let events_col = strs("events")?;
    let layers_col = strs("warranties")?;
    let event_cols = [
        (EventKind::Sold, times("sold_at")?),
        (EventKind::Delivered, times("delivered_at")?),
        (EventKind::Installed, times("installed_at")?),
    ];
    let second_hand = match cols.get("second_hand") {
        None => None,
        Some(a) => match a.data_type() {
            DataType::Boolean => Some(a.as_boolean()),
            DataType::Null => None,
            other => {
                return Err(format!(
                    "column `second_hand` must be booleans, not {other}"
                ))
            }
        },
    };
    let query = ExpiringQuery::read(&fixed);
    let n = batch.num_rows();

    let mut errors = Errors::new(n);
    let mut count = Int64Builder::with_capacity(n);
    let entry_fields = Fields::from(vec![
        Field::new("layer", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, true),
        Field::new("payer", DataType::Utf8, true),
        Field::new("end", utc_seconds(), true),
        Field::new("remaining_days", DataType::Int64, true),
    ]);
    let builders: Vec<Box<dyn ArrayBuilder>> = vec![
        Box::new(StringBuilder::new()),
        Box::new(StringBuilder::new()),
        Box::new(StringBuilder::new()),
        Box::new(TimestampSecondBuilder::new().with_timezone("UTC")),
        Box::new(Int64Builder::new()),
    ];
    let entry = Field::new("item", DataType::Struct(entry_fields.clone()), true);
    let mut list = ListBuilder::with_capacity(StructBuilder::new(entry_fields, builders), n)
        .with_field(Arc::new(entry));
    // The engine for the rows the typed path cannot answer (made on the first one).
    let mut engine: Option<warranty_core::Engine> = None;
    let mut found: Vec<Expiring> = Vec::new();
    // One item per distinct `warranties` text, its layers parsed once; `id`, `second_hand`
    // and `events` are set for each row.
    // One item per distinct `warranties` value, its layers parsed once (`None`: they are not
    // layers); `id`, `second_hand` and `events` are set for each row. A dictionary-encoded
    // column finds its item by key, a plain one by text.
    let mut by_text: HashMap<&str, Option<StackItem>, FxBuildHasher> = HashMap::default();
    // One slot per dictionary value (keys are checked to be inside the dictionary).
    let mut by_key: Vec<Option<Option<StackItem>>> = match &layers_col {
        Strs::Dict(_, values) => (0..values.len()).map(|_| None).collect(),
        _ => Vec::new(),
    };
    let mut no_layers = Some(item_with(Vec::new()));
    let parse = |text: &str| -> Option<StackItem> {
        warranty_core::strict::from_str::<Vec<Layer>>(text)
            .ok()
            .map(item_with)
    };
    for row in 0..n {
        found.clear();
        let typed = query.as_ref().and_then(|q| {
            let id = id_col.get(row)?;
            let item = match (layers_col.get(row), layers_col.key(row)) {
                (None, _) => no_layers.as_mut(),
                (Some(text), Some(k)) => by_key
                    .get_mut(k)?
                    .get_or_insert_with(|| parse(text))
                    .as_mut(),
                (Some(text), None) => by_text.entry(text).or_insert_with(|| parse(text)).as_mut(),
            }?;
            item.id.clear();
            item.id.push_str(id);
            // A null leaves the field out: not second-hand.
            item.second_hand = second_hand.is_some_and(|b| b.is_valid(row) && b.value(row));
            item.events.clear();
            for (kind, col) in &event_cols {
                if let Some(at) = col.get(row) {
                    item.events.push(Event::at(*kind, at.ok()?));
                }
            }
            if let Some(text) = events_col.get(row) {
                let more: Vec<Event> = warranty_core::strict::from_str(text).ok()?;
                item.events.extend(more);
            }
            let s = Stack::new(item, Presets::new(&q.presets), q.cal).ok()?;
            stack::expiring(&s, q.as_of, q.until, &q.kinds, &mut found).ok()?;
            Some(())
        });
        if typed.is_some() {
            stack::sort_expiring(&mut found);
            errors.ok();
            count.append_value(i64::try_from(found.len()).unwrap_or(i64::MAX));
            for e in &found {
                push_entry(
                    list.values(),
                    Some(&e.layer),
                    Some(e.kind.as_str()),
                    Some(e.payer.as_str()),
                    Some(e.end.0.timestamp()),
                    Some(e.remaining_days),
                );
            }
            list.append(true);
            continue;
        }
        let a = match expiring_request(
            &fixed,
            &id_col,
            &second_hand,
            &event_cols,
            &events_col,
            &layers_col,
            row,
        ) {
            Ok(request) => dispatch(engine.get_or_insert_with(Default::default), &request),
            Err((path, message)) => serde_json::json!({"ok": false, "error": {
                "code": "INVALID_INPUT", "path": path, "message": message}}),
        };
        match a
            .get("result")
            .filter(|_| a.get("ok") == Some(&Value::Bool(true)))
        {
            Some(res) => {
                errors.ok();
                count.append_option(res.get("count").and_then(Value::as_i64));
                let listed = res.get("expiring").and_then(Value::as_array);
                for e in listed.into_iter().flatten() {
                    let s = |k: &str| e.get(k).and_then(Value::as_str);
                    push_entry(
                        list.values(),
                        s("layer"),
                        s("kind"),
                        s("payer"),
                        seconds_of(e.get("end")),
                        e.get("remaining_days").and_then(Value::as_i64),
                    );
                }
                list.append(true);
            }
            None => {
                errors.error(&a);
                count.append_null();
                list.append(false);
            }
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    errors.finish(&mut fields, &mut arrays);
    fields.push(Field::new("count", DataType::Int64, true));
    arrays.push(Arc::new(count.finish()));
    let listed = list.finish();
    fields.push(Field::new("expiring", listed.data_type().clone(), true));
    arrays.push(Arc::new(listed));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}

/// An item with these layers and nothing else (the rows set its id, flag and events).
fn item_with(warranties: Vec<Layer>) -> StackItem {
    StackItem {
        id: String::new(),
        serial: None,
        product: None,
        product_type: None,
        brand: None,
        family: None,
        second_hand: false,
        events: Vec::new(),
        warranties,
    }
}

/// Appends one `{layer, kind, payer, end, remaining_days}` to the list's struct builder.
fn push_entry(
    b: &mut StructBuilder,
    layer: Option<&str>,
    kind: Option<&str>,
    payer: Option<&str>,
    end: Option<i64>,
    remaining: Option<i64>,
) {
    for (i, v) in [layer, kind, payer].into_iter().enumerate() {
        if let Some(s) = b.field_builder::<StringBuilder>(i) {
            s.append_option(v);
        }
    }
    if let Some(t) = b.field_builder::<TimestampSecondBuilder>(3) {
        t.append_option(end);
    }
    if let Some(d) = b.field_builder::<Int64Builder>(4) {
        d.append_option(remaining);
    }
    b.append(true);
}

/// The request an expiring row stands for (docs/python.md): `op`, the fixed fields
/// (`as_of`, `within`, `kinds`, `zone`, `presets`, those given), and `items` holding the one
/// item `{id, second_hand, events, warranties}`: `events` are the timestamp columns' events
/// (sold, delivered, installed) then the `events` column's; a null leaves a field out.
/// `Err((column, message))` when the `events` column is not a JSON array or `warranties` is
/// not JSON (then there is no such request).
fn expiring_request(
    fixed: &HashMap<String, Box<RawValue>>,
    id: &Strs<'_>,
    second_hand: &Option<&arrow_array::BooleanArray>,
    event_cols: &[(EventKind, Times<'_>); 3],
    events: &Strs<'_>,
    layers: &Strs<'_>,
    row: usize,
) -> Result<String, (&'static str, String)> {
    let mut out = String::from("{\"op\":\"expiring\"");
    for k in FIXED_EXPIRING {
        if let Some(v) = fixed.get(k) {
            out.push(',');
            out.push_str(&json_string(k));
            out.push(':');
            out.push_str(v.get());
        }
    }
    out.push_str(",\"items\":[{");
    let mut parts: Vec<String> = Vec::new();
    if let Some(v) = id.get(row) {
        parts.push(format!("\"id\":{}", json_string(v)));
    }
    if let Some(b) = second_hand {
        if b.is_valid(row) {
            parts.push(format!("\"second_hand\":{}", b.value(row)));
        }
    }
    let mut list: Vec<String> = Vec::new();
    for (kind, col) in event_cols {
        if let Some(at) = col.text(row) {
            list.push(format!("{{\"event\":\"{}\",\"at\":{at}}}", kind.as_str()));
        }
    }
    let more = events.get(row);
    if let Some(text) = more {
        let given: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| ("events", format!("not a JSON array: {e}")))?;
        list.extend(given.iter().map(|v| v.get().to_string()));
    }
    if more.is_some() || !list.is_empty() {
        parts.push(format!("\"events\":[{}]", list.join(",")));
    }
    if let Some(text) = layers.get(row) {
        serde_json::from_str::<&RawValue>(text)
            .map_err(|e| ("warranties", format!("not JSON: {e}")))?;
        parts.push(format!("\"warranties\":{text}"));
    }
    out.push_str(&parts.join(","));
    out.push_str("}]}");
    Ok(out)
}
