//! The store thread: the one writer. It owns the SQLite connection and the dispatcher's
//! [`Engine`] (the catalog and the outbox), and answers every request that changes
//! something, in groups: the jobs waiting at once run in one transaction (group commit) and
//! are answered only after it commits. Each job's records, its API log entry, its audit entry
//! and its outbox messages are in that transaction: the transactional outbox.
//!
//! A job refused by the rules changes nothing (the core guarantees it, and the records are
//! written only after the core accepted). When the database itself fails (full, read-only,
//! I/O), the whole group is rolled back and answered 503, and the in-memory outbox is
//! rebuilt from the store, so memory never runs ahead of the disk.

#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null for a missing key; it never panics"
)]

use std::path::PathBuf;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use warranty_core::{Engine, Role};

use crate::config::{sha256_hex, subscriber_partner, Config, Subscriber};
use crate::http::{engine_error_body, error_body, ok_body, status_of};
use crate::schema;

/// The outbox's name in the engine and the store.
pub const OUTBOX: &str = "main";
/// The catalog's name in the engine.
pub const CATALOG: &str = "store";
/// The most jobs one transaction takes.
const GROUP: usize = 512;

/// Who calls: from the API key.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The key's id.
    pub key_id: String,
    /// Its role.
    pub role: Role,
    /// The actor recorded in audit entries.
    pub actor: String,
}

/// A request that changes something.
#[derive(Debug)]
pub enum Write {
    /// `POST /v1/activations`.
    Activate,
    /// `POST /v1/claims`.
    CreateClaim,
    /// `POST /v1/claims/{id}/validate`.
    Validate(String),
    /// `POST /v1/claims/{id}/transitions`.
    Transition(String),
    /// `POST /v1/claims/{id}/attachments`.
    Attach(String),
    /// `POST /v1/outbox/{id}/replay`.
    Replay(u64),
    /// `POST /v1/outbox/{id}/drop`.
    Drop(u64),
    /// `POST /v1/subscriptions`.
    Subscribe,
    /// `POST /v1/subscriptions/{name}/delete`.
    Unsubscribe(String),
}

/// A POST, authenticated and within its limits.
#[derive(Debug)]
pub struct Post {
    /// Who.
    pub caller: Caller,
    /// The request id (echoed, logged).
    pub request_id: String,
    /// `POST /v1/…` as called: an idempotency key is bound to it.
    pub path: String,
    /// The `Idempotency-Key`.
    pub idem_key: String,
    /// The body.
    pub body: String,
    /// What it does.
    pub write: Write,
    /// The time of the request (epoch milliseconds, the host's clock).
    pub now_ms: i64,
}

/// An HTTP answer: status and JSON body.
#[derive(Clone, Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
    /// The answer is the stored first answer to this idempotency key.
    pub replayed: bool,
}

impl Answer {
    fn ok(status: u16, result: &Value) -> Answer {
        Answer {
            status,
            body: ok_body(result),
            replayed: false,
        }
    }

    /// An error envelope.
    pub fn err(status: u16, code: &str, path: &str, message: &str) -> Answer {
        Answer {
            status,
            body: error_body(code, path, message),
            replayed: false,
        }
    }

    /// 503: the store could not commit.
    pub fn unavailable(why: &str) -> Answer {
        Answer::err(
            503,
            "UNAVAILABLE",
            "",
            &format!("the store cannot write now ({why}); nothing was changed, try again"),
        )
    }

    /// The dispatcher's answer: `{ok:false,error}` mapped to its HTTP status.
    fn from_engine_error(v: &Value) -> Answer {
        let code = v["error"]["code"].as_str().unwrap_or("INTERNAL");
        let message = v["error"]["message"].as_str().unwrap_or("");
        Answer {
            status: status_of(code, message),
            body: engine_error_body(&v["error"]),
            replayed: false,
        }
    }
}

/// What the worker learns from a poll.
#[derive(Debug)]
pub struct Polled {
    /// The request to send, if one is due.
    pub transmit: Option<Value>,
    /// When to poll next (epoch milliseconds), if anything waits.
    pub timeout_ms: Option<i64>,
}

/// What came back from a partner.
#[derive(Debug)]
pub enum Outcome {
    /// An HTTP answer.
    Response {
        /// Status.
        status: u16,
        /// Headers (lower-case names).
        headers: std::collections::BTreeMap<String, String>,
        /// Body (bounded).
        body: String,
    },
    /// No answer: timeout, refused, dropped.
    TransportError,
}

/// A job for the store thread.
pub enum Job {
    /// A POST.
    Post(Box<Post>, oneshot::Sender<Answer>),
    /// The worker asks for the next due request.
    Poll(i64, oneshot::Sender<Result<Polled, String>>),
    /// The worker reports a partner's answer.
    Report(u64, Outcome, i64, oneshot::Sender<Result<(), String>>),
    /// The outbox's delivery report (`outbox_report`).
    SyncReport(oneshot::Sender<Value>),
}

/// Why a group failed: the database refused (answered 503).
struct StoreError(String);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// What the store thread holds.
pub struct Store {
    conn: Connection,
    engine: Engine,
    cfg: StoreSettings,
    /// Active subscribers: each accepted claim transition is sent to them.
    subscribers: Vec<Subscriber>,
    /// Every subscriber with a route in the outbox (inactive ones keep theirs until the next
    /// start, so that what was queued to them is still delivered).
    routes: Vec<Subscriber>,
    last_log_hash: Option<String>,
}

