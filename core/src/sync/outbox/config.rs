//! The outbox's tunables and the partners' routes (`docs/sync.md`, "Outbox").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;

/// Tunables, with the defaults of `docs/sync.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// First backoff ceiling, milliseconds (default 1,000).
    pub base_ms: u64,
    /// Largest backoff ceiling, milliseconds (default 300,000).
    pub cap_ms: u64,
    /// Attempts before a retryable failure is dead-lettered (default 8).
    pub max_attempts: u32,
    /// Milliseconds after enqueueing after which a message is dead-lettered instead of retried
    /// (default 86,400,000: one day).
    pub deadline_ms: u64,
    /// Per partner: base path and routes `operation → {method, path}`.
    pub partners: BTreeMap<String, PartnerRoutes>,
}

impl OutboxConfig {
    /// Checks the configuration: backoff numbers and webhook secrets.
    pub fn validate(&self) -> Result<()> {
        if self.base_ms == 0 || self.cap_ms < self.base_ms {
            return Err(Error::invalid(
                "config.cap_ms",
                "need 0 < base_ms <= cap_ms",
            ));
        }
        if self.max_attempts == 0 {
            return Err(Error::invalid(
                "config.max_attempts",
                "at least one attempt",
            ));
        }
        for (name, p) in &self.partners {
            if let Some(s) = &p.webhook_secret {
                crate::sync::webhook::sign(s, "check", 0, "").map_err(|_| {
                    Error::invalid(
                        format!("config.partners.{name}.webhook_secret"),
                        "not a `whsec_` base64 secret",
                    )
                })?;
            }
        }
        Ok(())
    }
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            base_ms: 1_000,
            cap_ms: 300_000,
            max_attempts: 8,
            deadline_ms: 86_400_000,
            partners: BTreeMap::new(),
        }
    }
}

/// How one partner's operations become HTTP requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PartnerRoutes {
    /// Prefix of every path, e.g. `/external/services/warrantyclaim`.
    pub base_path: String,
    /// Headers sent with every request (e.g. `authorization`).
    pub headers: BTreeMap<String, String>,
    /// `operation → route`; an operation without a route is `POST {base_path}/{operation}`.
    pub routes: BTreeMap<String, Route>,
    /// A Standard Webhooks secret (`whsec_…`): requests to this partner are signed when they
    /// are sent (`webhook-id` = the idempotency key, `webhook-timestamp` = `now`).
    pub webhook_secret: Option<String>,
}

/// Method and path of one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// HTTP method.
    pub method: String,
    /// Path below the partner's base path.
    pub path: String,
}
