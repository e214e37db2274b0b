//! The HTTP side: routing, API keys and roles, limits (body size, rate), request ids,
//! `Idempotency-Key`, and the read endpoints. Every answer is the bindings' envelope:
//! `{"ok":true,"result":…}` or `{"ok":false,"error":{"code","path","message"}}`.

#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null for a missing key; it never panics"
)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, Notify};
use warranty_core::Role;

use crate::config::{sha256_hex, Config};
use crate::db::{Db, DbError, Lite, Pg, Row, StatementCache, Val};
use crate::schema;
use crate::store::{claim_summary, log_hash, Answer, Caller, Job, Post, Write};

#[derive(serde::Serialize)]
struct ErrorEnvelope<'a> {
    ok: bool,
    error: ErrorFields<'a>,
}

#[derive(serde::Serialize)]
struct ErrorFields<'a> {
    code: &'a str,
    path: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

/// The error envelope every binding uses: `{"ok":false,"error":{"code","path","message"}}`
/// (and `rule` on a 403, `retry_after` on a 429).
pub fn error_body(code: &str, path: &str, message: &str) -> String {
    error_body_with(code, path, message, None, None)
}

fn error_body_with(
    code: &str,
    path: &str,
    message: &str,
    rule: Option<&str>,
    retry_after: Option<u64>,
) -> String {
    serde_json::to_string(&ErrorEnvelope {
        ok: false,
        error: ErrorFields {
            code,
            path,
            message,
            rule,
            retry_after,
        },
    })
    .unwrap_or_default()
}