/// The parts of the configuration the store thread uses.
pub struct StoreSettings {
    /// The zone of the shop's dates.
    pub zone: String,
    /// `activate_sale`'s config.
    pub activation: Value,
    /// The audit key (`{id, secret}`), if any.
    pub audit_key: Option<Value>,
    /// CNH submission options, if any.
    pub cnh: Option<Value>,
    /// The outbox config without subscribers' partners.
    pub base: ConfigBase,
}

/// What the outbox configuration is rebuilt from when subscribers change.
pub struct ConfigBase {
    config: Config,
}

impl StoreSettings {
    /// From the configuration.
    pub fn new(config: Config) -> StoreSettings {
        StoreSettings {
            zone: config.server.zone.clone(),
            activation: config.activation_json(),
            audit_key: config
                .claims
                .audit_key
                .as_ref()
                .map(|k| json!({"id": k.id, "secret": k.secret})),
            cnh: config
                .claims
                .cnh
                .as_ref()
                .and_then(|v| serde_json::to_value(v).ok()),
            base: ConfigBase { config },
        }
    }
}

fn now_text(ms: i64) -> String {
    warranty_core::Instant::from_unix_millis(ms)
        .map(|t| t.to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into())
}

/// A body that is exactly one JSON value (so it can be placed inside a request as written,
/// numbers and all).
fn one_value(body: &str) -> Result<&RawValue, Answer> {
    serde_json::from_str::<&RawValue>(body).map_err(|e| {
        Answer::err(
            400,
            "INVALID_JSON",
            "",
            &format!("the body is not one JSON value: {e}"),
        )
    })
}

fn parse_body<'a, T: Deserialize<'a>>(body: &'a str) -> Result<T, Answer> {
    serde_json::from_str(body).map_err(|e| {
        let (status, code) = if e.is_syntax() || e.is_eof() {
            (400, "INVALID_JSON")
        } else {
            (422, "INVALID_INPUT")
        };
        Answer::err(status, code, "", &e.to_string())
    })
}

