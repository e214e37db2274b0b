//! The service's configuration: one TOML file (`examples/serve.toml`, docs/serve.md).
//!
//! Relative paths are read against the configuration file's directory. API keys are given
//! by their SHA-256 (hex): the file never holds a key itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use warranty_core::Role;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listening, limits, the zone.
    pub server: ServerCfg,
    /// Where the records live.
    pub store: StoreCfg,
    /// The policies sales are resolved against.
    pub catalog: CatalogCfg,
    /// `activate_sale`'s `config` (docs/protocol.md): which partners a sale registers with.
    #[serde(default)]
    pub activation: Option<toml::Value>,
    /// Claims: the audit key and the CNH submission.
    #[serde(default)]
    pub claims: ClaimsCfg,
    /// The outbox's tunables and seed.
    pub outbox: OutboxCfg,
    /// Partners by name: the outbox's `PartnerRoutes` (docs/sync.md), `base_path` being the
    /// partner's base URL (`http://…`) and `headers` its credentials.
    #[serde(default)]
    pub partners: BTreeMap<String, toml::Value>,
    /// Webhook subscribers known from the start (more are added at `/v1/subscriptions`).
    #[serde(default)]
    pub subscribers: Vec<Subscriber>,
    /// API keys.
    #[serde(default)]
    pub keys: Vec<KeyCfg>,
    /// The directory relative paths are read against (the file's own).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `[server]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerCfg {
    /// `host:port`.
    pub listen: String,
    /// The IANA zone the shop's dates are read in (`activate_sale`'s `zone`).
    pub zone: String,
    /// The largest request body accepted (bytes); larger ones are answered 413.
    #[serde(default = "default_body_limit")]
    pub body_limit: usize,
    /// Requests a second per key (a token bucket); over it, 429 with `Retry-After`.
    #[serde(default = "default_rate")]
    pub rate_per_second: f64,
    /// The bucket's size: requests a key may make at once.
    #[serde(default = "default_burst")]
    pub rate_burst: f64,
    /// How long the worker waits for a partner's answer before calling it a transport error.
    #[serde(default = "default_partner_timeout")]
    pub partner_timeout_ms: u64,
    /// How many requests the worker has in flight at once.
    #[serde(default = "default_concurrency")]
    pub worker_concurrency: usize,
}

fn default_body_limit() -> usize {
    1 << 20
}
fn default_rate() -> f64 {
    5000.0
}
fn default_burst() -> f64 {
    10000.0
}
fn default_partner_timeout() -> u64 {
    5000
}
fn default_concurrency() -> usize {
    8
}

/// `[store]`: one of `sqlite` and `postgres`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreCfg {
    /// The SQLite database file (created with its schema when missing).
    #[serde(default)]
    pub sqlite: Option<PathBuf>,
    /// A PostgreSQL connection string (`host=… port=… user=… dbname=…`), for several
    /// instances on one database.
    #[serde(default)]
    pub postgres: Option<String>,
    /// How long a worker holds an outbox message it is sending before another instance may
    /// send it again (milliseconds; by default three partner timeouts, at least 10 s).
    #[serde(default)]
    pub lease_ms: Option<u64>,
    /// A cap on the database's size in pages (SQLite `max_page_count`), for tests of a full
    /// disk; none by default.
    #[serde(default)]
    pub max_pages: Option<u64>,
}

/// `[catalog]`: one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogCfg {
    /// A CRM.COM `warranty_policies` response, imported with `import_crm_com`.
    #[serde(default)]
    pub crm_com: Option<PathBuf>,
    /// A JSON array of policies in the protocol's form.
    #[serde(default)]
    pub policies: Option<PathBuf>,
}

/// `[claims]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsCfg {
    /// Key every audit entry (HMAC-SHA256), so the log verifies as authenticated.
    #[serde(default)]
    pub audit_key: Option<AuditKeyCfg>,
    /// Submit claims to CNH when they become `submitted`: `claim_changed`'s `cnh` options.
    #[serde(default)]
    pub cnh: Option<toml::Value>,
}

/// An audit key: its id and its secret (base64).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditKeyCfg {
    /// Recorded in each entry.
    pub id: String,
    /// Base64 of at least 32 bytes.
    pub secret: String,
}

/// `[outbox]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxCfg {
    /// The PRNG seed of the retry jitter (used when the store is created).
    pub seed: u64,
    /// Backoff base.
    #[serde(default)]
    pub base_ms: Option<u64>,
    /// Backoff cap.
    #[serde(default)]
    pub cap_ms: Option<u64>,
    /// Attempts before a dead letter.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Time from enqueue before a dead letter.
    #[serde(default)]
    pub deadline_ms: Option<u64>,
}