/// The success envelope: `{"ok":true,"result":…}`.
pub fn ok_body(result: &Value) -> String {
    format!(r#"{{"ok":true,"result":{result}}}"#)
}

/// A dispatcher error, as the dispatcher wrote it (`{code, path, message}`), in the envelope.
pub fn engine_error_body(error: &Value) -> String {
    error_body(
        error["code"].as_str().unwrap_or("INTERNAL"),
        error["path"].as_str().unwrap_or(""),
        error["message"].as_str().unwrap_or(""),
    )
}

/// The HTTP status of a dispatcher error code.
pub fn status_of(code: &str, message: &str) -> u16 {
    match code {
        "INVALID_JSON" => 400,
        "INVALID_INPUT" => 422,
        "TRANSITION_REFUSED" if message.starts_with("ROLE_NOT_ALLOWED") => 403,
        "TRANSITION_REFUSED" if message.starts_with("REASON_REQUIRED") => 422,
        "TRANSITION_REFUSED" => 409,
        _ => 500,
    }
}

/// The current time, epoch milliseconds (the host's clock: the core never reads one).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

struct Key {
    id: String,
    role: Role,
    actor: String,
    revoked: bool,
    rate: f64,
    burst: f64,
}

struct Bucket {
    tokens: f64,
    at: std::time::Instant,
}

/// What the request handlers share.
pub struct App {
    jobs: mpsc::Sender<Job>,
    wake: Arc<Notify>,
    keys: HashMap<String, Key>,
    body_limit: usize,
    buckets: Mutex<HashMap<String, Bucket>>,
    readers: Mutex<Vec<Reader>>,
    source: Source,
    audit_keys: Vec<Value>,
    boot: u64,
    counter: AtomicU64,
}

impl App {
    /// From the configuration and the store thread's queue.
    pub fn new(cfg: &Config, jobs: mpsc::Sender<Job>, wake: Arc<Notify>) -> App {
        let keys = cfg
            .keys
            .iter()
            .map(|k| {
                (
                    k.sha256.clone(),
                    Key {
                        id: k.id.clone(),
                        role: k.role,
                        actor: k.actor.clone().unwrap_or_else(|| k.id.clone()),
                        revoked: k.revoked,
                        rate: k.rate_per_second.unwrap_or(cfg.server.rate_per_second),
                        burst: k.rate_burst.unwrap_or(cfg.server.rate_burst),
                    },
                )
            })
            .collect();
        App {
            jobs,
            wake,
            keys,
            body_limit: cfg.server.body_limit,
            buckets: Mutex::new(HashMap::new()),
            readers: Mutex::new(Vec::new()),
            source: match (cfg.sqlite_path(), &cfg.store.postgres) {
                (Some(p), _) => Source::Sqlite(p),
                (None, url) => Source::Postgres(url.clone().unwrap_or_default()),
            },
            audit_keys: cfg
                .claims
                .audit_key
                .iter()
                .map(|k| json!({"id": k.id, "secret": k.secret}))
                .collect(),
            boot: u64::try_from(now_ms()).unwrap_or(0),
            counter: AtomicU64::new(0),
        }
    }

    fn request_id(&self, given: Option<&HeaderValue>) -> String {
        if let Some(v) = given.and_then(|v| v.to_str().ok()) {
            if !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return v.to_string();
            }
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{:x}-{n}", self.boot)
    }

    /// The token bucket of `key`: `Err(seconds)` to wait when it is empty.
    fn take_token(&self, key: &Key) -> Result<(), u64> {
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        let e = b.entry(key.id.clone()).or_insert(Bucket {
            tokens: key.burst,
            at: now,
        });
        let dt = now.duration_since(e.at).as_secs_f64();
        e.tokens = (e.tokens + dt * key.rate).min(key.burst);
        e.at = now;
        if e.tokens >= 1.0 {
            e.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - e.tokens) / key.rate).ceil();
            // `as` saturates for f64 → u64; at least one second.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "saturating, positive"
            )]
            Err((wait as u64).max(1))
        }
    }

    fn reader(&self) -> Result<Reader, DbError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match (pooled, &self.source) {
            (Some(c), _) => Ok(c),
            (None, Source::Sqlite(p)) => Ok(Reader::Lite(schema::open_reader(p)?)),
            (None, Source::Postgres(url)) => Ok(Reader::Pg(
                Box::new(crate::store::pg_connect(url).map_err(DbError)?),
                StatementCache::new(),
            )),
        }
    }

    fn give_back(&self, c: Reader) {
        if let Reader::Pg(p, _) = &c {
            if p.is_closed() {
                return;
            }
        }
        let mut r = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if r.len() < 64 {
            r.push(c);
        }
    }
}

/// Where reads come from.
enum Source {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A read connection.
enum Reader {
    Lite(rusqlite::Connection),
    Pg(Box<postgres::Client>, StatementCache),
}

impl Reader {
    fn with<T>(&mut self, f: impl FnOnce(&mut dyn Db) -> T) -> T {
        match self {
            Reader::Lite(c) => f(&mut Lite(c)),
            Reader::Pg(c, cache) => f(&mut Pg::cached(&mut **c, cache)),
        }
    }
}

type Resp = Response<Full<Bytes>>;

fn respond(a: &Answer, request_id: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(a.body.clone())));
    *r.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    if a.replayed {
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if a.status == 429 {
        if let Some(v) =
            retry_after_of(&a.body).and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            h.insert(RETRY_AFTER, v);
        }
    }
    r
}

fn err(status: u16, code: &str, path: &str, message: &str) -> Answer {
    Answer::err(status, code, path, message)
}

/// Which roles may call a route (docs/serve.md, "Roles"). Claim transitions are open to
/// every role here: the core's role matrix decides each action.
fn allowed(route: &str) -> &'static [Role] {
    use Role::*;
    match route {
        "activate" | "create_claim" | "validate" | "attach" => {
            &[Owner, WarrantyManager, SalesStaff, SystemAdmin]
        }
        "claim_audit" | "reports" => &[Owner, WarrantyManager, FinanceUser, SystemAdmin],
        "audit" => &[Owner, WarrantyManager, SystemAdmin],
        "api_log" | "outbox" | "outbox_admin" | "subscriptions" => &[Owner, SystemAdmin],
        _ => &[Owner, WarrantyManager, FinanceUser, SalesStaff, SystemAdmin],
    }
}

