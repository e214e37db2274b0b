//! The store thread: each instance's one writer. It owns the database connection (SQLite or
//! PostgreSQL) and the dispatcher's [`Engine`], and answers every request that changes
//! something, in groups: the jobs waiting at once run in one transaction (group commit) and
//! are answered only after it commits. Each job's records, its API log entry, its audit entry
//! and its outbox messages are in that transaction: the transactional outbox.
//!
//! The outbox lives in the store, not in memory: each operation restores into the engine the
//! stored header and the messages it touches, runs the core, and stores the `persist` it
//! returns. So several instances can share a PostgreSQL database — writers take turns on the
//! header's row, workers claim due messages with `FOR UPDATE SKIP LOCKED` and a lease — and a
//! rolled-back group leaves nothing behind in memory.
//!
//! A job refused by the rules changes nothing (the core guarantees it, and the records are
//! written only after the core accepted). When the database itself fails (full, read-only,
//! I/O, a lost connection), the whole group is rolled back and answered 503.

#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null for a missing key; it never panics"
)]

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use warranty_core::{Engine, Role};

use crate::config::{sha256_hex, subscriber_partner, Config, Subscriber};
use crate::db::{Db, DbError, Kind, Lite, Pg, Row, StatementCache, Val};
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
pub struct StoreError(pub String);

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        StoreError(e.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError(DbError::from(e).0)
    }
}

/// The database the store thread writes.
enum Backend {
    Lite(rusqlite::Connection),
    Pg {
        client: Option<Box<postgres::Client>>,
        url: String,
        cache: StatementCache,
    },
}

/// What the store thread holds: the database and the dispatcher (the catalog; the outbox is
/// restored from the store for each operation, with the messages that operation touches, so
/// that several instances can share one database).
pub struct Store {
    backend: Backend,
    engine: Engine,
    cfg: StoreSettings,
    instance: String,
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
    /// The lease of a message being sent (ms).
    pub lease_ms: i64,
    /// The whole configuration (partners, subscribers, the outbox's tunables).
    pub config: Config,
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
            lease_ms: config.lease_ms(),
            config,
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

fn call(engine: &mut Engine, request: &str) -> Value {
    serde_json::from_str(&engine.call(request)).unwrap_or(Value::Null)
}

fn ok(v: &Value) -> bool {
    v["ok"] == json!(true)
}

/// Opens a PostgreSQL connection (no TLS: on loopback or a private network).
pub fn pg_connect(url: &str) -> Result<postgres::Client, String> {
    postgres::Client::connect(url, postgres::NoTls).map_err(|e| format!("postgres: {e}"))
}

impl Store {
    /// Opens (creating or migrating) the store and loads the catalog into the engine. With
    /// SQLite (one instance), messages that were in flight when the last process stopped are
    /// due again at once, under their key; with PostgreSQL, when their lease runs out.
    pub fn open(settings: StoreSettings, now_ms: i64) -> Result<Store, String> {
        let c = &settings.config;
        let backend = match (c.sqlite_path(), &c.store.postgres) {
            (Some(path), _) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                let mut conn =
                    schema::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                schema::migrate(&mut conn).map_err(|e| format!("{}: {e}", path.display()))?;
                if let Some(p) = c.store.max_pages {
                    conn.pragma_update(
                        None,
                        "max_page_count",
                        i64::try_from(p).unwrap_or(i64::MAX),
                    )
                    .map_err(|e| e.to_string())?;
                }
                conn.execute(
                    "UPDATE outbox_messages SET lease_until = 0 WHERE state = 'in_flight'",
                    [],
                )
                .map_err(|e| e.to_string())?;
                Backend::Lite(conn)
            }
            (None, Some(url)) => {
                let mut client = pg_connect(url)?;
                schema::migrate_pg(&mut client)?;
                Backend::Pg {
                    client: Some(Box::new(client)),
                    url: url.clone(),
                    cache: StatementCache::new(),
                }
            }
            (None, None) => return Err("[store] names no database".into()),
        };
        let mut engine = Engine::new();
        load_catalog(&mut engine, c)?;
        let mut s = Store {
            backend,
            engine,
            cfg: settings,
            instance: format!("{:x}-{}", now_ms, std::process::id()),
        };
        s.create_header()?;
        Ok(s)
    }