impl Store {
    /// Opens (creating or migrating) the store, loads the catalog into the engine and
    /// restores the outbox: messages that were in flight when the last process stopped are
    /// due again now, under their key.
    pub fn open(settings: StoreSettings, now_ms: i64) -> Result<Store, String> {
        let c = &settings.base.config;
        let path = c.path(&c.store.sqlite);
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
        }
        let mut conn = schema::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        schema::migrate(&mut conn).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(p) = c.store.max_pages {
            conn.pragma_update(None, "max_page_count", i64::try_from(p).unwrap_or(i64::MAX))
                .map_err(|e| e.to_string())?;
        }
        let mut engine = Engine::new();
        load_catalog(&mut engine, c)?;
        let mut s = Store {
            conn,
            engine,
            cfg: settings,
            subscribers: Vec::new(),
            routes: Vec::new(),
            last_log_hash: None,
        };
        s.reload(now_ms, true)?;
        Ok(s)
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        let c = &self.cfg.base.config;
        c.path(&c.store.sqlite)
    }

    fn call(&mut self, request: &str) -> Value {
        serde_json::from_str(&self.engine.call(request)).unwrap_or(Value::Null)
    }

    /// Rebuilds the in-memory outbox and subscribers from the store (at start, and after a
    /// transaction that failed). `resend` sends in-flight messages again (after a crash).
    fn reload(&mut self, now_ms: i64, resend: bool) -> Result<(), String> {
        let e = |e: rusqlite::Error| e.to_string();
        self.subscribers = self.cfg.base.config.subscribers.clone();
        self.routes = self.subscribers.clone();
        {
            let mut st = self
                .conn
                .prepare("SELECT name, url, secret, active FROM subscriptions ORDER BY name")
                .map_err(e)?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        Subscriber {
                            name: r.get(0)?,
                            url: r.get(1)?,
                            secret: r.get(2)?,
                        },
                        r.get::<_, bool>(3)?,
                    ))
                })
                .map_err(e)?;
            for r in rows {
                let (sub, active) = r.map_err(e)?;
                if self.routes.iter().any(|x| x.name == sub.name) {
                    continue;
                }
                if active {
                    self.subscribers.push(sub.clone());
                }
                self.routes.push(sub);
            }
        }
        let seed: Option<String> = self
            .conn
            .query_row("SELECT v FROM meta WHERE k = 'outbox_rng'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(e)?;
        let next_id: Option<String> = self
            .conn
            .query_row("SELECT v FROM meta WHERE k = 'outbox_next_id'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(e)?;
        self.last_log_hash = self
            .conn
            .query_row(
                "SELECT hash FROM api_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        let config = self.cfg.base.config.outbox_config(&self.routes);
        let _ = self.call(&json!({"op": "outbox_drop", "outbox": OUTBOX}).to_string());
        match (seed, next_id) {
            (Some(rng), Some(next)) => {
                let next: u64 = next
                    .parse()
                    .map_err(|_| "meta outbox_next_id".to_string())?;
                let mut messages = Vec::new();
                let mut st = self
                    .conn
                    .prepare("SELECT message FROM outbox_messages ORDER BY id")
                    .map_err(e)?;
                let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(e)?;
                for r in rows {
                    let text = r.map_err(e)?;
                    messages.push(serde_json::from_str::<Value>(&text).map_err(|x| x.to_string())?);
                }
                drop(st);
                let req = json!({"op": "outbox_restore", "outbox": OUTBOX,
                    "resend_in_flight": resend, "now": now_text(now_ms),
                    "snapshot": {"header": {"name": OUTBOX, "config": config, "rng": rng,
                                            "next_id": next}, "messages": messages}});
                let v = self.call(&req.to_string());
                if v["ok"] != json!(true) {
                    return Err(format!("restoring the outbox: {}", v["error"]));
                }
                if resend {
                    let tx = self.conn.transaction().map_err(e)?;
                    store_persist(&tx, &v["result"]["persist"], now_ms).map_err(|x| x.0)?;
                    tx.commit().map_err(e)?;
                }
            }
            _ => {
                let seed = self.cfg.base.config.outbox.seed;
                let req = json!({"op": "outbox_create", "outbox": OUTBOX, "seed": seed.to_string(),
                                 "config": config});
                let v = self.call(&req.to_string());
                if v["ok"] != json!(true) {
                    return Err(format!("creating the outbox: {}", v["error"]));
                }
                let h = &v["result"]["header"];
                let tx = self.conn.transaction().map_err(e)?;
                store_header(&tx, h["rng"].as_str().unwrap_or("1"), h["next_id"].as_u64())
                    .map_err(|x| x.0)?;
                tx.commit().map_err(e)?;
            }
        }
        Ok(())
    }

    /// Runs the thread: takes the jobs waiting, runs them in one transaction, answers them
    /// after the commit.
    pub fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.blocking_recv() {
            let mut group = vec![first];
            while group.len() < GROUP {
                match rx.try_recv() {
                    Ok(j) => group.push(j),
                    Err(_) => break,
                }
            }
            self.run_group(group);
        }
    }

    fn run_group(&mut self, group: Vec<Job>) {
        let mut now_ms = 0;
        let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
        let result = (|| -> Result<(), StoreError> {
            let tx = self.conn.transaction()?;
            let mut log_hash = self.last_log_hash.clone();
            for job in group {
                match job {
                    Job::Post(p, reply) => {
                        now_ms = now_ms.max(p.now_ms);
                        let mut subs = Subs {
                            active: &mut self.subscribers,
                            routes: &mut self.routes,
                        };
                        let a = post(&tx, &mut self.engine, &self.cfg, &mut subs, &p)?;
                        log_hash = Some(api_log(&tx, &p, a.status, log_hash.as_deref())?);
                        replies.push(Reply::Post(reply, a));
                    }
                    Job::Poll(t, reply) => {
                        now_ms = now_ms.max(t);
                        let v = call(
                            &mut self.engine,
                            &json!({"op": "outbox_poll_transmit",
                            "outbox": OUTBOX, "now": now_text(t)})
                            .to_string(),
                        );
                        if v["ok"] != json!(true) {
                            replies.push(Reply::Poll(reply, Err(v["error"].to_string())));
                            continue;
                        }
                        store_persist(&tx, &v["result"]["persist"], t)?;
                        let transmit =
                            Some(v["result"]["transmit"].clone()).filter(|t| !t.is_null());
                        let to = call(
                            &mut self.engine,
                            &json!({"op": "outbox_poll_timeout",
                            "outbox": OUTBOX})
                            .to_string(),
                        );
                        let timeout_ms = to["result"]["timeout_ms"].as_i64();
                        replies.push(Reply::Poll(
                            reply,
                            Ok(Polled {
                                transmit,
                                timeout_ms,
                            }),
                        ));
                    }
                    Job::Report(id, outcome, t, reply) => {
                        now_ms = now_ms.max(t);
                        let req = match outcome {
                            Outcome::Response {
                                status,
                                headers,
                                body,
                            } => json!({
                                "op": "outbox_handle_response", "outbox": OUTBOX, "id": id,
                                "status": status, "headers": headers, "body": body,
                                "now": now_text(t)}),
                            Outcome::TransportError => json!({"op": "outbox_transport_error",
                                "outbox": OUTBOX, "id": id, "now": now_text(t)}),
                        };
                        let v = call(&mut self.engine, &req.to_string());
                        if v["ok"] != json!(true) {
                            replies.push(Reply::Report(reply, Err(v["error"].to_string())));
                            continue;
                        }
                        store_persist(&tx, &v["result"]["persist"], t)?;
                        replies.push(Reply::Report(reply, Ok(())));
                    }
                    Job::SyncReport(reply) => {
                        let v = call(
                            &mut self.engine,
                            &json!({"op": "outbox_report", "outbox": OUTBOX}).to_string(),
                        );
                        replies.push(Reply::Value(reply, v["result"].clone()));
                    }
                }
            }
            tx.commit()?;
            self.last_log_hash = log_hash;
            Ok(())
        })();
        match result {
            Ok(()) => {
                for r in replies {
                    r.send();
                }
            }
            Err(StoreError(why)) => {
                // Nothing of the group is on disk: rebuild memory from the store and tell
                // every caller to try again.
                let reload = self.reload(now_ms, false);
                for r in replies {
                    r.fail(&why);
                }
                if let Err(e) = reload {
                    eprintln!("wty serve: rebuilding the outbox from the store failed: {e}");
                }
            }
        }
    }
}

enum Reply {
    Post(oneshot::Sender<Answer>, Answer),
    Poll(
        oneshot::Sender<Result<Polled, String>>,
        Result<Polled, String>,
    ),
    Report(oneshot::Sender<Result<(), String>>, Result<(), String>),
    Value(oneshot::Sender<Value>, Value),
}

impl Reply {
    fn send(self) {
        // A caller that went away (timed out, disconnected) no longer waits: nothing to do.
        match self {
            Reply::Post(s, a) => drop(s.send(a)),
            Reply::Poll(s, a) => drop(s.send(a)),
            Reply::Report(s, a) => drop(s.send(a)),
            Reply::Value(s, a) => drop(s.send(a)),
        }
    }

