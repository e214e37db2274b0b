//! Standard Webhooks (<https://www.standardwebhooks.com>): sign outbound events and verify
//! inbound ones. Signature: `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")),
//! the secret being the base64 after `whsec_`. Verification compares in constant time and
//! rejects timestamps outside the tolerance window.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::error::{Error, Result};

/// Default tolerance for inbound timestamps: five minutes either side.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

fn key(secret: &str, path: &str) -> Result<Vec<u8>> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = STANDARD
        .decode(b64)
        .map_err(|_| Error::invalid(path, "the secret is not `whsec_` followed by base64"))?;
    if key.is_empty() {
        return Err(Error::invalid(path, "the secret is empty"));
    }
    Ok(key)
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &str) -> Result<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|_| Error::invalid("secret", "the secret cannot key HMAC-SHA256"))?;
    m.update(id.as_bytes());
    m.update(b".");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body.as_bytes());
    Ok(m)
}

/// The three headers of a signed webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedHeaders {
    /// `webhook-id`.
    #[serde(rename = "webhook-id")]
    pub id: String,
    /// `webhook-timestamp` (Unix seconds).
    #[serde(rename = "webhook-timestamp")]
    pub timestamp: String,
    /// `webhook-signature`: `v1,<base64>`.
    #[serde(rename = "webhook-signature")]
    pub signature: String,
}

/// Signs `body` sent as message `id` at `timestamp` (Unix seconds).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<SignedHeaders> {
    if id.is_empty() {
        return Err(Error::invalid("id", "the webhook id is empty"));
    }
    let k = key(secret, "secret")?;
    let tag = mac(&k, id, timestamp, body)?.finalize().into_bytes();
    Ok(SignedHeaders {
        id: id.to_string(),
        timestamp: timestamp.to_string(),
        signature: format!("v1,{}", STANDARD.encode(tag)),
    })
}

crate::wire::wire_enum! {
    /// Why an inbound webhook does not verify.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum Refusal {
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is missing.
        MissingHeader = "MISSING_HEADER",
        /// `webhook-timestamp` is not whole seconds.
        BadTimestamp = "BAD_TIMESTAMP",
        /// The timestamp is older than the tolerance allows (a replay, or a slow queue).
        TimestampTooOld = "TIMESTAMP_TOO_OLD",
        /// The timestamp is further ahead than the tolerance allows.
        TimestampInFuture = "TIMESTAMP_IN_FUTURE",
        /// No `v1` signature matches the body under the secret.
        NoMatchingSignature = "NO_MATCHING_SIGNATURE",
    }
}

/// The verdict on an inbound webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Whether it verifies.
    pub valid: bool,
    /// Why not (`None` when it verifies).
    pub reason: Option<Refusal>,
}

fn refuse(reason: Refusal) -> Verdict {
    Verdict {
        valid: false,
        reason: Some(reason),
    }
}

/// Verifies an inbound webhook: headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`, names in any case; several space-separated signatures allowed), the
/// raw body, `now` (Unix seconds) and the tolerance in seconds.
pub fn verify(
    secret: &str,
    headers: &std::collections::BTreeMap<String, String>,
    body: &str,
    now: i64,
    tolerance: i64,
) -> Result<Verdict> {
    let k = key(secret, "secret")?;
    let get = |name: &str| {
        headers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let (Some(id), Some(ts), Some(sigs)) = (
        get("webhook-id"),
        get("webhook-timestamp"),
        get("webhook-signature"),
    ) else {
        return Ok(refuse(Refusal::MissingHeader));
    };
    let Ok(ts) = ts.trim().parse::<i64>() else {
        return Ok(refuse(Refusal::BadTimestamp));
    };
    if ts < now.saturating_sub(tolerance) {
        return Ok(refuse(Refusal::TimestampTooOld));
    }
    if ts > now.saturating_add(tolerance) {
        return Ok(refuse(Refusal::TimestampInFuture));
    }
    for sig in sigs.split(' ') {
        let Some(b64) = sig.strip_prefix("v1,") else {
            continue;
        };
        let Ok(tag) = STANDARD.decode(b64) else {
            continue;
        };
        // `verify_slice` compares in constant time.
        if mac(&k, id, ts, body)?.verify_slice(&tag).is_ok() {
            return Ok(Verdict {
                valid: true,
                reason: None,
            });
        }
    }
    Ok(refuse(Refusal::NoMatchingSignature))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_published_vector_signs_and_verifies() {
        assert_eq!(sign(SECRET, ID, TS, BODY).unwrap().signature, SIG);
        let h: std::collections::BTreeMap<String, String> = [
            ("Webhook-Id".to_string(), ID.to_string()),
            ("webhook-timestamp".to_string(), TS.to_string()),
            (
                "webhook-signature".to_string(),
                format!("v1,bm9wZQ== {SIG}"),
            ),
        ]
        .into();
        assert!(verify(SECRET, &h, BODY, TS + 10, 300).unwrap().valid);
        assert_eq!(
            verify(SECRET, &h, "{\"test\": 2432232315}", TS, 300)
                .unwrap()
                .reason,
            Some(Refusal::NoMatchingSignature)
        );
        assert_eq!(
            verify(SECRET, &h, BODY, TS + 301, 300).unwrap().reason,
            Some(Refusal::TimestampTooOld)
        );
        assert_eq!(
            verify(SECRET, &h, BODY, TS - 301, 300).unwrap().reason,
            Some(Refusal::TimestampInFuture)
        );
    }
}