    /// This process's id in leases and in the worker's `User-Agent`.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The outbox's header, created once (its PRNG from the configured seed).
    fn create_header(&mut self) -> Result<(), String> {
        let seed = self.cfg.config.outbox.seed;
        let config = self.cfg.config.outbox_config(&[]);
        let v = call(
            &mut self.engine,
            &json!({"op": "outbox_create", "outbox": "header", "seed": seed.to_string(),
                    "config": config})
            .to_string(),
        );
        if !ok(&v) {
            return Err(format!("the outbox configuration: {}", v["error"]));
        }
        let _ = call(
            &mut self.engine,
            &json!({"op": "outbox_drop", "outbox": "header"}).to_string(),
        );
        let h = &v["result"]["header"];
        let rng = h["rng"].as_str().unwrap_or("1").to_string();
        let next = h["next_id"].as_u64().unwrap_or(1).to_string();
        let sql = "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO NOTHING";
        let e = |e: DbError| e.0;
        match &mut self.backend {
            Backend::Lite(conn) => {
                let mut db = Lite(conn);
                db.execute(sql, &["outbox_rng".into(), rng.into()])
                    .map_err(e)?;
                db.execute(sql, &["outbox_next_id".into(), next.into()])
                    .map_err(e)?;
            }
            Backend::Pg {
                client: Some(client),
                ..
            } => {
                let mut db = Pg::new(&mut **client);
                db.execute(sql, &["outbox_rng".into(), rng.into()])
                    .map_err(e)?;
                db.execute(sql, &["outbox_next_id".into(), next.into()])
                    .map_err(e)?;
            }
            Backend::Pg { client: None, .. } => return Err("postgres: not connected".into()),
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
        let writes = group
            .iter()
            .any(|j| matches!(j, Job::Post(..) | Job::Report(..)));
        let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
        let engine = &mut self.engine;
        let cfg = &self.cfg;
        let instance = self.instance.as_str();
        let run = |db: &mut dyn Db| {
            Ctx {
                db,
                engine,
                cfg,
                instance,
            }
            .run_jobs(group, writes, &mut replies)
        };
        let result = match &mut self.backend {
            Backend::Lite(conn) => (|| -> Result<(), StoreError> {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                run(&mut Lite(&tx))?;
                tx.commit()?;
                Ok(())
            })(),
            Backend::Pg { client, url, cache } => (|| -> Result<(), StoreError> {
                if client.as_ref().is_none_or(|c| c.is_closed()) {
                    *client = None;
                    cache.clear();
                    *client = Some(Box::new(pg_connect(url).map_err(StoreError)?));
                }
                let Some(c) = client.as_mut() else {
                    return Err(StoreError("postgres: not connected".into()));
                };
                let mut tx = c.transaction()?;
                run(&mut Pg::cached(&mut tx, cache))?;
                tx.commit()?;
                Ok(())
            })(),
        };
        match result {
            Ok(()) => {
                for r in replies {
                    r.send();
                }
            }
            Err(StoreError(why)) => {
                eprintln!("wty serve: a transaction was rolled back: {why}");
                // Nothing of the group is on disk, and nothing of it is kept in memory (the
                // outbox is restored from the store for each operation): every caller is told
                // to try again. Jobs not yet run when the group failed were dropped with it;
                // their callers see the store thread's answer channel close (503).
                for r in replies {
                    r.fail(&why);
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
    if !ok(&v) {
        return Err(format!("{}: {}", path.display(), v["error"]));
    }
    Ok(())
}

/// One group's view: the transaction, the dispatcher and the settings.
struct Ctx<'a> {
    db: &'a mut dyn Db,
    engine: &'a mut Engine,
    cfg: &'a StoreSettings,
    instance: &'a str,
}

type Outcome2 = Result<Answer, Answer>;

impl Ctx<'_> {
    fn run_jobs(
        &mut self,
        group: Vec<Job>,
        writes: bool,
        replies: &mut Vec<Reply>,
    ) -> Result<(), StoreError> {
        if writes && self.db.kind() == Kind::Postgres {
            // Writers of every instance take turns (the outbox's counters, the API log's
            // chain); the workers' polls do not wait for them (SKIP LOCKED, leases).
            self.db
                .query("SELECT v FROM meta WHERE k = 'outbox_rng' FOR UPDATE", &[])?;
        }
        let mut log = if group.iter().any(|j| matches!(j, Job::Post(..))) {
            self.db
                .one(
                    "SELECT seq, hash FROM api_log ORDER BY seq DESC LIMIT 1",
                    &[],
                )?
                .map(|r| {
                    (
                        r.first().and_then(Val::int).unwrap_or(0),
                        r.get(1).and_then(|v| v.text().map(str::to_string)),
                    )
                })
                .unwrap_or((0, None))
        } else {
            (0, None)
        };
        for job in group {
            match job {
                Job::Post(p, reply) => {
                    let a = self.post(&p)?;
                    log = self.api_log(&p, a.status, log)?;
                    replies.push(Reply::Post(reply, a));
                }
                Job::Poll(t, reply) => {
                    let r = self.poll(t)?;
                    replies.push(Reply::Poll(reply, r));
                }
                Job::Report(id, outcome, t, reply) => {
                    let r = self.report(id, outcome, t)?;
                    replies.push(Reply::Report(reply, r));
                }
                Job::SyncReport(reply) => {
                    let v = self.sync_report()?;
                    replies.push(Reply::Value(reply, v));
                }
            }
        }
        Ok(())
    }

    /// Active subscribers, and every subscriber with a route (inactive ones keep theirs, so
    /// that what was queued to them is still delivered).
    fn subscribers(&mut self) -> Result<(Vec<Subscriber>, Vec<Subscriber>), StoreError> {
        let mut active = self.cfg.config.subscribers.clone();
        let mut routes = active.clone();
        for r in self.db.query(
            "SELECT name, url, secret, active FROM subscriptions ORDER BY name",
            &[],
        )? {
            let sub = Subscriber {
                name: r.first().map(Val::string).unwrap_or_default(),
                url: r.get(1).map(Val::string).unwrap_or_default(),
                secret: r.get(2).map(Val::string).unwrap_or_default(),
            };
            if routes.iter().any(|x| x.name == sub.name) {
                continue;
            }
            if r.get(3).and_then(Val::int).unwrap_or(0) != 0 {
                active.push(sub.clone());
            }
            routes.push(sub);
        }
        Ok((active, routes))
    }

    fn meta(&mut self, k: &str) -> Result<String, StoreError> {
        self.db
            .one("SELECT v FROM meta WHERE k = ?1", &[k.into()])?
            .and_then(|r| r.first().map(Val::string))
            .ok_or_else(|| StoreError(format!("meta `{k}` is missing")))
    }

    /// Puts the outbox into the engine: the stored header, the current routes (and `extra`,
    /// a subscriber being added) and `messages`. `Ok(Err(error))` when the core refuses it.
    fn restore(
        &mut self,
        messages: Vec<Value>,
        resend: bool,
        now_ms: i64,
        extra: Option<&Subscriber>,
    ) -> Result<Result<(), Value>, StoreError> {
        let rng = self.meta("outbox_rng")?;
        let next: u64 = self
            .meta("outbox_next_id")?
            .parse()
            .map_err(|_| StoreError("meta outbox_next_id is not a number".into()))?;
        let (_, mut routes) = self.subscribers()?;
        if let Some(x) = extra {
            routes.retain(|s| s.name != x.name);
            routes.push(x.clone());
        }
        let config = self.cfg.config.outbox_config(&routes);
        let _ = call(
            self.engine,
            &json!({"op": "outbox_drop", "outbox": OUTBOX}).to_string(),
        );
        let v = call(
            self.engine,
            &json!({"op": "outbox_restore", "outbox": OUTBOX, "resend_in_flight": resend,
                "now": now_text(now_ms),
                "snapshot": {"header": {"name": OUTBOX, "config": config, "rng": rng,
                                        "next_id": next}, "messages": messages}})
            .to_string(),
        );
        if ok(&v) {
            Ok(Ok(()))
        } else {
            Ok(Err(v))
        }
    }

    fn restore_or_fail(
        &mut self,
        messages: Vec<Value>,
        resend: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.restore(messages, resend, now_ms, None)?
            .map_err(|v| StoreError(format!("restoring the outbox: {}", v["error"])))
    }

    fn message_rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Value>, StoreError> {
        Ok(self
            .db
            .query(sql, params)?
            .iter()
            .filter_map(|r| r.first().and_then(Val::text))
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }

    /// Stores an outbox `persist` record (docs/sync.md, "Storing a persist"): each message
    /// upserted by id, each event appended, and — when `header` — the counters. A message in
    /// flight gets `lease` (owner, until).
    fn store_persist(
        &mut self,
        p: &Value,
        now_ms: i64,
        header: bool,
        lease: Option<i64>,
    ) -> Result<(), StoreError> {
        if p.is_null() {
            return Err(StoreError("the outbox gave no persist record".into()));
        }
        if header {
            let sql = "UPDATE meta SET v = ?2 WHERE k = ?1";
            self.db.execute(
                sql,
                &["outbox_rng".into(), p["rng"].as_str().unwrap_or("1").into()],
            )?;
            self.db.execute(
                sql,
                &[
                    "outbox_next_id".into(),
                    p["next_id"].as_u64().unwrap_or(1).to_string().into(),
                ],
            )?;
        }
        for m in p["messages"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let in_flight = m["state"] == json!("in_flight");
            let (owner, until) = if in_flight {
                (
                    Val::from(self.instance),
                    Val::Int(now_ms.saturating_add(lease.unwrap_or(0))),
                )
            } else {
                (Val::Null, Val::NullInt)
            };
            self.db.execute(
                "INSERT INTO outbox_messages
                     (id, partner, state, idempotency_key, message, due_ms, lease_owner, lease_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET state = ?3, message = ?5, due_ms = ?6,
                     lease_owner = ?7, lease_until = ?8",
                &[
                    m["id"].as_i64().into(),
                    m["partner"].as_str().into(),
                    m["state"].as_str().into(),
                    m["idempotency_key"].as_str().into(),
                    m.to_string().into(),
                    m["due_ms"].as_i64().into(),
                    owner,
                    until,
                ],
            )?;
        }
        for e in p["events"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            self.db.execute(
                "INSERT INTO outbox_events (at_ms, event) VALUES (?1, ?2)",
                &[now_ms.into(), e.to_string().into()],
            )?;
        }
        Ok(())
    }

    /// Runs an operation that enqueues (`activate_sale`, `claim_changed`): first on the
    /// outbox without messages, to learn the keys it enqueues; again with the stored messages
    /// of those keys when there are any, so that the core's idempotency (same key and body: a
    /// no-op; another body: refused) judges it; then stores its `persist`.
    fn enqueue_op(
        &mut self,
        request: &str,
        now_ms: i64,
    ) -> Result<Result<Value, Value>, StoreError> {
        self.restore_or_fail(Vec::new(), false, now_ms)?;
        let mut v = call(self.engine, request);
        if !ok(&v) {
            return Ok(Err(v));
        }
        let mut existing = Vec::new();
        for m in v["result"]["persist"]["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            existing.extend(self.message_rows(
                "SELECT message FROM outbox_messages WHERE partner = ?1 AND idempotency_key = ?2",
                &[
                    m["partner"].as_str().into(),
                    m["idempotency_key"].as_str().into(),
                ],
            )?);
        }
        if !existing.is_empty() {
            self.restore_or_fail(existing, false, now_ms)?;
            v = call(self.engine, request);
            if !ok(&v) {
                return Ok(Err(v));
            }
        }
        self.store_persist(&v["result"]["persist"], now_ms, true, None)?;
        Ok(Ok(v))
    }

    /// The worker's poll: the next due message, claimed (`FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL) — a pending one due now, or one in flight whose lease ran out (its sender
    /// died: it goes again under its key) — marked in flight with this instance's lease.
    fn poll(&mut self, now_ms: i64) -> Result<Result<Polled, String>, StoreError> {
        let lock = if self.db.kind() == Kind::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        // The earlier of the next due pending message and the next lease run out, so that
        // neither starves the other.
        let next =
            |cx: &mut Self, state: &str, col: &str| -> Result<Option<(i64, Value)>, StoreError> {
                let r = cx.db.one(
                    &format!(
                    "SELECT {col}, message FROM outbox_messages WHERE state = ?2 AND {col} <= ?1
                     ORDER BY {col}, id LIMIT 1{lock}"
                ),
                    &[now_ms.into(), state.into()],
                )?;
                Ok(r.and_then(|r| {
                    let at = r.first().and_then(Val::int)?;
                    let m = serde_json::from_str(r.get(1)?.text()?).ok()?;
                    Some((at, m))
                }))
            };
        let pending = next(self, "pending", "due_ms")?;
        let expired = next(self, "in_flight", "lease_until")?;
        let (m, resend) = match (pending, expired) {
            (Some((a, p)), Some((b, e))) => {
                if b < a {
                    (vec![e], true)
                } else {
                    (vec![p], false)
                }
            }
            (Some((_, p)), None) => (vec![p], false),
            (None, Some((_, e))) => (vec![e], true),
            (None, None) => (Vec::new(), false),
        };
        let mut transmit = None;
        if !m.is_empty() {
            self.restore_or_fail(m, resend, now_ms)?;
            let v = call(
                self.engine,
                &json!({"op": "outbox_poll_transmit", "outbox": OUTBOX, "now": now_text(now_ms)})
                    .to_string(),
            );
            if !ok(&v) {
                return Ok(Err(v["error"].to_string()));
            }
            // Polling changes no counter: the header stays as another instance may have it.
            let lease = self.cfg.lease_ms;
            self.store_persist(&v["result"]["persist"], now_ms, false, Some(lease))?;
            transmit = Some(v["result"]["transmit"].clone()).filter(|t| !t.is_null());
        }
        let due = self.db.one(
            "SELECT MIN(due_ms) FROM outbox_messages WHERE state = 'pending'",
            &[],
        )?;
        let lease = self.db.one(
            "SELECT MIN(lease_until) FROM outbox_messages WHERE state = 'in_flight'",
            &[],
        )?;
        let first = |r: Option<Row>| r.and_then(|r| r.first().and_then(Val::int));
        let timeout_ms = match (first(due), first(lease)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(Ok(Polled {
            transmit,
            timeout_ms,
        }))
    }

    /// The worker's report of a partner's answer (or of none).
    fn report(
        &mut self,
        id: u64,
        outcome: Outcome,
        now_ms: i64,
    ) -> Result<Result<(), String>, StoreError> {
        let m = self.message_rows(
            "SELECT message FROM outbox_messages WHERE id = ?1 AND state = 'in_flight'",
            &[id.into()],
        )?;
        if m.is_empty() {
            // Answered already (a lease that ran out, sent again by another worker).
            return Ok(Err(format!("message {id} is not in flight")));
        }
        self.restore_or_fail(m, false, now_ms)?;
        let req = match outcome {
            Outcome::Response {
                status,
                headers,
                body,
            } => json!({"op": "outbox_handle_response", "outbox": OUTBOX, "id": id,
                        "status": status, "headers": headers, "body": body,
                        "now": now_text(now_ms)}),
            Outcome::TransportError => json!({"op": "outbox_transport_error",
                "outbox": OUTBOX, "id": id, "now": now_text(now_ms)}),
        };
        let v = call(self.engine, &req.to_string());
        if !ok(&v) {
            return Ok(Err(v["error"].to_string()));
        }
        self.store_persist(&v["result"]["persist"], now_ms, true, None)?;
        Ok(Ok(()))
    }

    /// `outbox_report` over every stored message.
    fn sync_report(&mut self) -> Result<Value, StoreError> {
        let all = self.message_rows("SELECT message FROM outbox_messages ORDER BY id", &[])?;
        self.restore_or_fail(all, false, 0)?;
        let v = call(
            self.engine,
            &json!({"op": "outbox_report", "outbox": OUTBOX}).to_string(),
        );
        Ok(v["result"].clone())
    }

    /// Appends the request to the API log, hash-chained: each entry's hash is SHA-256 over
    /// the previous hash and the entry (docs/serve.md, "The API log").
    fn api_log(
        &mut self,
        p: &Post,
        status: u16,
        prev: (i64, Option<String>),
    ) -> Result<(i64, Option<String>), StoreError> {
        let body = if matches!(p.write, Write::Subscribe) {
            redact_secret(&p.body)
        } else {
            p.body.clone()
        };
        let body_sha = sha256_hex(body.as_bytes());
        let role = p.caller.role.as_str();
        let hash = log_hash(
            prev.1.as_deref(),
            &p.request_id,
            p.now_ms,
            &p.caller.key_id,
            role,
            "POST",
            &p.path,
            status,
            &body_sha,
        );
        let seq = prev.0.saturating_add(1);
        self.db.execute(
            "INSERT INTO api_log (seq, request_id, at_ms, key_id, role, method, path, status, body,
                                  body_sha256, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, 'POST', ?6, ?7, ?8, ?9, ?10, ?11)",
            &[
                seq.into(),
                p.request_id.as_str().into(),
                p.now_ms.into(),
                p.caller.key_id.as_str().into(),
                role.into(),
                p.path.as_str().into(),
                status.into(),
                body.into(),
                body_sha.into(),
                prev.1.into(),
                hash.as_str().into(),
            ],
        )?;
        Ok((seq, Some(hash)))
    }

    /// Runs one POST inside the group's transaction. `Err` only when the database fails.
    fn post(&mut self, p: &Post) -> Result<Answer, StoreError> {
        let body_sha = sha256_hex(p.body.as_bytes());
        let seen = self.db.one(
            "SELECT scope, body_sha256, status, response FROM idempotency
             WHERE key_id = ?1 AND idem_key = ?2",
            &[p.caller.key_id.as_str().into(), p.idem_key.as_str().into()],
        )?;
        if let Some(r) = seen {
            let scope = r.first().map(Val::string).unwrap_or_default();
            let sha = r.get(1).map(Val::string).unwrap_or_default();
            if scope == p.path && sha == body_sha {
                return Ok(Answer {
                    status: r
                        .get(2)
                        .and_then(Val::int)
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(200),
                    body: r.get(3).map(Val::string).unwrap_or_default(),
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
        let answer = match self.run_write(p)? {
            Ok(a) | Err(a) => a,
        };
        if answer.status < 500 {
            self.db.execute(
                "INSERT INTO idempotency (key_id, idem_key, scope, body_sha256, status, response, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    p.caller.key_id.as_str().into(),
                    p.idem_key.as_str().into(),
                    p.path.as_str().into(),
                    body_sha.into(),
                    answer.status.into(),
                    answer.body.as_str().into(),
                    p.now_ms.into(),
                ],
            )?;
        }
        Ok(answer)
    }

    fn run_write(&mut self, p: &Post) -> Result<Outcome2, StoreError> {
        let now = now_text(p.now_ms);
        match &p.write {
            Write::Activate => self.activate(p, &now),
            Write::CreateClaim => self.create_claim(p),
            Write::Validate(id) => self.validate(p, id, &now),
            Write::Transition(id) => self.transition(p, id, &now),
            Write::Attach(id) => self.attach(p, id),
            Write::Replay(id) => self.replay(p, *id, &now),
            Write::Drop(id) => self.drop_dead(p, *id),
            Write::Subscribe => self.subscribe(p),
            Write::Unsubscribe(name) => self.unsubscribe(name),
        }
    }

    fn activate(&mut self, p: &Post, now: &str) -> Result<Outcome2, StoreError> {
        let sale = match one_value(&p.body) {
            Ok(s) => s,
            Err(a) => return Ok(Err(a)),
        };
        let req = format!(
            r#"{{"op":"activate_sale","outbox":"{OUTBOX}","catalog":"{CATALOG}","config":{},"zone":{},"now":"{now}","sale":{}}}"#,
            self.cfg.activation,
            Value::from(self.cfg.zone.as_str()),
            sale.get()
        );
        let v = match self.enqueue_op(&req, p.now_ms)? {
            Ok(v) => v,
            Err(e) => return Ok(Err(Answer::from_engine_error(&relative(e, "sale")))),
        };
        let sale: Value = serde_json::from_str(sale.get()).unwrap_or(Value::Null);
        let order = sale["order_id"].as_str().unwrap_or("");
        let store = sale["store"].as_str().unwrap_or("");
        let lines = v["result"]["lines"].clone();
        for l in lines.as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let r = &l["record"];
            let end_ms = r["end"]
                .as_str()
                .and_then(|e| warranty_core::Instant::parse(e).ok())
                .map(|i| i.0.timestamp_millis());
            self.db.execute(
                "INSERT INTO activations (order_id, line_id, serial, store, outcome, policy, end_ms,
                                          record, enqueued, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (order_id, line_id) DO UPDATE SET serial = ?3, store = ?4,
                     outcome = ?5, policy = ?6, end_ms = ?7, record = ?8, enqueued = ?9, at_ms = ?10",
                &[
                    order.into(),
                    l["line_id"].as_str().into(),
                    l["serial"].as_str().into(),
                    store.into(),
                    r["outcome"].as_str().into(),
                    r["policy"].as_str().into(),
                    end_ms.into(),
                    r.to_string().into(),
                    l["enqueued"].to_string().into(),
                    p.now_ms.into(),
                ],
            )?;
        }
        Ok(Ok(Answer::ok(
            201,
            &json!({"order_id": order, "lines": lines}),
        )))
    }

    fn create_claim(&mut self, p: &Post) -> Result<Outcome2, StoreError> {
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
        if self
            .db
            .one("SELECT 1 FROM claims WHERE id = ?1", &[id.as_str().into()])?
            .is_some()
        {
            return Ok(Err(Answer::err(
                409,
                "CLAIM_EXISTS",
                "claim.dms_claim_number",
                &format!("a claim `{id}` exists already"),
            )));
        }
        let state = json!({"claim": id, "status": "draft"});
        // The reports read its amount: a claim the core could not sum is refused here, with
        // the core's reason, rather than breaking the report later.
        let parsed: Value = serde_json::from_str(b.claim.get()).unwrap_or(Value::Null);
        let summary = claim_summary(&id, &parsed, &state, None, None);
        let check = call(
            self.engine,
            &json!({"op": "claims_report", "claims": [summary]}).to_string(),
        );
        if !ok(&check) {
            let path = match check["error"]["path"].as_str() {
                Some("claims[0].claimed") => "claim.total",
                Some("claims[0].currency") => "claim.lines[0].currency",
                _ => "claim",
            };
            let message = check["error"]["message"].as_str().unwrap_or("");
            return Ok(Err(Answer::err(422, "INVALID_INPUT", path, message)));
        }
        self.db.execute(
            "INSERT INTO claims (id, claim, state, last_hash, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, NULL, ?4, ?4)",
            &[
                id.as_str().into(),
                b.claim.get().into(),
                state.to_string().into(),
                p.now_ms.into(),
            ],
        )?;
        Ok(Ok(Answer::ok(201, &json!({"id": id, "state": state}))))
    }

    fn claim_row(&mut self, id: &str) -> Result<Result<ClaimRow, Answer>, StoreError> {
        let row = self.db.one(
            "SELECT claim, state, last_hash FROM claims WHERE id = ?1",
            &[id.into()],
        )?;
        Ok(match row {
            Some(r) => Ok(ClaimRow {
                claim: r.first().map(Val::string).unwrap_or_default(),
                state: serde_json::from_str(&r.get(1).map(Val::string).unwrap_or_default())
                    .unwrap_or(Value::Null),
                last_hash: r.get(2).and_then(|v| v.text().map(str::to_string)),
            }),
            None => Err(Answer::err(
                404,
                "NOT_FOUND",
                "",
                &format!("there is no claim `{id}`"),
            )),
        })
    }

    fn validate(&mut self, p: &Post, id: &str, now: &str) -> Result<Outcome2, StoreError> {
        let body = if p.body.trim().is_empty() {
            "{}"
        } else {
            &p.body
        };
        let b: ValidateBody<'_> = match parse_body(body) {
            Ok(b) => b,
            Err(a) => return Ok(Err(a)),
        };
        let row = match self.claim_row(id)? {
            Ok(r) => r,
            Err(a) => return Ok(Err(a)),
        };
        let now_json = Value::from(now).to_string();
        let mut req = format!(
            r#"{{"op":"validate_claim","claim":{},"zone":{},"as_of":{}"#,
            row.claim,
            Value::from(self.cfg.zone.as_str()),
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
        let v = call(self.engine, &req);
        if !ok(&v) {
            return Ok(Err(Answer::from_engine_error(&v)));
        }
        let mut state = row.state;
        state["validation"] = v["result"]["outcome"].clone();
        self.db.execute(
            "UPDATE claims SET state = ?2, updated_ms = ?3 WHERE id = ?1",
            &[id.into(), state.to_string().into(), p.now_ms.into()],
        )?;
        Ok(Ok(Answer::ok(
            200,
            &json!({"id": id, "report": v["result"], "state": state}),
        )))
    }

    fn transition(&mut self, p: &Post, id: &str, now: &str) -> Result<Outcome2, StoreError> {
        let b: TransitionBody = match parse_body(&p.body) {
            Ok(b) => b,
            Err(a) => return Ok(Err(a)),
        };
        let row = match self.claim_row(id)? {
            Ok(r) => r,
            Err(a) => return Ok(Err(a)),
        };
        let mut req = json!({"op": "transition_claim", "state": row.state, "action": b.action,
            "actor": {"id": p.caller.actor, "role": p.caller.role.as_str()}, "at": now,
            "reason": b.reason, "prev_hash": row.last_hash});
        if let Some(k) = &self.cfg.audit_key {
            req["audit_key"] = k.clone();
        }
        let v = call(self.engine, &req.to_string());
        if !ok(&v) {
            return Ok(Err(Answer::from_engine_error(&v)));
        }
        let changed = v["result"].clone();
        let state = &changed["state"];
        let audit = &changed["audit"];
        // What the partners must be told, in the same transaction.
        let (active, _) = self.subscribers()?;
        let mut configs: Vec<Value> = active
            .iter()
            .map(|s| json!({"webhook_partner": subscriber_partner(&s.name)}))
            .collect();
        if let Some(cnh) = &self.cfg.cnh {
            match configs.first_mut() {
                Some(c) => c["cnh"] = cnh.clone(),
                None => configs.push(json!({"cnh": cnh})),
            }
        }
        let mut enqueued = Vec::new();
        for c in configs {
            let req = format!(
                r#"{{"op":"claim_changed","outbox":"{OUTBOX}","claim":{},"transition":{},"config":{},"now":"{now}"}}"#,
                row.claim, changed, c
            );
            match self.enqueue_op(&req, p.now_ms)? {
                Ok(n) => {
                    if let Some(ids) = n["result"]["enqueued"].as_array() {
                        enqueued.extend(ids.iter().cloned());
                    }
                }
                // The first call (the one with CNH's submission, when configured) refused:
                // a claim CNH would not take. Nothing was enqueued; the transition is refused
                // with that error and nothing is stored.
                Err(n) if enqueued.is_empty() => return Ok(Err(Answer::from_engine_error(&n))),
                // A later webhook call refused after earlier ones enqueued: roll back.
                Err(n) => {
                    return Err(StoreError(format!(
                        "claim_changed refused after an accepted transition: {}",
                        n["error"]
                    )))
                }
            }
        }
        let seq = self.db.count(
            "SELECT COUNT(*) FROM claim_audit WHERE claim = ?1",
            &[id.into()],
        )?;
        self.db.execute(
            "INSERT INTO claim_audit (claim, seq, entry) VALUES (?1, ?2, ?3)",
            &[id.into(), seq.into(), audit.to_string().into()],
        )?;
        let submitted_at = (state["status"] == json!("submitted")).then(|| now.to_string());
        let approved_at = (state["status"] == json!("approved")).then(|| now.to_string());
        self.db.execute(
            "UPDATE claims SET state = ?2, last_hash = ?3, updated_ms = ?4,
                    submitted_at = COALESCE(submitted_at, ?5), approved_at = COALESCE(approved_at, ?6)
             WHERE id = ?1",
            &[
                id.into(),
                state.to_string().into(),
                audit["hash"].as_str().into(),
                p.now_ms.into(),
                submitted_at.into(),
                approved_at.into(),
            ],
        )?;
        Ok(Ok(Answer::ok(
            200,
            &json!({"id": id, "state": state, "audit": audit, "enqueued": enqueued}),
        )))
    }

    fn attach(&mut self, p: &Post, id: &str) -> Result<Outcome2, StoreError> {
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
        if let Err(a) = self.claim_row(id)? {
            return Ok(Err(a));
        }
        let seq = self.db.count(
            "SELECT COUNT(*) FROM attachments WHERE claim = ?1",
            &[id.into()],
        )?;
        let meta = json!({"seq": seq, "name": b.name, "media_type": b.media_type, "size": b.size,
            "sha256": b.sha256.to_ascii_lowercase(), "reference": b.reference,
            "added_by": p.caller.actor});
        self.db.execute(
            "INSERT INTO attachments (claim, seq, meta, at_ms) VALUES (?1, ?2, ?3, ?4)",
            &[
                id.into(),
                seq.into(),
                meta.to_string().into(),
                p.now_ms.into(),
            ],
        )?;
        Ok(Ok(Answer::ok(201, &meta)))
    }

    fn admin_action(
        &mut self,
        p: &Post,
        action: &str,
        id: u64,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "INSERT INTO admin_actions (at_ms, key_id, actor, role, action, message_id, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                p.now_ms.into(),
                p.caller.key_id.as_str().into(),
                p.caller.actor.as_str().into(),
                p.caller.role.as_str().into(),
                action.into(),
                id.into(),
                reason.into(),
            ],
        )?;
        Ok(())
    }

    /// A message's state and dropped reason.
    fn message_state(&mut self, id: u64) -> Result<Option<(String, Option<String>)>, StoreError> {
        Ok(self
            .db
            .one(
                "SELECT state, dropped_reason FROM outbox_messages WHERE id = ?1",
                &[id.into()],
            )?
            .map(|r| {
                (
                    r.first().map(Val::string).unwrap_or_default(),
                    r.get(1).and_then(|v| v.text().map(str::to_string)),
                )
            }))
    }

    fn replay(&mut self, p: &Post, id: u64, now: &str) -> Result<Outcome2, StoreError> {
        let reason = match reason_of(p) {
            Ok(r) => r,
            Err(a) => return Ok(Err(a)),
        };
        match self.message_state(id)? {
            None => {
                return Ok(Err(Answer::err(
                    404,
                    "NOT_FOUND",
                    "",
                    &format!("there is no message {id}"),
                )))
            }
            Some((_, Some(_))) => {
                return Ok(Err(Answer::err(
                    409,
                    "DROPPED",
                    "",
                    &format!("message {id} was dropped; a dropped dead letter is not replayed"),
                )))
            }
            Some(_) => {}
        }
        let m = self.message_rows(
            "SELECT message FROM outbox_messages WHERE id = ?1",
            &[id.into()],
        )?;
        self.restore_or_fail(m, false, p.now_ms)?;
        let v = call(
            self.engine,
            &json!({"op": "outbox_replay", "outbox": OUTBOX, "id": id, "now": now}).to_string(),
        );
        if !ok(&v) {
            let mut a = Answer::from_engine_error(&v);
            a.status = 409;
            return Ok(Err(a));
        }
        self.store_persist(&v["result"]["persist"], p.now_ms, true, None)?;
        self.admin_action(p, "replay", id, &reason)?;
        Ok(Ok(Answer::ok(
            200,
            &json!({"message": v["result"]["message"], "reason": reason}),
        )))
    }

    fn drop_dead(&mut self, p: &Post, id: u64) -> Result<Outcome2, StoreError> {
        let reason = match reason_of(p) {
            Ok(r) => r,
            Err(a) => return Ok(Err(a)),
        };
        match self.message_state(id)? {
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
                &format!(
                    "message {id} is {s}, not dead-lettered: only a dead letter can be dropped"
                ),
            ))),
            Some(_) => {
                self.db.execute(
                    "UPDATE outbox_messages SET dropped_reason = ?2 WHERE id = ?1",
                    &[id.into(), reason.as_str().into()],
                )?;
                self.admin_action(p, "drop", id, &reason)?;
                Ok(Ok(Answer::ok(
                    200,
                    &json!({"id": id, "dropped": true, "reason": reason}),
                )))
            }
        }
    }