/// A webhook subscriber: signed `claim.status_changed` events go to `url`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// Its name (the outbox partner `webhook:<name>`).
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// The Standard Webhooks secret (`whsec_…`).
    pub secret: String,
}

/// One API key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyCfg {
    /// The key's id (in logs and the audit trail; never the key).
    pub id: String,
    /// Its role.
    pub role: Role,
    /// Who acts with it (the audit entries' `actor`); the id by default.
    #[serde(default)]
    pub actor: Option<String>,
    /// SHA-256 (lowercase hex) of the key.
    pub sha256: String,
    /// A revoked key is answered 401.
    #[serde(default)]
    pub revoked: bool,
    /// This key's own rate (requests a second), instead of the server's.
    #[serde(default)]
    pub rate_per_second: Option<f64>,
    /// This key's own bucket size, instead of the server's.
    #[serde(default)]
    pub rate_burst: Option<f64>,
}

pub use warranty_core::digest::sha256_hex;

/// A configuration error: a sentence naming the file and what is wrong.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        let mut c: Config =
            toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        c.dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        c.check()
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        Ok(c)
    }

    /// The lease of a message being sent.
    pub fn lease_ms(&self) -> i64 {
        let t = self.server.partner_timeout_ms.saturating_mul(3).max(10_000);
        i64::try_from(self.store.lease_ms.unwrap_or(t)).unwrap_or(i64::MAX)
    }

    /// The SQLite file, when the store is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.store.sqlite.as_ref().map(|p| self.path(p))
    }

    /// A path of the file, against its directory.
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.store.sqlite.is_some() == self.store.postgres.is_some() {
            return Err("[store] needs exactly one of `sqlite` and `postgres`".into());
        }
        if self.catalog.crm_com.is_some() == self.catalog.policies.is_some() {
            return Err("[catalog] needs exactly one of `crm_com` and `policies`".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for k in &self.keys {
            if !ids.insert(k.id.as_str()) {
                return Err(format!("[[keys]] id `{}` appears twice", k.id));
            }
            let rate = k.rate_per_second.unwrap_or(1.0);
            let burst = k.rate_burst.unwrap_or(1.0);
            if !rate.is_finite() || rate <= 0.0 || !burst.is_finite() || burst < 1.0 {
                return Err(format!(
                    "[[keys]] `{}`: rate_per_second must be above 0 and rate_burst at least 1",
                    k.id
                ));
            }
            if k.sha256.len() != 64
                || !k
                    .sha256
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return Err(format!(
                    "[[keys]] `{}`: sha256 must be 64 lowercase hex digits (the key's SHA-256, never the key)",
                    k.id
                ));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &self.subscribers {
            if !names.insert(s.name.as_str()) {
                return Err(format!("[[subscribers]] name `{}` appears twice", s.name));
            }
        }
        let (rate, burst) = (self.server.rate_per_second, self.server.rate_burst);
        if !rate.is_finite() || rate <= 0.0 || !burst.is_finite() || burst < 1.0 {
            return Err(
                "[server] rate_per_second must be above 0 and rate_burst at least 1".into(),
            );
        }
        Ok(())
    }

    /// `activate_sale`'s config, as JSON.
    pub fn activation_json(&self) -> Value {
        self.activation
            .as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or_else(|| Value::Object(Default::default()))
    }

    /// The outbox configuration for the core: tunables, partners, and one partner per
    /// webhook subscriber (`webhook:<name>`, its URL as the base and its secret).
    pub fn outbox_config(&self, subscribers: &[Subscriber]) -> Value {
        let mut partners = serde_json::Map::new();
        for (name, p) in &self.partners {
            partners.insert(name.clone(), serde_json::to_value(p).unwrap_or(Value::Null));
        }
        for s in subscribers {
            partners.insert(
                subscriber_partner(&s.name),
                serde_json::json!({
                    "base_path": s.url,
                    "routes": {"claim_status": {"method": "POST", "path": ""}},
                    "webhook_secret": s.secret,
                }),
            );
        }
        let mut c = serde_json::Map::new();
        let o = &self.outbox;
        if let Some(v) = o.base_ms {
            c.insert("base_ms".into(), v.into());
        }
        if let Some(v) = o.cap_ms {
            c.insert("cap_ms".into(), v.into());
        }
        if let Some(v) = o.max_attempts {
            c.insert("max_attempts".into(), v.into());
        }
        if let Some(v) = o.deadline_ms {
            c.insert("deadline_ms".into(), v.into());
        }
        c.insert("partners".into(), Value::Object(partners));
        Value::Object(c)
    }
}

/// The outbox partner a webhook subscriber is.
pub fn subscriber_partner(name: &str) -> String {
    format!("webhook:{name}")
}
