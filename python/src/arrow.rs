//! Arrow batches: every row of a record batch is one request of one operation, answered by
//! the dispatcher exactly as `call` would answer it, and the answers come back as a record
//! batch with exactly the input's rows, in order. Batches cross the boundary through the Arrow
//! C Data Interface (pyarrow's `__arrow_c_array__` capsules), so no Python object is made per
//! row, and the rows are answered with the GIL released.
//!
//! A row's request: `op`, then the fixed fields (the same for every row), then one field per
//! column (`item.brand` is `{"item": {"brand": …}}`); a null is a field left out. Strings,
//! booleans, integers, decimals (as decimal strings), dates (`YYYY-MM-DD`) and timestamps with
//! a zone (RFC 3339, UTC) are read; a column listed in `json_columns` holds JSON text that is
//! sent as written (exact numbers included).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::types::{
    Date32Type, Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use serde_json::value::RawValue;

/// One column of the input, ready to write each row's value as JSON text.
struct Column {
    /// The field's path in the request (`["item", "brand"]`).
    path: Vec<String>,
    array: ArrayRef,
    json: bool,
}

/// What went wrong with the call itself (not with a row): the Python layer raises it as
/// `ValueError`.
pub type CallError = String;

pub(crate) fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub(crate) fn timestamp(secs: i64, nanos: u32) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, nanos)
        .map(|t| json_string(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
}

/// The value of `c` at `row` as JSON text; `Ok(None)` for a null; `Err` for a row whose JSON
/// column is not JSON (the row's error).
fn value(c: &Column, row: usize) -> Result<Option<String>, String> {
    let a = &c.array;
    // A `null`-typed column (pyarrow's type for a column of only None) has no validity
    // bitmap: every value is null all the same.
    if a.is_null(row) || matches!(a.data_type(), DataType::Null) {
        return Ok(None);
    }
    let text = match a.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = match a.data_type() {
                DataType::Utf8 => a.as_string::<i32>().value(row),
                DataType::LargeUtf8 => a.as_string::<i64>().value(row),
                _ => a.as_string_view().value(row),
            };
            if c.json {
                serde_json::from_str::<&RawValue>(s).map_err(|e| format!("not JSON: {e}"))?;
                s.to_string()
            } else {
                json_string(s)
            }
        }
        DataType::Boolean => a.as_boolean().value(row).to_string(),
        DataType::Int8 => a.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => a.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => a.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => a.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => a.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => a.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Decimal128(_, _) => json_string(
            &a.as_primitive::<arrow_array::types::Decimal128Type>()
                .value_as_string(row),
        ),
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(row);
            chrono::NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
                .map(|d| json_string(&d.format("%Y-%m-%d").to_string()))
                .ok_or_else(|| format!("{days} days from 1970-01-01 is not a date"))?
        }
        DataType::Timestamp(unit, Some(_)) => {
            let (secs, nanos) = match unit {
                TimeUnit::Second => (a.as_primitive::<TimestampSecondType>().value(row), 0),
                TimeUnit::Millisecond => split(
                    a.as_primitive::<TimestampMillisecondType>().value(row),
                    1_000,
                ),
                TimeUnit::Microsecond => split(
                    a.as_primitive::<TimestampMicrosecondType>().value(row),
                    1_000_000,
                ),
                TimeUnit::Nanosecond => split(
                    a.as_primitive::<TimestampNanosecondType>().value(row),
                    1_000_000_000,
                ),
            };
            timestamp(secs, nanos).ok_or_else(|| "the timestamp is out of range".to_string())?
        }
        other => return Err(format!("cannot read a {other} value")),
    };
    Ok(Some(text))
}

/// `v` units of `per` per second as whole seconds and nanoseconds.
pub(crate) fn split(v: i64, per: i64) -> (i64, u32) {
    let secs = v.div_euclid(per);
    let rest = v.rem_euclid(per);
    let scale = 1_000_000_000_i64.checked_div(per).unwrap_or(1);
    (secs, u32::try_from(rest.saturating_mul(scale)).unwrap_or(0))
}

fn readable(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Decimal128(_, _)
            | DataType::Date32
            | DataType::Null
    ) || matches!(t, DataType::Timestamp(_, Some(_)))
}

/// The request's field tree, built once from the columns: a leaf is a column's index, an
/// object its fields' JSON-quoted keys and shapes, in column order.
enum Shape {
    Leaf(usize),
    Obj(Vec<(String, Shape)>),
}

