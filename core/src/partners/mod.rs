//! The partner adapters (built with the `sync` feature): each partner's API in one folder —
//! its model, the request bodies the library builds and the answers it reads. Every adapter
//! is sans-IO: it builds bytes to send and reads bytes received; the outbox
//! ([`crate::sync::outbox`]) carries them.
//!
//! - [`cnh`]: CNH Industrial eSubmission (claims, lookups, attachments, documents, Smart
//!   Alert, EZ Labor, PIP, invoice reports);
//! - [`crm_com`]: CRM.COM (policy import, installed-item coverage);
//! - [`warranty_life`]: Warranty Life (plans, registrations, vouchers);
//! - [`product_code`]: product-code registration (with its phone-number rules).

pub mod cnh;
pub mod crm_com;
pub mod product_code;
pub mod warranty_life;

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
