//! The claim audit trail (`docs/claims.md`, "Audit trail"): each entry is hash-chained to the
//! one before (SHA-256 over its canonical JSON), optionally keyed (an HMAC-SHA256 per entry
//! under the host's [`AuditKey`]), and [`verify_audit_keyed`] checks a stored chain.

use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::claims::lifecycle::Status;
use crate::digest::{hex, sha256_hex};
use crate::error::{Error, Result};
use crate::time::Instant;

/// One audit entry, hash-chained to the previous one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub struct AuditEntry {
    /// The claim.
    pub claim: String,
    /// The action (`partner_status` for partner updates).
    pub action: String,
    /// Who acted (`partner:<name>` for partner updates).
    pub actor: String,
    /// Their role (`partner` for partner updates).
    pub role: String,
    /// When, as given by the host.
    pub at: Instant,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// The written reason (may be empty where the action needs none).
    pub reason: String,
    /// Whether validation errors were overridden at this point.
    pub overridden: bool,
    /// The previous entry's `hash`, `null` for the first entry.
    pub prev_hash: Option<String>,
    /// The id of the [`AuditKey`] that keyed this entry; absent for an unkeyed entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// SHA-256 (lowercase hex) of this entry's canonical form without `hash` and `mac`.
    pub hash: String,
    /// HMAC-SHA256 (lowercase hex) of `hash` under the key `key_id`; absent when unkeyed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

crate::strict::text_struct!(AuditEntry {
    need_text claim,
    need_text action,
    need_text actor,
    need_text role,
    need_other at,
    need_other from,
    need_other to,
    need_text reason,
    need_other overridden,
    opt_text prev_hash,
    opt_text key_id,
    need_text hash,
    opt_text mac,
});

/// The fields that are hashed: the entry without its hash, serialized compactly in this order.
#[derive(Serialize)]
struct Hashed<'a> {
    claim: &'a str,
    action: &'a str,
    actor: &'a str,
    role: &'a str,
    at: Instant,
    from: Status,
    to: Status,
    reason: &'a str,
    overridden: bool,
    prev_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
}

impl AuditEntry {
    /// The SHA-256 this entry should carry.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::to_vec(&Hashed {
            claim: &self.claim,
            action: &self.action,
            actor: &self.actor,
            role: &self.role,
            at: self.at,
            from: self.from,
            to: self.to,
            reason: &self.reason,
            overridden: self.overridden,
            prev_hash: self.prev_hash.as_deref(),
            key_id: self.key_id.as_deref(),
        })
        .unwrap_or_default();
        sha256_hex(&canonical)
    }

    /// Keys this entry under `key`: records the key's id (part of what `hash` covers),
    /// recomputes `hash` and adds `mac`, the HMAC-SHA256 of `hash` under the key. Chain the
    /// next entry on the new `hash`.
    pub fn keyed(mut self, key: &AuditKey) -> Self {
        self.key_id = Some(key.id.clone());
        self.hash = self.compute_hash();
        self.mac = Some(key.mac_hex(&self.hash));
        self
    }

    /// The canonical serialisation of the whole entry (what a host should store).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(super) fn sealed(mut self) -> Self {
        self.hash = self.compute_hash();
        self
    }
}

/// The shortest audit key accepted, in bytes (128 bits).
pub const AUDIT_KEY_MIN_BYTES: usize = 16;

/// A host's secret key for the audit trail: entries keyed with it carry an HMAC-SHA256 that
/// nobody without the key can recompute after editing the log (docs/claims.md, "Keyed audit").
/// In requests: `{"id": "2026-q4", "secret": "<base64 of at least 16 bytes>"}`; the id is
/// written into each entry, so keys can be rotated and old entries still verified.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("secret", &"…")
            .finish()
    }
}

impl AuditKey {
    /// A key from its id and raw secret bytes (at least [`AUDIT_KEY_MIN_BYTES`]). Errors are
    /// at `id` or `secret`.
    pub fn new(id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Result<Self> {
        let (id, secret) = (id.into(), secret.into());
        if id.trim().is_empty() {
            return Err(Error::invalid("id", "the audit key id is empty"));
        }
        if id.len() > 128 {
            return Err(Error::invalid(
                "id",
                "the audit key id is longer than 128 bytes",
            ));
        }
        if secret.len() < AUDIT_KEY_MIN_BYTES {
            return Err(Error::invalid(
                "secret",
                format!(
                    "the audit key secret is {} bytes; at least {AUDIT_KEY_MIN_BYTES} are needed",
                    secret.len()
                ),
            ));
        }
        Ok(AuditKey { id, secret })
    }

    /// A key whose secret is given as standard base64.
    pub fn from_base64(id: impl Into<String>, secret: &str) -> Result<Self> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.trim())
            .map_err(|_| Error::invalid("secret", "the audit key secret is not base64"))?;
        AuditKey::new(id, bytes)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac_hex(&self, hash: &str) -> String {
        use hmac::{Hmac, Mac};
        match Hmac::<Sha256>::new_from_slice(&self.secret) {
            Ok(mut m) => {
                m.update(hash.as_bytes());
                hex(&m.finalize().into_bytes())
            }
            // HMAC takes keys of any length; unreachable, and no entry could match it.
            Err(_) => String::new(),
        }
    }