    fn fail(self, why: &str) {
        match self {
            Reply::Post(s, _) => drop(s.send(Answer::unavailable(why))),
            Reply::Poll(s, _) => drop(s.send(Err(why.to_string()))),
            Reply::Report(s, _) => drop(s.send(Err(why.to_string()))),
            Reply::Value(s, _) => drop(s.send(Value::Null)),
        }
    }
}

fn call(engine: &mut Engine, request: &str) -> Value {
    serde_json::from_str(&engine.call(request)).unwrap_or(Value::Null)
}

fn load_catalog(engine: &mut Engine, c: &Config) -> Result<(), String> {
    let (file, req) = match (&c.catalog.crm_com, &c.catalog.policies) {
        (Some(f), _) => (f, "crm"),
        (None, Some(f)) => (f, "policies"),
        (None, None) => return Err("[catalog] names no file".into()),
    };
    let path = c.path(file);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let inner =
        serde_json::from_str::<&RawValue>(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let request = if req == "crm" {
        format!(
            r#"{{"op":"import_crm_com","catalog":{},"zone":{},"response":{}}}"#,
            Value::from(CATALOG),
            Value::from(c.server.zone.as_str()),
            inner.get()
        )
    } else {
        format!(
            r#"{{"op":"load_catalog","catalog":{},"policies":{}}}"#,
            Value::from(CATALOG),
            inner.get()
        )
    };
    let v = call(engine, &request);
    if v["ok"] != json!(true) {
        return Err(format!("{}: {}", path.display(), v["error"]));
    }
    Ok(())
}

fn store_header(tx: &Transaction<'_>, rng: &str, next_id: Option<u64>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO meta (k, v) VALUES ('outbox_rng', ?1) ON CONFLICT (k) DO UPDATE SET v = ?1",
        params![rng],
    )?;
    tx.execute(
        "INSERT INTO meta (k, v) VALUES ('outbox_next_id', ?1) ON CONFLICT (k) DO UPDATE SET v = ?1",
        params![next_id.unwrap_or(1).to_string()],
    )?;
    Ok(())
}

/// Stores an outbox `persist` record: the counters, each message upserted by id, each event
/// appended (docs/sync.md, "Storing a persist").
fn store_persist(tx: &Transaction<'_>, p: &Value, now_ms: i64) -> Result<(), StoreError> {
    if p.is_null() {
        return Err(StoreError("the outbox gave no persist record".into()));
    }
    store_header(tx, p["rng"].as_str().unwrap_or("1"), p["next_id"].as_u64())?;
    if let Some(ms) = p["messages"].as_array() {
        let mut st = tx.prepare(
            "INSERT INTO outbox_messages (id, partner, state, idempotency_key, message)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET state = ?3, message = ?5",
        )?;
        for m in ms {
            st.execute(params![
                m["id"].as_i64(),
                m["partner"].as_str(),
                m["state"].as_str(),
                m["idempotency_key"].as_str(),
                m.to_string()
            ])?;
        }
    }
    if let Some(es) = p["events"].as_array() {
        let mut st = tx.prepare("INSERT INTO outbox_events (at_ms, event) VALUES (?1, ?2)")?;
        for e in es {
            st.execute(params![now_ms, e.to_string()])?;
        }
    }
    Ok(())
}

/// Appends the request to the API log, hash-chained: each entry's hash is SHA-256 over the
/// previous hash and the entry (docs/serve.md, "API log").
fn api_log(
    tx: &Transaction<'_>,
    p: &Post,
    status: u16,
    prev: Option<&str>,
) -> Result<String, StoreError> {
    let body = if matches!(p.write, Write::Subscribe) {
        redact_secret(&p.body)
    } else {
        p.body.clone()
    };
    let body_sha = sha256_hex(body.as_bytes());
    let role = p.caller.role.as_str();
    let hash = log_hash(
        prev,
        &p.request_id,
        p.now_ms,
        &p.caller.key_id,
        role,
        "POST",
        &p.path,
        status,
        &body_sha,
    );
    tx.prepare(
        "INSERT INTO api_log (request_id, at_ms, key_id, role, method, path, status, body,
                              body_sha256, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, 'POST', ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        p.request_id,
        p.now_ms,
        p.caller.key_id,
        role,
        p.path,
        status,
        body,
        body_sha,
        prev,
        hash
    ])?;
    Ok(hash)
}

/// The hash of one API log entry.
#[allow(
    clippy::too_many_arguments,
    reason = "the entry's fields, in their hashed order"
)]
pub fn log_hash(
    prev: Option<&str>,
    request_id: &str,
    at_ms: i64,
    key_id: &str,
    role: &str,
    method: &str,
    path: &str,
    status: u16,
    body_sha: &str,
) -> String {
    let canon = json!([prev, request_id, at_ms, key_id, role, method, path, status, body_sha]);
    sha256_hex(canon.to_string().as_bytes())
}

/// A subscription body with its secret replaced, for the API log.
fn redact_secret(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(mut m)) => {
            if m.contains_key("secret") {
                m.insert("secret".into(), Value::from("[redacted]"));
            }
            Value::Object(m).to_string()
        }
        _ => "[not an object]".into(),
    }
}