impl Shape {
    /// Adds column `index` at `path`; a column inside another column's field is refused.
    fn insert(
        fields: &mut Vec<(String, Shape)>,
        path: &[String],
        index: usize,
        name: &str,
    ) -> Result<(), CallError> {
        let Some((head, rest)) = path.split_first() else {
            return Ok(());
        };
        let key = json_string(head);
        let at = fields.iter().position(|(k, _)| *k == key);
        match (at, rest.is_empty()) {
            (None, true) => fields.push((key, Shape::Leaf(index))),
            (None, false) => {
                let mut inner = Vec::new();
                Shape::insert(&mut inner, rest, index, name)?;
                fields.push((key, Shape::Obj(inner)));
            }
            (Some(i), false) => match fields.get_mut(i) {
                Some((_, Shape::Obj(inner))) => Shape::insert(inner, rest, index, name)?,
                _ => return Err(format!("column `{name}` is inside another column's field")),
            },
            (Some(_), true) => {
                return Err(format!(
                    "column `{name}` is also an object of other columns"
                ))
            }
        }
        Ok(())
    }

    /// Whether a value of this row is under this shape.
    fn present(&self, values: &[Option<String>]) -> bool {
        match self {
            Shape::Leaf(i) => values.get(*i).is_some_and(Option::is_some),
            Shape::Obj(fields) => fields.iter().any(|(_, s)| s.present(values)),
        }
    }

    /// Writes this shape's JSON for the row (only the fields present).
    fn write(&self, values: &[Option<String>], out: &mut String) {
        match self {
            Shape::Leaf(i) => {
                if let Some(Some(v)) = values.get(*i) {
                    out.push_str(v);
                }
            }
            Shape::Obj(fields) => {
                out.push('{');
                write_fields(fields, values, out, true);
                out.push('}');
            }
        }
    }
}

/// Writes `"key":value` for each present field, comma-separated (`first`: no comma before the
/// first one written).
fn write_fields(
    fields: &[(String, Shape)],
    values: &[Option<String>],
    out: &mut String,
    first: bool,
) {
    let mut first = first;
    for (k, s) in fields {
        if !s.present(values) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(k);
        out.push(':');
        s.write(values, out);
    }
}

/// The options of a batch call.
pub struct Options {
    /// The operation.
    pub op: String,
    /// Fields sent with every row (a JSON object's text).
    pub fixed: String,
    /// Top-level fields of each result to give a column each.
    pub fields: Vec<String>,
    /// Columns holding JSON text.
    pub json_columns: Vec<String>,
    /// Whether to keep each result's JSON text in a `result` column.
    pub result: bool,
}

/// Reads a record batch from pyarrow's capsule pointers.
///
/// # Safety
/// `schema` and `array` must point to a valid `ArrowSchema` and `ArrowArray` (the C Data
/// Interface) describing a struct array; the array is moved out (its release callback is
/// taken, so its owner will not release it again).
pub unsafe fn import(
    schema: *const FFI_ArrowSchema,
    array: *mut FFI_ArrowArray,
) -> Result<RecordBatch, CallError> {
    // SAFETY: the caller guarantees both pointers; `from_raw` moves the array struct out.
    let (schema, array) = unsafe { (&*schema, FFI_ArrowArray::from_raw(array)) };
    // SAFETY: the array and the schema come from the same producer and describe each other.
    let data = unsafe { from_ffi(array, schema) }
        .map_err(|e| format!("not an Arrow record batch: {e}"))?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err("expected a record batch (a struct array)".into());
    }
    Ok(RecordBatch::from(StructArray::from(data)))
}

/// Exports a record batch as the C Data Interface's structs.
pub fn export(batch: RecordBatch) -> Result<(FFI_ArrowSchema, FFI_ArrowArray), CallError> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) = to_ffi(&data).map_err(|e| e.to_string())?;
    Ok((schema, array))
}

