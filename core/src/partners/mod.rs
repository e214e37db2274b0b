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

/// What the outbox should do with a partner's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Accepted: the message is delivered.
    Delivered,
    /// Try again later (500, and 408/429/5xx in general).
    Retry,
    /// Refused for good (400, 401, 422, other 4xx): keep the partner's messages.
    DeadLetter,
}

impl Disposition {
    /// The disposition of a non-2xx status: [`Disposition::Retry`] for the outbox's retryable
    /// statuses ([`crate::sync::outbox::is_retryable`]), [`Disposition::DeadLetter`] otherwise.
    pub fn of_failure(status: u16) -> Self {
        if crate::sync::outbox::is_retryable(status) {
            Disposition::Retry
        } else {
            Disposition::DeadLetter
        }
    }
}

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

/// Parses an answer body with the strict rules, every number read as its text
/// ([`crate::strict::exact_value`] at `body`).
pub(crate) fn parse_exact(body: &str) -> crate::error::Result<serde_json::Value> {
    crate::strict::exact_value(body, "body", "not JSON")
}