    /// Whether `mac` is the HMAC of `hash` under this key, compared in constant time.
    fn verifies(&self, hash: &str, mac: &str) -> bool {
        let want = self.mac_hex(hash);
        want.len() == mac.len()
            && want
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The verdict of [`verify_audit`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    /// Whether the whole chain verifies.
    pub valid: bool,
    /// How many entries were given.
    pub entries: usize,
    /// The index of the first entry that does not verify.
    pub first_broken: Option<usize>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// Whether keys were given and every entry's `mac` verified under one of them: only then
    /// is an edit followed by recomputing the hashes ruled out.
    pub authenticated: bool,
}

/// One stored entry: the entry object, or the exact line the host stored.
#[derive(Clone, Debug)]
pub enum StoredEntry {
    /// A JSON value that should be an audit entry.
    Value(serde_json::Value),
    /// A stored line, which must be the entry's canonical serialisation byte for byte.
    Line(String),
}

/// Verifies a chain: every entry parses, carries its own hash, and points at the previous
/// entry's hash (`null` for the first). Names the first entry that breaks. Keyed entries'
/// MACs are not checked (see [`verify_audit_keyed`]).
pub fn verify_audit(entries: &[StoredEntry]) -> AuditVerdict {
    verify_audit_keyed(entries, &[])
}

/// [`verify_audit`], and with `keys` given, also: every entry is keyed (`key_id`, `mac`) with
/// one of `keys` and its `mac` verifies. An entry without a MAC is then broken: whoever can
/// rewrite the log could otherwise drop the MACs and recompute the plain hashes.
pub fn verify_audit_keyed(entries: &[StoredEntry], keys: &[AuditKey]) -> AuditVerdict {
    let mut prev: Option<String> = None;
    for (i, stored) in entries.iter().enumerate() {
        let broken = |problem: String| AuditVerdict {
            valid: false,
            entries: entries.len(),
            first_broken: Some(i),
            problem: Some(problem),
            authenticated: false,
        };
        let entry: AuditEntry = match stored {
            StoredEntry::Value(v) => match AuditEntry::deserialize(v) {
                Ok(e) => e,
                // Numbers are kept as text: name the number serde no longer names.
                Err(e) => {
                    let msg = e.to_string();
                    let msg = match (v, crate::jsonpath::serde_number_rest(&msg)) {
                        (serde_json::Value::Number(n), Some(rest)) => {
                            format!("invalid type: number `{n}`{rest}")
                        }
                        _ => msg,
                    };
                    return broken(format!("not an audit entry: {msg}"));
                }
            },
            StoredEntry::Line(line) => match serde_json::from_str::<serde_json::Value>(line)
                .and_then(|v| AuditEntry::deserialize(&v))
            {
                Ok(e) if e.canonical() == *line => e,
                Ok(_) => return broken("the stored line is not the entry's canonical form".into()),
                Err(e) => return broken(format!("not an audit entry: {e}")),
            },
        };
        if entry.prev_hash != prev {
            return broken(match (&entry.prev_hash, &prev) {
                (None, Some(_)) => "prev_hash is null but this is not the first entry".into(),
                (Some(_), None) if i == 0 => "the first entry must have prev_hash null".into(),
                _ => "prev_hash does not match the previous entry's hash".into(),
            });
        }
        let computed = entry.compute_hash();
        if entry.hash != computed {
            return broken(format!(
                "hash mismatch: the entry says {}, its content hashes to {computed}",
                entry.hash
            ));
        }
        if entry.key_id.is_some() != entry.mac.is_some() {
            return broken("an entry carries `key_id` and `mac` together or neither".into());
        }
        if !keys.is_empty() {
            let (Some(id), Some(mac)) = (&entry.key_id, &entry.mac) else {
                return broken("the entry is not keyed, but keys were given".into());
            };
            let Some(key) = keys.iter().find(|k| k.id == *id) else {
                return broken(format!("no key with id `{id}` was given"));
            };
            if !key.verifies(&entry.hash, mac) {
                return broken(format!(
                    "mac does not verify under key `{id}`: the entry was changed and its hash recomputed, or it was keyed with another secret"
                ));
            }
        }
        prev = Some(entry.hash);
    }
    AuditVerdict {
        valid: true,
        entries: entries.len(),
        first_broken: None,
        problem: None,
        authenticated: !keys.is_empty(),
    }
}