fn what(route: &str) -> &'static str {
    match route {
        "activate" => "activate sales",
        "create_claim" => "create claims",
        "validate" => "validate claims",
        "attach" => "add attachments",
        "claim_audit" => "read a claim's audit trail",
        "reports" => "read the reports",
        "audit" => "verify the audit log",
        "api_log" => "read the API log",
        "outbox" => "read the retry queue",
        "outbox_admin" => "replay or drop dead letters",
        "subscriptions" => "manage webhook subscriptions",
        _ => "call this endpoint",
    }
}

/// Answers one request.
pub async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let rid = app.request_id(req.headers().get("x-request-id"));
    let a = route(&app, req, &rid).await;
    Ok(respond(&a, &rid))
}

async fn route(app: &Arc<App>, req: Request<Incoming>, rid: &str) -> Answer {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let segs: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = req.method().clone();
    // Which endpoint, its access rule, and whether it writes.
    let (name, write): (&str, Option<Write>) = match (&method, segs.as_slice()) {
        (&Method::GET, ["v1", "health"]) => {
            return Answer {
                status: 200,
                body: ok_body(&json!({"status": "ok"})),
                replayed: false,
            }
        }
        (&Method::POST, ["v1", "activations"]) => ("activate", Some(Write::Activate)),
        (&Method::GET, ["v1", "activations", _]) => ("read", None),
        (&Method::GET, ["v1", "items", _]) => ("read", None),
        (&Method::GET, ["v1", "expiring"]) => ("read", None),
        (&Method::POST, ["v1", "coverage"]) => ("read", None),
        (&Method::POST, ["v1", "claims"]) => ("create_claim", Some(Write::CreateClaim)),
        (&Method::GET, ["v1", "claims", _]) => ("read", None),
        (&Method::POST, ["v1", "claims", id, "validate"]) => {
            ("validate", Some(Write::Validate((*id).to_string())))
        }
        (&Method::POST, ["v1", "claims", id, "transitions"]) => {
            ("transition", Some(Write::Transition((*id).to_string())))
        }
        (&Method::POST, ["v1", "claims", id, "attachments"]) => {
            ("attach", Some(Write::Attach((*id).to_string())))
        }
        (&Method::GET, ["v1", "claims", _, "audit"]) => ("claim_audit", None),
        (&Method::GET, ["v1", "audit", "verify"]) => ("audit", None),
        (&Method::GET, ["v1", "audit", "api"]) => ("api_log", None),
        (&Method::GET, ["v1", "reports", "claims"]) => ("reports", None),
        (&Method::GET, ["v1", "reports", "sync"]) => ("reports", None),
        (&Method::GET, ["v1", "outbox"]) => ("outbox", None),
        (&Method::POST, ["v1", "outbox", id, "replay" | "drop"]) => {
            let Ok(n) = id.parse::<u64>() else {
                return err(404, "NOT_FOUND", "", &format!("there is no message `{id}`"));
            };
            let w = if segs.get(3) == Some(&"replay") {
                Write::Replay(n)
            } else {
                Write::Drop(n)
            };
            ("outbox_admin", Some(w))
        }
        (&Method::GET, ["v1", "subscriptions"]) => ("subscriptions", None),
        (&Method::POST, ["v1", "subscriptions"]) => ("subscriptions", Some(Write::Subscribe)),
        (&Method::POST, ["v1", "subscriptions", name, "deactivate"]) => (
            "subscriptions",
            Some(Write::Unsubscribe((*name).to_string())),
        ),
        (_, ["v1", ..]) if known_path(&segs) => {
            return err(
                405,
                "METHOD_NOT_ALLOWED",
                "",
                &format!("{method} is not allowed on {path}"),
            )
        }
        _ => return err(404, "NOT_FOUND", "", &format!("no endpoint {path}")),
    };
    // The key.
    let given = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| req.headers().get("x-api-key").and_then(|v| v.to_str().ok()));
    let Some(given) = given.filter(|k| !k.is_empty()) else {
        return err(
            401,
            "UNAUTHORIZED",
            "Authorization",
            "an API key is needed: `Authorization: Bearer <key>`",
        );
    };
    let Some(key) = app.keys.get(&sha256_hex(given.as_bytes())) else {
        return err(
            401,
            "UNAUTHORIZED",
            "Authorization",
            "this API key is not known",
        );
    };
    if key.revoked {
        return err(
            401,
            "UNAUTHORIZED",
            "Authorization",
            &format!("the API key `{}` was revoked", key.id),
        );
    }
    if let Err(wait) = app.take_token(key) {
        let message = format!(
            "the key `{}` is over its rate of {} requests a second; retry after {wait} s",
            key.id, key.rate
        );
        return Answer {
            status: 429,
            body: error_body_with("RATE_LIMITED", "", &message, None, Some(wait)),
            replayed: false,
        };
    }
    let roles = allowed(name);
    if !roles.contains(&key.role) {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let message = format!(
            "ROLE_NOT_ALLOWED: a {} may not {} (allowed: {})",
            key.role.as_str(),
            what(name),
            names.join(", ")
        );
        return Answer {
            status: 403,
            body: error_body_with(
                "FORBIDDEN",
                "role",
                &message,
                Some("ROLE_NOT_ALLOWED"),
                None,
            ),
            replayed: false,
        };
    }
    let caller = Caller {
        key_id: key.id.clone(),
        role: key.role,
        actor: key.actor.clone(),
    };
    let idem = req
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_string));
    // The body, within the limit.
    let body = if method == Method::POST {
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let limit = app.body_limit;
        if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return too_large(limit);
        }
        match Limited::new(req.into_body(), limit).collect().await {
            Ok(b) => match String::from_utf8(b.to_bytes().to_vec()) {
                Ok(s) => s,
                Err(_) => return err(400, "INVALID_JSON", "", "the body is not UTF-8"),
            },
            Err(e) => {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    return too_large(limit);
                }
                return err(400, "BAD_REQUEST", "", "the body could not be read");
            }
        }
    } else {
        String::new()
    };
    let Some(write) = write else {
        return read(app, name, &segs, &query, &body, &caller).await;
    };
    let idem_key = match idem {
        Some(Ok(k)) if !k.is_empty() && k.len() <= 255 => k,
        Some(_) => {
            return err(
                400,
                "INVALID_INPUT",
                "Idempotency-Key",
                "an Idempotency-Key is 1 to 255 visible ASCII characters",
            )
        }
        None => {
            return err(
                400,
                "IDEMPOTENCY_KEY_REQUIRED",
                "Idempotency-Key",
                "every POST that changes something needs an Idempotency-Key header (a new one for each new request)",
            )
        }
    };
    let post = Post {
        caller,
        request_id: rid.to_string(),
        path,
        idem_key,
        body,
        write,
        now_ms: now_ms(),
    };
    let (tx, rx) = oneshot::channel();
    if app.jobs.send(Job::Post(Box::new(post), tx)).await.is_err() {
        return Answer::unavailable("the store thread stopped");
    }
    // A closed channel: the group this job was in was rolled back before it ran.
    let a = rx
        .await
        .unwrap_or_else(|_| Answer::unavailable("the transaction was rolled back"));
    if a.status < 300 {
        app.wake.notify_one();
    }
    a
}