/// Answers every row of `batch` with `engine`; the answers as a record batch with the input's
/// rows in order: `ok`, `error_code`, `error_path`, `error_message`, one column per requested
/// field, and `result` (when asked).
pub fn answer_batch(
    engine: &mut warranty_core::Engine,
    batch: &RecordBatch,
    o: &Options,
) -> Result<RecordBatch, CallError> {
    let fixed: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&o.fixed)
        .map_err(|e| format!("the fixed fields are not a JSON object: {e}"))?;
    for f in &o.fields {
        if matches!(
            f.as_str(),
            "ok" | "error_code" | "error_path" | "error_message" | "result"
        ) {
            return Err(format!("`{f}` is already an answer column"));
        }
    }
    let mut columns = Vec::new();
    for (f, array) in batch.schema().fields().iter().zip(batch.columns()) {
        if !readable(f.data_type()) {
            return Err(format!(
                "column `{}`: cannot read {} (strings, booleans, integers, decimal128, date32 and timestamps with a zone are read; floats are not: give amounts as strings or decimals)",
                f.name(),
                f.data_type()
            ));
        }
        let path: Vec<String> = f.name().split('.').map(str::to_string).collect();
        if path.iter().any(String::is_empty) || path.first().is_some_and(|p| p == "op") {
            return Err(format!("column `{}`: not a request field", f.name()));
        }
        if path.first().is_some_and(|p| fixed.contains_key(p)) {
            return Err(format!("column `{}` is also a fixed field", f.name()));
        }
        let json = o.json_columns.iter().any(|c| c == f.name());
        if json
            && !matches!(
                f.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        {
            return Err(format!("JSON column `{}` is not a string column", f.name()));
        }
        columns.push(Column {
            path,
            array: Arc::clone(array),
            json,
        });
    }
    for c in &o.json_columns {
        if batch.schema().field_with_name(c).is_err() {
            return Err(format!("JSON column `{c}` is not in the table"));
        }
    }
    let n = batch.num_rows();
    let mut ok = Vec::with_capacity(n);
    let mut err: [Vec<Option<String>>; 3] = [
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    ];
    let mut picked: Vec<Vec<Option<String>>> =
        o.fields.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut results: Vec<Option<String>> = Vec::with_capacity(if o.result { n } else { 0 });
    let mut shape: Vec<(String, Shape)> = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        Shape::insert(&mut shape, &c.path, i, &c.path.join("."))?;
    }
    // `{"op":…,<fixed fields>`, the same for every row.
    let mut prefix = String::from("{\"op\":");
    prefix.push_str(&json_string(&o.op));
    for (k, v) in &fixed {
        prefix.push(',');
        prefix.push_str(&json_string(k));
        prefix.push(':');
        prefix.push_str(v.get());
    }
    let mut request = String::new();
    let mut values: Vec<Option<String>> = Vec::with_capacity(columns.len());
    let mut buffer: Vec<u8> = Vec::with_capacity(512);
    for row in 0..n {
        values.clear();
        let mut bad: Option<(String, String)> = None;
        for c in &columns {
            match value(c, row) {
                Ok(v) => values.push(v),
                Err(m) => {
                    values.push(None);
                    bad.get_or_insert((c.path.join("."), m));
                }
            }
        }
        buffer.clear();
        match bad {
            Some((path, message)) => buffer.extend_from_slice(
                serde_json::json!({"ok": false, "error": {
                    "code": "INVALID_INPUT", "path": path, "message": message}})
                .to_string()
                .as_bytes(),
            ),
            None => {
                request.clear();
                request.push_str(&prefix);
                write_fields(&shape, &values, &mut request, false);
                request.push('}');
                engine.call_to(&request, &mut buffer);
            }
        }
        // The dispatcher writes UTF-8 only.
        let answer = std::str::from_utf8(&buffer).unwrap_or_default();
        const OK: &str = "{\"ok\":true,\"result\":";
        match answer.strip_prefix(OK).and_then(|r| r.strip_suffix('}')) {
            Some(result) => {
                ok.push(true);
                for e in &mut err {
                    e.push(None);
                }
                // The result's top-level keys are plain names: borrowed, no allocation.
                let top: Option<BTreeMap<&str, &RawValue>> = if o.fields.is_empty() {
                    None
                } else {
                    serde_json::from_str(result).ok()
                };
                for (f, col) in o.fields.iter().zip(&mut picked) {
                    let v = top
                        .as_ref()
                        .and_then(|t| t.get(f.as_str()))
                        .and_then(|raw| {
                            let raw = raw.get();
                            if raw == "null" {
                                None
                            } else if raw.starts_with('"') {
                                serde_json::from_str::<String>(raw).ok()
                            } else {
                                Some(raw.to_string())
                            }
                        });
                    col.push(v);
                }
                if o.result {
                    results.push(Some(result.to_string()));
                }
            }
            None => {
                ok.push(false);
                let v: serde_json::Value = serde_json::from_str(answer).unwrap_or_default();
                for (e, k) in err.iter_mut().zip(["code", "path", "message"]) {
                    let text = v
                        .get("error")
                        .and_then(|x| x.get(k))
                        .and_then(|x| x.as_str());
                    e.push(text.map(str::to_string));
                }
                for col in &mut picked {
                    col.push(None);
                }
                if o.result {
                    results.push(None);
                }
            }
        }
    }
    let mut fields = vec![Field::new("ok", DataType::Boolean, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(BooleanArray::from(ok))];
    for (name, values) in ["error_code", "error_path", "error_message"]
        .iter()
        .zip(err)
    {
        fields.push(Field::new(*name, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(values)));
    }
    for (name, values) in o.fields.iter().zip(picked) {
        fields.push(Field::new(name, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(values)));
    }
    if o.result {
        fields.push(Field::new("result", DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(results)));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}