/// Runs one POST inside the group's transaction. `Err` only when the database fails.
fn post(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    subs: &mut Subs<'_>,
    p: &Post,
) -> Result<Answer, StoreError> {
    let body_sha = sha256_hex(p.body.as_bytes());
    let seen: Option<(String, String, u16, String)> = tx
        .prepare(
            "SELECT scope, body_sha256, status, response FROM idempotency
             WHERE key_id = ?1 AND idem_key = ?2",
        )?
        .query_row(params![p.caller.key_id, p.idem_key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    if let Some((scope, sha, status, response)) = seen {
        if scope == p.path && sha == body_sha {
            return Ok(Answer {
                status,
                body: response,
                replayed: true,
            });
        }
        return Ok(Answer::err(
            409,
            "IDEMPOTENCY_CONFLICT",
            "Idempotency-Key",
            &format!(
                "Idempotency-Key `{}` was already used for another request ({}); use a new key for a new request",
                p.idem_key,
                if scope == p.path { "another body" } else { "another endpoint" }
            ),
        ));
    }
    let answer = match run_write(tx, engine, cfg, subs, p)? {
        Ok(a) | Err(a) => a,
    };
    if answer.status < 500 {
        tx.prepare(
            "INSERT INTO idempotency (key_id, idem_key, scope, body_sha256, status, response, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            p.caller.key_id,
            p.idem_key,
            p.path,
            body_sha,
            answer.status,
            answer.body,
            p.now_ms
        ])?;
    }
    Ok(answer)
}

type Outcome2 = Result<Answer, Answer>;

/// The subscriber lists a write may change.
struct Subs<'a> {
    active: &'a mut Vec<Subscriber>,
    routes: &'a mut Vec<Subscriber>,
}

fn run_write(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    subs: &mut Subs<'_>,
    p: &Post,
) -> Result<Outcome2, StoreError> {
    let now = now_text(p.now_ms);
    Ok(match &p.write {
        Write::Activate => activate(tx, engine, cfg, p, &now)?,
        Write::CreateClaim => create_claim(tx, p)?,
        Write::Validate(id) => validate(tx, engine, cfg, p, id, &now)?,
        Write::Transition(id) => transition(tx, engine, cfg, subs.active, p, id, &now)?,
        Write::Attach(id) => attach(tx, p, id)?,
        Write::Replay(id) => replay(tx, engine, p, *id, &now)?,
        Write::Drop(id) => drop_dead(tx, p, *id)?,
        Write::Subscribe => subscribe(tx, engine, cfg, subs, p, &now)?,
        Write::Unsubscribe(name) => unsubscribe(tx, subs.active, name)?,
    })
}

fn activate(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    p: &Post,
    now: &str,
) -> Result<Outcome2, StoreError> {
    let sale = match one_value(&p.body) {
        Ok(s) => s,
        Err(a) => return Ok(Err(a)),
    };
    let req = format!(
        r#"{{"op":"activate_sale","outbox":"{OUTBOX}","catalog":"{CATALOG}","config":{},"zone":{},"now":"{now}","sale":{}}}"#,
        cfg.activation,
        Value::from(cfg.zone.as_str()),
        sale.get()
    );
    let v = call(engine, &req);
    if v["ok"] != json!(true) {
        return Ok(Err(Answer::from_engine_error(&relative(v, "sale"))));
    }
    store_persist(tx, &v["result"]["persist"], p.now_ms)?;
    let sale: Value = serde_json::from_str(sale.get()).unwrap_or(Value::Null);
    let order = sale["order_id"].as_str().unwrap_or("");
    let store = sale["store"].as_str().unwrap_or("");
    let lines = v["result"]["lines"].clone();
    let mut st = tx.prepare(
        "INSERT INTO activations (order_id, line_id, serial, store, outcome, policy, end_ms, record,
                                  enqueued, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (order_id, line_id) DO UPDATE SET serial = ?3, store = ?4, outcome = ?5,
             policy = ?6, end_ms = ?7, record = ?8, enqueued = ?9, at_ms = ?10",
    )?;
    for l in lines.as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let r = &l["record"];
        let end_ms = r["end"]
            .as_str()
            .and_then(|e| warranty_core::Instant::parse(e).ok())
            .map(|i| i.0.timestamp_millis());
        st.execute(params![
            order,
            l["line_id"].as_str(),
            l["serial"].as_str(),
            store,
            r["outcome"].as_str(),
            r["policy"].as_str(),
            end_ms,
            r.to_string(),
            l["enqueued"].to_string(),
            p.now_ms
        ])?;
    }
    Ok(Ok(Answer::ok(
        201,
        &json!({"order_id": order, "lines": lines}),
    )))
}

/// A dispatcher error whose path is below the request's `field`: the path as the HTTP body
/// sees it (`sale.lines[0]` → `lines[0]`).
fn relative(mut v: Value, field: &str) -> Value {
    if let Some(path) = v["error"]["path"].as_str() {
        let p = if path == field {
            String::new()
        } else if let Some(rest) = path.strip_prefix(field).and_then(|r| r.strip_prefix('.')) {
            rest.to_string()
        } else if let Some(rest) = path.strip_prefix(field).filter(|r| r.starts_with('[')) {
            rest.to_string()
        } else {
            path.to_string()
        };
        v["error"]["path"] = Value::from(p);
    }
    v
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateClaimBody<'a> {
    #[serde(borrow)]
    claim: &'a RawValue,
}