fn known_path(segs: &[&str]) -> bool {
    matches!(
        segs,
        [
            "v1",
            "activations" | "expiring" | "coverage" | "claims" | "outbox" | "subscriptions",
            ..
        ] | ["v1", "items" | "audit" | "reports", _]
    )
}

fn too_large(limit: usize) -> Answer {
    err(
        413,
        "PAYLOAD_TOO_LARGE",
        "",
        &format!("the body is over the limit of {limit} bytes"),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i.saturating_add(1)..i.saturating_add(3))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i = i.saturating_add(3);
                continue;
            }
        }
        out.push(c);
        i = i.saturating_add(1);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn read(
    app: &Arc<App>,
    name: &str,
    segs: &[&str],
    query: &str,
    body: &str,
    _caller: &Caller,
) -> Answer {
    if segs == ["v1", "coverage"] {
        return coverage(body);
    }
    if segs == ["v1", "reports", "sync"] {
        let (tx, rx) = oneshot::channel();
        if app.jobs.send(Job::SyncReport(tx)).await.is_err() {
            return Answer::unavailable("the store thread stopped");
        }
        return match rx.await {
            Ok(v) if !v.is_null() => ok(&v),
            _ => Answer::unavailable("the store thread did not answer"),
        };
    }
    if matches!(app.source, Source::Sqlite(_)) {
        // A WAL read of a few rows: microseconds, done in place.
        return read_with(app, name, segs, query);
    }
    // The PostgreSQL client blocks (it runs its own runtime): off the async threads.
    let app2 = app.clone();
    let name = name.to_string();
    let segs: Vec<String> = segs.iter().map(|x| (*x).to_string()).collect();
    let query = query.to_string();
    tokio::task::spawn_blocking(move || {
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        read_with(&app2, &name, &segs, &query)
    })
    .await
    .unwrap_or_else(|_| Answer::unavailable("a read failed"))
}