    fn subscribe(&mut self, p: &Post) -> Result<Outcome2, StoreError> {
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
        let (active, _) = self.subscribers()?;
        if active.iter().any(|s| s.name == b.name) {
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
        // The core checks the subscriber's route (its secret can sign).
        if let Err(mut v) = self.restore(Vec::new(), false, p.now_ms, Some(&sub))? {
            v["error"]["path"] = Value::from("secret");
            return Ok(Err(Answer::from_engine_error(&v)));
        }
        self.db.execute(
            "INSERT INTO subscriptions (name, url, secret, active, created_ms) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (name) DO UPDATE SET url = ?2, secret = ?3, active = 1",
            &[
                sub.name.as_str().into(),
                sub.url.as_str().into(),
                sub.secret.as_str().into(),
                p.now_ms.into(),
            ],
        )?;
        Ok(Ok(Answer::ok(
            201,
            &json!({"name": sub.name, "url": sub.url, "active": true}),
        )))
    }

    fn unsubscribe(&mut self, name: &str) -> Result<Outcome2, StoreError> {
        let n = self.db.execute(
            "UPDATE subscriptions SET active = 0 WHERE name = ?1 AND active = 1",
            &[name.into()],
        )?;
        if n == 0 {
            return Ok(Err(Answer::err(
                404,
                "NOT_FOUND",
                "",
                &format!("there is no active subscriber `{name}` added through the API"),
            )));
        }
        // New events stop; messages already queued to it are still delivered (its route
        // stays in the outbox).
        Ok(Ok(Answer::ok(200, &json!({"name": name, "active": false}))))
    }
}

/// A stored claim as `claims_report` reads it (docs/claims.md): its status and validation,
/// its reason, its total and the currency of its first line, and when it was submitted and
/// approved.
pub fn claim_summary(
    id: &str,
    claim: &Value,
    state: &Value,
    submitted_at: Option<String>,
    approved_at: Option<String>,
) -> Value {
    let mut s = json!({"id": id, "status": state["status"], "validation": state["validation"],
        "submitted_at": submitted_at, "approved_at": approved_at});
    if let Some(total) = claim["total"].as_str().filter(|t| !t.is_empty()) {
        s["claimed"] = Value::from(total);
        s["currency"] = claim["lines"][0]["currency"].clone();
    }
    if let Some(reason) = claim["reason"].as_str() {
        s["reason"] = Value::from(reason);
    }
    s
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

struct ClaimRow {
    claim: String,
    state: Value,
    last_hash: Option<String>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionBody {
    action: String,
    #[serde(default)]
    reason: String,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeBody {
    name: String,
    url: String,
    secret: String,
}