fn create_claim(tx: &Transaction<'_>, p: &Post) -> Result<Outcome2, StoreError> {
    let b: CreateClaimBody<'_> = match parse_body(&p.body) {
        Ok(b) => b,
        Err(a) => return Ok(Err(a)),
    };
    let claim: warranty_core::claims::Claim = match serde_json::from_str(b.claim.get()) {
        Ok(c) => c,
        Err(e) => {
            return Ok(Err(Answer::err(
                422,
                "INVALID_INPUT",
                "claim",
                &format!("not a claim: {e}"),
            )))
        }
    };
    let id = claim.dms_claim_number.clone();
    if id.trim().is_empty() {
        return Ok(Err(Answer::err(
            422,
            "INVALID_INPUT",
            "claim.dms_claim_number",
            "a claim needs its dms_claim_number (its id here)",
        )));
    }
    let exists: Option<i64> = tx
        .prepare("SELECT 1 FROM claims WHERE id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(Err(Answer::err(
            409,
            "CLAIM_EXISTS",
            "claim.dms_claim_number",
            &format!("a claim `{id}` exists already"),
        )));
    }
    let state = json!({"claim": id, "status": "draft"});
    tx.prepare(
        "INSERT INTO claims (id, claim, state, last_hash, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, NULL, ?4, ?4)",
    )?
    .execute(params![id, b.claim.get(), state.to_string(), p.now_ms])?;
    Ok(Ok(Answer::ok(201, &json!({"id": id, "state": state}))))
}

struct ClaimRow {
    claim: String,
    state: Value,
    last_hash: Option<String>,
}

fn claim_row(tx: &Transaction<'_>, id: &str) -> Result<Result<ClaimRow, Answer>, StoreError> {
    let row: Option<(String, String, Option<String>)> = tx
        .prepare("SELECT claim, state, last_hash FROM claims WHERE id = ?1")?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        Some((claim, state, last_hash)) => Ok(ClaimRow {
            claim,
            state: serde_json::from_str(&state).unwrap_or(Value::Null),
            last_hash,
        }),
        None => Err(Answer::err(
            404,
            "NOT_FOUND",
            "",
            &format!("there is no claim `{id}`"),
        )),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateBody<'a> {
    #[serde(borrow, default)]
    as_of: Option<&'a RawValue>,
    #[serde(borrow, default)]
    rules: Option<&'a RawValue>,
    #[serde(borrow, default)]
    known_claims: Option<&'a RawValue>,
}