fn read_with(app: &App, name: &str, segs: &[&str], query: &str) -> Answer {
    let mut reader = match app.reader() {
        Ok(c) => c,
        Err(e) => return Answer::unavailable(&e.0),
    };
    match reader.with(|db| read_db(&app.audit_keys, db, name, segs, query)) {
        Ok(a) => {
            app.give_back(reader);
            a
        }
        Err(e) => Answer::unavailable(&e.0),
    }
}

fn ok(v: &Value) -> Answer {
    Answer {
        status: 200,
        body: ok_body(v),
        replayed: false,
    }
}

/// `POST /v1/coverage`: the body is a `stack_coverage` request without its `op`.
fn coverage(body: &str) -> Answer {
    let inner = match serde_json::from_str::<&serde_json::value::RawValue>(body) {
        Ok(r) => r.get().trim(),
        Err(e) => {
            return err(
                400,
                "INVALID_JSON",
                "",
                &format!("the body is not one JSON value: {e}"),
            )
        }
    };
    let Some(rest) = inner.strip_prefix('{') else {
        return err(422, "INVALID_INPUT", "", "the body must be a JSON object");
    };
    let request = if rest.trim_start().starts_with('}') {
        r#"{"op":"stack_coverage"}"#.to_string()
    } else {
        format!(r#"{{"op":"stack_coverage",{rest}"#)
    };
    let response = warranty_core::call(&request);
    let v: Value = serde_json::from_str(&response).unwrap_or(Value::Null);
    if v["ok"] == json!(true) {
        Answer {
            status: 200,
            body: response,
            replayed: false,
        }
    } else {
        let code = v["error"]["code"].as_str().unwrap_or("INTERNAL");
        Answer {
            status: status_of(code, v["error"]["message"].as_str().unwrap_or("")),
            body: response,
            replayed: false,
        }
    }
}

fn not_found(what: &str) -> Answer {
    err(404, "NOT_FOUND", "", &format!("there is no {what}"))
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn read_db(
    audit_keys: &[Value],
    c: &mut dyn Db,
    name: &str,
    segs: &[&str],
    query: &str,
) -> Result<Answer, DbError> {
    let limit = query_param(query, "limit")
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(100)
        .clamp(1, 10_000);
    let after = query_param(query, "after")
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(0);
    let s = |r: &Row, i: usize| r.get(i).map(Val::string).unwrap_or_default();
    let j = |r: &Row, i: usize| parsed(&r.get(i).map(Val::string).unwrap_or_default());
    let int = |r: &Row, i: usize| r.get(i).and_then(Val::int);
    let opt = |r: &Row, i: usize| r.get(i).and_then(|v| v.text().map(str::to_string));
    match (name, segs) {
        (_, ["v1", "activations", order]) => {
            let lines: Vec<Value> = c
                .query(
                    "SELECT line_id, serial, store, record, enqueued, at_ms FROM activations
                     WHERE order_id = ?1 ORDER BY line_id",
                    &[(*order).into()],
                )?
                .iter()
                .map(|r| {
                    json!({"line_id": s(r, 0), "serial": s(r, 1), "store": s(r, 2),
                        "record": j(r, 3), "enqueued": j(r, 4), "at_ms": int(r, 5)})
                })
                .collect();
            if lines.is_empty() {
                return Ok(not_found(&format!("activation of order `{order}`")));
            }
            Ok(ok(&json!({"order_id": order, "lines": lines})))
        }
        (_, ["v1", "items", serial]) => {
            let items: Vec<Value> = c
                .query(
                    "SELECT order_id, line_id, store, record FROM activations WHERE serial = ?1
                     ORDER BY at_ms DESC, order_id, line_id LIMIT ?2",
                    &[(*serial).into(), limit.into()],
                )?
                .iter()
                .map(|r| {
                    json!({"order_id": s(r, 0), "line_id": s(r, 1), "store": s(r, 2),
                        "record": j(r, 3)})
                })
                .collect();
            if items.is_empty() {
                return Ok(not_found(&format!("activated item with serial `{serial}`")));
            }
            Ok(ok(&json!({"serial": serial, "activations": items})))
        }
        (_, ["v1", "expiring"]) => {
            let from = match query_param(query, "from") {
                None => now_ms(),
                Some(t) => match warranty_core::Instant::parse(&percent_decode(t)) {
                    Ok(i) => i.0.timestamp_millis(),
                    Err(m) => return Ok(err(422, "INVALID_INPUT", "from", &m)),
                },
            };
            let days = match query_param(query, "days").map(str::parse::<i64>) {
                None => 30,
                Some(Ok(d)) if (0..=36_600).contains(&d) => d,
                Some(_) => {
                    return Ok(err(
                        422,
                        "INVALID_INPUT",
                        "days",
                        "days is a whole number from 0 to 36600",
                    ))
                }
            };
            let until = from.saturating_add(days.saturating_mul(86_400_000));
            let items: Vec<Value> = c
                .query(
                    "SELECT order_id, line_id, serial, store, policy, record FROM activations
                     WHERE end_ms >= ?1 AND end_ms < ?2 ORDER BY end_ms, order_id, line_id LIMIT ?3",
                    &[from.into(), until.into(), limit.into()],
                )?
                .iter()
                .map(|r| {
                    json!({"order_id": s(r, 0), "line_id": s(r, 1), "serial": s(r, 2),
                        "store": s(r, 3), "policy": opt(r, 4), "end": j(r, 5)["end"]})
                })
                .collect();
            Ok(ok(&json!({"days": days, "items": items})))
        }
        ("read", ["v1", "claims", id]) => {
            let Some(row) = c.one(
                "SELECT claim, state FROM claims WHERE id = ?1",
                &[(*id).into()],
            )?
            else {
                return Ok(not_found(&format!("claim `{id}`")));
            };
            let attachments: Vec<Value> = c
                .query(
                    "SELECT meta FROM attachments WHERE claim = ?1 ORDER BY seq",
                    &[(*id).into()],
                )?
                .iter()
                .map(|r| j(r, 0))
                .collect();
            Ok(ok(
                &json!({"id": id, "claim": j(&row, 0), "state": j(&row, 1),
                        "attachments": attachments}),
            ))
        }
        (_, ["v1", "claims", id, "audit"]) => {
            let entries = claim_entries(c, id)?;
            if entries.is_empty()
                && c.one("SELECT 1 FROM claims WHERE id = ?1", &[(*id).into()])?
                    .is_none()
            {
                return Ok(not_found(&format!("claim `{id}`")));
            }
            let verdict = verify(&entries, audit_keys);
            Ok(ok(
                &json!({"id": id, "entries": entries, "verdict": verdict}),
            ))
        }
        (_, ["v1", "audit", "verify"]) => {
            let ids: Vec<String> = c
                .query("SELECT id FROM claims ORDER BY id", &[])?
                .iter()
                .map(|r| s(r, 0))
                .collect();
            let mut broken = Vec::new();
            let mut entries_n = 0usize;
            for id in &ids {
                let entries = claim_entries(c, id)?;
                entries_n = entries_n.saturating_add(entries.len());
                let v = verify(&entries, audit_keys);
                if v["valid"] != json!(true) {
                    broken.push(json!({"claim": id, "verdict": v}));
                }
            }
            let api = verify_api_log(c)?;
            let valid = broken.is_empty() && api["valid"] == json!(true);
            Ok(ok(
                &json!({"valid": valid, "claims": ids.len(), "claim_entries": entries_n,
                "authenticated": !audit_keys.is_empty(), "broken_claims": broken,
                "api_log": api}),
            ))
        }
        (_, ["v1", "audit", "api"]) => {
            let entries: Vec<Value> = c
                .query(
                    "SELECT seq, request_id, at_ms, key_id, role, method, path, status, body_sha256, hash
                     FROM api_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    &[after.into(), limit.into()],
                )?
                .iter()
                .map(|r| {
                    json!({"seq": int(r, 0), "request_id": s(r, 1), "at_ms": int(r, 2),
                        "key_id": s(r, 3), "role": s(r, 4), "method": s(r, 5), "path": s(r, 6),
                        "status": int(r, 7), "body_sha256": s(r, 8), "hash": s(r, 9)})
                })
                .collect();
            Ok(ok(&json!({"entries": entries})))
        }
        (_, ["v1", "reports", "claims"]) => {
            let claims: Vec<Value> = c
                .query(
                    "SELECT id, claim, state, submitted_at, approved_at FROM claims ORDER BY id",
                    &[],
                )?
                .iter()
                .map(|r| claim_summary(&s(r, 0), &j(r, 1), &j(r, 2), opt(r, 3), opt(r, 4)))
                .collect();
            let v: Value = parsed(&warranty_core::call(
                &json!({"op": "claims_report", "claims": claims}).to_string(),
            ));
            if v["ok"] == json!(true) {
                Ok(ok(&v["result"]))
            } else {
                // The stored claims cannot be summed (amounts past what a decimal holds, a
                // clock set back between submission and approval): the core's error, as is.
                Ok(Answer {
                    status: 422,
                    body: engine_error_body(&v["error"]),
                    replayed: false,
                })
            }
        }
        (_, ["v1", "outbox"]) => {
            let state = query_param(query, "state").unwrap_or("pending");
            let known = [
                "pending",
                "in_flight",
                "accepted_pending",
                "delivered",
                "dead_lettered",
            ];
            if !known.contains(&state) {
                return Ok(err(
                    422,
                    "INVALID_INPUT",
                    "state",
                    &format!("state is one of {}", known.join(", ")),
                ));
            }
            let messages: Vec<Value> = c
                .query(
                    "SELECT message, dropped_reason FROM outbox_messages WHERE state = ?1 AND id > ?2
                     ORDER BY id LIMIT ?3",
                    &[state.into(), after.into(), limit.into()],
                )?
                .iter()
                .map(|r| {
                    let mut m = j(r, 0);
                    m["dropped_reason"] = opt(r, 1).into();
                    // The body may carry personal data; the queue shows its hash.
                    if let Some(o) = m.as_object_mut() {
                        o.remove("payload");
                    }
                    m
                })
                .collect();
            let count = c.count(
                "SELECT COUNT(*) FROM outbox_messages WHERE state = ?1",
                &[state.into()],
            )?;
            Ok(ok(
                &json!({"state": state, "count": count, "messages": messages}),
            ))
        }
        (_, ["v1", "subscriptions"]) => {
            let subs: Vec<Value> = c
                .query(
                    "SELECT name, url, active FROM subscriptions ORDER BY name",
                    &[],
                )?
                .iter()
                .map(|r| json!({"name": s(r, 0), "url": s(r, 1), "active": int(r, 2) != Some(0)}))
                .collect();
            Ok(ok(&json!({"subscriptions": subs})))
        }
        _ => Ok(err(404, "NOT_FOUND", "", "no such endpoint")),
    }
}

fn claim_entries(c: &mut dyn Db, id: &str) -> Result<Vec<Value>, DbError> {
    Ok(c.query(
        "SELECT entry FROM claim_audit WHERE claim = ?1 ORDER BY seq",
        &[id.into()],
    )?
    .iter()
    .map(|r| parsed(&r.first().map(Val::string).unwrap_or_default()))
    .collect())
}

/// The core's `verify_audit`, with the audit key when one is configured.
fn verify(entries: &[Value], keys: &[Value]) -> Value {
    let v = parsed(&warranty_core::call(
        &json!({"op": "verify_audit", "entries": entries, "keys": keys}).to_string(),
    ));
    v["result"].clone()
}

/// Recomputes the API log's hash chain and each body's hash.
fn verify_api_log(c: &mut dyn Db) -> Result<Value, DbError> {
    let rows = c.query(
        "SELECT seq, request_id, at_ms, key_id, role, method, path, status, body, body_sha256,
                prev_hash, hash FROM api_log ORDER BY seq",
        &[],
    )?;
    let s = |r: &Row, i: usize| r.get(i).map(Val::string).unwrap_or_default();
    let mut prev: Option<String> = None;
    let mut n = 0u64;
    for r in &rows {
        n = n.saturating_add(1);
        let seq = r.first().and_then(Val::int).unwrap_or(0);
        let body_sha = s(r, 9);
        let stored_prev = r.get(10).and_then(|v| v.text().map(str::to_string));
        let hash = s(r, 11);
        let status = r.get(7).and_then(Val::int).unwrap_or(0);
        let expect = log_hash(
            prev.as_deref(),
            &s(r, 1),
            r.get(2).and_then(Val::int).unwrap_or(0),
            &s(r, 3),
            &s(r, 4),
            &s(r, 5),
            &s(r, 6),
            u16::try_from(status).unwrap_or(0),
            &body_sha,
        );
        let problem = if stored_prev != prev {
            Some("prev_hash is not the previous entry's hash")
        } else if sha256_hex(s(r, 8).as_bytes()) != body_sha {
            Some("the body does not match its hash")
        } else if expect != hash {
            Some("the entry does not match its hash")
        } else {
            None
        };
        if let Some(p) = problem {
            return Ok(json!({"valid": false, "entries": n, "first_broken": seq, "problem": p}));
        }
        prev = Some(hash);
    }
    Ok(json!({"valid": true, "entries": n, "first_broken": null, "problem": null}))
}

/// Serves until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let svc = hyper::service::service_fn(move |req| handle(app.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(io, svc)
                .await;
        });
    }
}

/// The seconds a 429 answer asks to wait (its `Retry-After`).
fn retry_after_of(body: &str) -> Option<u64> {
    let v: Value = serde_json::from_str(body).ok()?;
    v["error"]["retry_after"].as_u64()
}