fn validate(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    p: &Post,
    id: &str,
    now: &str,
) -> Result<Outcome2, StoreError> {
    let b: ValidateBody<'_> = match parse_body(if p.body.trim().is_empty() {
        "{}"
    } else {
        &p.body
    }) {
        Ok(b) => b,
        Err(a) => return Ok(Err(a)),
    };
    let row = match claim_row(tx, id)? {
        Ok(r) => r,
        Err(a) => return Ok(Err(a)),
    };
    let now_json = Value::from(now).to_string();
    let mut req = format!(
        r#"{{"op":"validate_claim","claim":{},"zone":{},"as_of":{}"#,
        row.claim,
        Value::from(cfg.zone.as_str()),
        b.as_of.map(RawValue::get).unwrap_or(&now_json)
    );
    if let Some(r) = b.rules {
        req.push_str(r#","rules":"#);
        req.push_str(r.get());
    }
    if let Some(k) = b.known_claims {
        req.push_str(r#","known_claims":"#);
        req.push_str(k.get());
    }
    req.push('}');
    let v = call(engine, &req);
    if v["ok"] != json!(true) {
        return Ok(Err(Answer::from_engine_error(&v)));
    }
    let mut state = row.state;
    state["validation"] = v["result"]["outcome"].clone();
    tx.prepare("UPDATE claims SET state = ?2, updated_ms = ?3 WHERE id = ?1")?
        .execute(params![id, state.to_string(), p.now_ms])?;
    Ok(Ok(Answer::ok(
        200,
        &json!({"id": id, "report": v["result"], "state": state}),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionBody {
    action: String,
    #[serde(default)]
    reason: String,
}

fn transition(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    subscribers: &[Subscriber],
    p: &Post,
    id: &str,
    now: &str,
) -> Result<Outcome2, StoreError> {
    let b: TransitionBody = match parse_body(&p.body) {
        Ok(b) => b,
        Err(a) => return Ok(Err(a)),
    };
    let row = match claim_row(tx, id)? {
        Ok(r) => r,
        Err(a) => return Ok(Err(a)),
    };
    let mut req = json!({"op": "transition_claim", "state": row.state, "action": b.action,
        "actor": {"id": p.caller.actor, "role": p.caller.role.as_str()}, "at": now,
        "reason": b.reason, "prev_hash": row.last_hash});
    if let Some(k) = &cfg.audit_key {
        req["audit_key"] = k.clone();
    }
    let v = call(engine, &req.to_string());
    if v["ok"] != json!(true) {
        return Ok(Err(Answer::from_engine_error(&v)));
    }
    let changed = v["result"].clone();
    let state = &changed["state"];
    let audit = &changed["audit"];
    // What the partners must be told, in the same transaction.
    let mut enqueued = Vec::new();
    let mut configs: Vec<Value> = subscribers
        .iter()
        .map(|s| json!({"webhook_partner": subscriber_partner(&s.name)}))
        .collect();
    if let Some(cnh) = &cfg.cnh {
        match configs.first_mut() {
            Some(c) => c["cnh"] = cnh.clone(),
            None => configs.push(json!({"cnh": cnh})),
        }
    }
    for c in configs {
        let req = format!(
            r#"{{"op":"claim_changed","outbox":"{OUTBOX}","claim":{},"transition":{},"config":{},"now":"{now}"}}"#,
            row.claim, changed, c
        );
        let n = call(engine, &req);
        if n["ok"] != json!(true) {
            if enqueued.is_empty() {
                // The first call (the one with CNH's submission, when configured) is refused:
                // a claim CNH would not take. Nothing was enqueued; the transition is
                // refused with that error and nothing is stored.
                return Ok(Err(Answer::from_engine_error(&n)));
            }
            // A later webhook call refused after earlier ones enqueued: roll the group back
            // (memory is rebuilt from the store).
            return Err(StoreError(format!(
                "claim_changed refused after an accepted transition: {}",
                n["error"]
            )));
        }
        store_persist(tx, &n["result"]["persist"], p.now_ms)?;
        if let Some(ids) = n["result"]["enqueued"].as_array() {
            enqueued.extend(ids.iter().cloned());
        }
    }
    let seq: i64 = tx
        .prepare("SELECT COUNT(*) FROM claim_audit WHERE claim = ?1")?
        .query_row(params![id], |r| r.get(0))?;
    tx.prepare("INSERT INTO claim_audit (claim, seq, entry) VALUES (?1, ?2, ?3)")?
        .execute(params![id, seq, audit.to_string()])?;
    let submitted_at = (state["status"] == json!("submitted")).then(|| now.to_string());
    let approved_at = (state["status"] == json!("approved")).then(|| now.to_string());
    tx.prepare(
        "UPDATE claims SET state = ?2, last_hash = ?3, updated_ms = ?4,
                submitted_at = COALESCE(submitted_at, ?5), approved_at = COALESCE(approved_at, ?6)
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        state.to_string(),
        audit["hash"].as_str(),
        p.now_ms,
        submitted_at,
        approved_at
    ])?;
    Ok(Ok(Answer::ok(
        200,
        &json!({"id": id, "state": state, "audit": audit, "enqueued": enqueued}),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentBody {
    name: String,
    media_type: String,
    size: u64,
    sha256: String,
    #[serde(default)]
    reference: Option<String>,
}

fn attach(tx: &Transaction<'_>, p: &Post, id: &str) -> Result<Outcome2, StoreError> {
    let b: AttachmentBody = match parse_body(&p.body) {
        Ok(b) => b,
        Err(a) => return Ok(Err(a)),
    };
    let bad = |path: &str, m: &str| Ok(Err(Answer::err(422, "INVALID_INPUT", path, m)));
    if b.name.trim().is_empty() || b.name.len() > 255 {
        return bad("name", "the file name must be 1 to 255 bytes");
    }
    if !b.media_type.contains('/') || b.media_type.len() > 127 {
        return bad("media_type", "a media type such as image/jpeg");
    }
    if b.sha256.len() != 64 || !b.sha256.bytes().all(|c| c.is_ascii_hexdigit()) {
        return bad("sha256", "the file's SHA-256: 64 hex digits");
    }
    if let Err(a) = claim_row(tx, id)? {
        return Ok(Err(a));
    }
    let seq: i64 = tx
        .prepare("SELECT COUNT(*) FROM attachments WHERE claim = ?1")?
        .query_row(params![id], |r| r.get(0))?;
    let meta = json!({"seq": seq, "name": b.name, "media_type": b.media_type, "size": b.size,
        "sha256": b.sha256.to_ascii_lowercase(), "reference": b.reference,
        "added_by": p.caller.actor});
    tx.prepare("INSERT INTO attachments (claim, seq, meta, at_ms) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, seq, meta.to_string(), p.now_ms])?;
    Ok(Ok(Answer::ok(201, &meta)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

fn reason_of(p: &Post) -> Result<String, Answer> {
    let b: ReasonBody = parse_body(&p.body)?;
    if b.reason.trim().is_empty() {
        return Err(Answer::err(
            422,
            "INVALID_INPUT",
            "reason",
            "a replay or a drop needs a written reason",
        ));
    }
    Ok(b.reason)
}

fn admin_action(
    tx: &Transaction<'_>,
    p: &Post,
    action: &str,
    id: u64,
    reason: &str,
) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO admin_actions (at_ms, key_id, actor, role, action, message_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        p.now_ms,
        p.caller.key_id,
        p.caller.actor,
        p.caller.role.as_str(),
        action,
        i64::try_from(id).unwrap_or(i64::MAX),
        reason
    ])?;
    Ok(())
}

fn dropped(tx: &Transaction<'_>, id: u64) -> Result<bool, StoreError> {
    let r: Option<Option<String>> = tx
        .prepare("SELECT dropped_reason FROM outbox_messages WHERE id = ?1")?
        .query_row(params![i64::try_from(id).unwrap_or(-1)], |r| r.get(0))
        .optional()?;
    Ok(matches!(r, Some(Some(_))))
}

fn replay(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    p: &Post,
    id: u64,
    now: &str,
) -> Result<Outcome2, StoreError> {
    let reason = match reason_of(p) {
        Ok(r) => r,
        Err(a) => return Ok(Err(a)),
    };
    if dropped(tx, id)? {
        return Ok(Err(Answer::err(
            409,
            "DROPPED",
            "",
            &format!("message {id} was dropped; a dropped dead letter is not replayed"),
        )));
    }
    let v = call(
        engine,
        &json!({"op": "outbox_replay", "outbox": OUTBOX, "id": id, "now": now}).to_string(),
    );
    if v["ok"] != json!(true) {
        let mut a = Answer::from_engine_error(&v);
        if v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("there is no message"))
        {
            a.status = 404;
        } else {
            a.status = 409;
        }
        return Ok(Err(a));
    }
    store_persist(tx, &v["result"]["persist"], p.now_ms)?;
    admin_action(tx, p, "replay", id, &reason)?;
    Ok(Ok(Answer::ok(
        200,
        &json!({"message": v["result"]["message"], "reason": reason}),
    )))
}

fn drop_dead(tx: &Transaction<'_>, p: &Post, id: u64) -> Result<Outcome2, StoreError> {
    let reason = match reason_of(p) {
        Ok(r) => r,
        Err(a) => return Ok(Err(a)),
    };
    let state: Option<(String, Option<String>)> = tx
        .prepare("SELECT state, dropped_reason FROM outbox_messages WHERE id = ?1")?
        .query_row(params![i64::try_from(id).unwrap_or(-1)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match state {
        None => Ok(Err(Answer::err(
            404,
            "NOT_FOUND",
            "",
            &format!("there is no message {id}"),
        ))),
        Some((_, Some(_))) => Ok(Err(Answer::err(
            409,
            "DROPPED",
            "",
            &format!("message {id} was dropped already"),
        ))),
        Some((s, None)) if s != "dead_lettered" => Ok(Err(Answer::err(
            409,
            "INVALID_INPUT",
            "",
            &format!("message {id} is {s}, not dead-lettered: only a dead letter can be dropped"),
        ))),
        Some(_) => {
            tx.prepare("UPDATE outbox_messages SET dropped_reason = ?2 WHERE id = ?1")?
                .execute(params![i64::try_from(id).unwrap_or(-1), reason])?;
            admin_action(tx, p, "drop", id, &reason)?;
            Ok(Ok(Answer::ok(
                200,
                &json!({"id": id, "dropped": true, "reason": reason}),
            )))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeBody {
    name: String,
    url: String,
    secret: String,
}

fn subscribe(
    tx: &Transaction<'_>,
    engine: &mut Engine,
    cfg: &StoreSettings,
    subs: &mut Subs<'_>,
    p: &Post,
    now: &str,
) -> Result<Outcome2, StoreError> {
    let b: SubscribeBody = match parse_body(&p.body) {
        Ok(b) => b,
        Err(a) => return Ok(Err(a)),
    };
    let bad = |path: &str, m: &str| Ok(Err(Answer::err(422, "INVALID_INPUT", path, m)));
    if b.name.is_empty()
        || b.name.len() > 64
        || !b
            .name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return bad("name", "1 to 64 letters, digits, `-` or `_`");
    }
    if !b.url.starts_with("http://") && !b.url.starts_with("https://") {
        return bad("url", "an http:// or https:// URL");
    }
    if subs.active.iter().any(|s| s.name == b.name) {
        return Ok(Err(Answer::err(
            409,
            "SUBSCRIPTION_EXISTS",
            "name",
            &format!("a subscriber `{}` exists already", b.name),
        )));
    }
    let sub = Subscriber {
        name: b.name,
        url: b.url,
        secret: b.secret,
    };
    let mut all: Vec<Subscriber> = subs
        .routes
        .iter()
        .filter(|s| s.name != sub.name)
        .cloned()
        .collect();
    all.push(sub.clone());
    // The outbox's partners are its configuration: rebuild it from its snapshot with the
    // new subscriber's route (the core checks the secret can sign).
    let snap = call(
        engine,
        &json!({"op": "outbox_snapshot", "outbox": OUTBOX}).to_string(),
    );
    let mut snapshot = snap["result"].clone();
    snapshot["header"]["config"] = cfg.base.config.outbox_config(&all);
    let check = call(
        &mut Engine::new(),
        &json!({"op": "outbox_restore", "snapshot": snapshot, "resend_in_flight": false})
            .to_string(),
    );
    if check["ok"] != json!(true) {
        let mut v = check;
        v["error"]["path"] = Value::from("secret");
        return Ok(Err(Answer::from_engine_error(&v)));
    }
    let _ = call(
        engine,
        &json!({"op": "outbox_drop", "outbox": OUTBOX}).to_string(),
    );
    let v = call(
        engine,
        &json!({"op": "outbox_restore", "snapshot": snapshot, "resend_in_flight": false, "now": now})
            .to_string(),
    );
    if v["ok"] != json!(true) {
        return Err(StoreError(format!("rebuilding the outbox: {}", v["error"])));
    }
    tx.prepare(
        "INSERT INTO subscriptions (name, url, secret, active, created_ms) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (name) DO UPDATE SET url = ?2, secret = ?3, active = 1",
    )?
    .execute(params![sub.name, sub.url, sub.secret, p.now_ms])?;
    let answer = json!({"name": sub.name, "url": sub.url, "active": true});
    *subs.routes = all;
    subs.active.push(sub);
    Ok(Ok(Answer::ok(201, &answer)))
}

fn unsubscribe(
    tx: &Transaction<'_>,
    subscribers: &mut Vec<Subscriber>,
    name: &str,
) -> Result<Outcome2, StoreError> {
    let n = tx
        .prepare("UPDATE subscriptions SET active = 0 WHERE name = ?1 AND active = 1")?
        .execute(params![name])?;
    if n == 0 {
        return Ok(Err(Answer::err(
            404,
            "NOT_FOUND",
            "",
            &format!("there is no active subscriber `{name}` added through the API"),
        )));
    }
    // New events stop; messages already queued to it are still delivered (its route stays
    // in the outbox until the next start).
    subscribers.retain(|s| s.name != name);
    Ok(Ok(Answer::ok(200, &json!({"name": name, "active": false}))))
}
