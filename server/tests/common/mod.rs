//! What the server's tests share: a temporary configuration, the server and the fake
//! partner as real processes on loopback, and a small blocking HTTP/1.1 client.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a failure is a test failure"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const OWNER: &str = "demo-owner-key";
pub const MANAGER: &str = "demo-manager-key";
pub const FINANCE: &str = "demo-finance-key";
pub const TILL: &str = "demo-till-key";
pub const ADMIN: &str = "demo-admin-key";
pub const REVOKED: &str = "demo-revoked-key";
pub const SLOW: &str = "demo-slow-key";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh directory under the target dir, removed when the test passes and kept (its
/// server log, partner log and database) when it fails.
pub fn temp_dir(name: &str) -> TempDir {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = root().join("target").join("serve-tests").join(format!(
        "{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

/// A test's directory; see [`temp_dir`]. Declared before the processes that write to it,
/// so it is dropped after they are stopped.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn sha(k: &str) -> String {
    warranty_server::config::sha256_hex(k.as_bytes())
}

/// Settings a test may change.
pub struct Setup {
    pub partner: String,
    pub base_ms: u64,
    pub cap_ms: u64,
    pub max_attempts: u32,
    pub body_limit: usize,
    pub max_pages: Option<u64>,
    pub partner_timeout_ms: u64,
    pub lease_ms: Option<u64>,
}

/// The PostgreSQL cluster of `make serve-pg-test` (`WTY_TEST_PG`, a connection string
/// without a database): when set, every test's store is a fresh database there.
pub fn pg_base() -> Option<String> {
    std::env::var("WTY_TEST_PG").ok().filter(|s| !s.is_empty())
}

/// A fresh PostgreSQL database on the test cluster; its connection string.
fn pg_database(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let base = pg_base().unwrap();
    let db = format!(
        "wty_{}_{}_{}",
        name.replace('-', "_"),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut c =
        postgres::Client::connect(&format!("{base} dbname=postgres"), postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    format!("{base} dbname={db}")
}

/// Runs `f` on the test's store (SQLite or PostgreSQL).
pub fn with_db<T>(dir: &Path, f: impl FnOnce(&mut dyn warranty_server::db::Db) -> T) -> T {
    use warranty_server::db::{Lite, Pg};
    match std::fs::read_to_string(dir.join("store-url")) {
        Ok(url) => {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            f(&mut Pg::new(&mut c))
        }
        Err(_) => {
            let c = rusqlite::Connection::open(dir.join("warranty.db")).unwrap();
            f(&mut Lite(&c))
        }
    }
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            partner: "http://127.0.0.1:9".into(),
            base_ms: 50,
            cap_ms: 400,
            max_attempts: 6,
            body_limit: 65536,
            max_pages: None,
            partner_timeout_ms: 500,
            lease_ms: None,
        }
    }
}

/// Writes a configuration for `dir` and returns its path.
pub fn write_config(dir: &Path, s: &Setup) -> PathBuf {
    let examples = root().join("examples");
    let keys = [
        ("owner", "owner", OWNER, ""),
        ("manager", "warranty_manager", MANAGER, ""),
        ("finance", "finance_user", FINANCE, ""),
        ("till-1", "sales_staff", TILL, ""),
        ("admin", "system_admin", ADMIN, ""),
        ("old-till", "sales_staff", REVOKED, "revoked = true\n"),
        (
            "slow",
            "sales_staff",
            SLOW,
            "rate_per_second = 1\nrate_burst = 2\n",
        ),
    ];
    let mut t = format!(
        r#"
[server]
listen = "127.0.0.1:0"
zone = "Europe/Nicosia"
body_limit = {body_limit}
partner_timeout_ms = {timeout}

[store]
{store}
{max_pages}
{lease}

[catalog]
crm_com = "{crm}"

[activation]
product_code = true

[claims.audit_key]
id = "test-key"
secret = "c2VydmUtZGVtby1hdWRpdC1rZXktMDEyMzQ1Njc4OWFiY2RlZg=="

[outbox]
seed = 7
base_ms = {base}
cap_ms = {cap}
max_attempts = {attempts}
deadline_ms = 86400000

[partners.product_code]
base_path = "{partner}"
headers = {{ authorization = "Bearer partner-secret-token" }}
[partners.product_code.routes.register_warranty]
method = "POST"
path = "/individual-customers/warranty/with-product-code"

[[subscribers]]
name = "crm"
url = "{partner}/hooks/warranty"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"#,
        body_limit = s.body_limit,
        timeout = s.partner_timeout_ms,
        store = match pg_base() {
            Some(_) => {
                let url = pg_database(dir.file_name().unwrap().to_str().unwrap());
                std::fs::write(dir.join("store-url"), &url).unwrap();
                format!("postgres = \"{url}\"")
            }
            None => format!("sqlite = \"{}\"", dir.join("warranty.db").display()),
        },
        lease = s
            .lease_ms
            .map(|l| format!("lease_ms = {l}"))
            .unwrap_or_default(),
        max_pages = s
            .max_pages
            .map(|p| format!("max_pages = {p}"))
            .unwrap_or_default(),
        crm = examples.join("crm-com-policies.json").display(),
        base = s.base_ms,
        cap = s.cap_ms,
        attempts = s.max_attempts,
        partner = s.partner,
    );
    for (id, role, key, extra) in keys {
        t.push_str(&format!(
            "\n[[keys]]\nid = \"{id}\"\nrole = \"{role}\"\nsha256 = \"{}\"\n{extra}",
            sha(key)
        ));
    }
    let p = dir.join("serve.toml");
    std::fs::write(&p, t).unwrap();
    p
}

/// A process that is killed (SIGKILL) when dropped.
pub struct Proc {
    pub child: Child,
    pub addr: String,
}

impl Proc {
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn start(mut cmd: Command, what: &str) -> Proc {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{what} did not start: {line:?}"))
        .to_string();
    Proc { child, addr }
}

/// The server on `config`.
pub fn server(config: &Path) -> Proc {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wty-serve"));
    c.arg("--config").arg(config);
    start(c, "wty-serve")
}

/// The fake partner with `script` (`ok` or `mixed`) and `seed`, logging to `log`.
pub fn partner(script: &str, seed: u64, log: &Path) -> Proc {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fake-partner"));
    c.args(["--listen", "127.0.0.1:0", "--script", script, "--seed"])
        .arg(seed.to_string())
        .arg("--log")
        .arg(log);
    start(c, "fake-partner")
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a new connection; `None` when the connection failed.
pub fn try_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Resp {
        status,
        headers,
        body: body.to_string(),
    })
}

pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    try_request(addr, method, path, headers, body)
        .unwrap_or_else(|| panic!("{method} {path}: no answer"))
}

pub fn get(addr: &str, key: &str, path: &str) -> Resp {
    let auth = format!("Bearer {key}");
    request(addr, "GET", path, &[("authorization", &auth)], b"")
}

pub fn post(addr: &str, key: &str, path: &str, idem: &str, body: &str) -> Resp {
    let auth = format!("Bearer {key}");
    request(
        addr,
        "POST",
        path,
        &[("authorization", &auth), ("idempotency-key", idem)],
        body.as_bytes(),
    )
}

/// A sale of `lines` covered items at store NIC-01.
pub fn sale(order: &str, lines: usize) -> String {
    let ls: Vec<serde_json::Value> = (0..lines)
        .map(|i| {
            serde_json::json!({"line_id": (i + 1).to_string(),
                "item": {"product": "OLED-55", "product_type": "Televisions", "brand": "LG"},
                "price": "1899.00", "serial": format!("{order}-SN{i}")})
        })
        .collect();
    serde_json::json!({"store": "NIC-01", "order_id": order, "sold_at": "2026-03-20T18:05:00+02:00",
        "customer": {"first_name": "Helen", "last_name": "Clarke", "email": "helen@example.com",
                     "phone": "07911 123456", "country": "GB"},
        "lines": ls})
    .to_string()
}

/// The example claim, with `id` as its number.
pub fn claim(id: &str) -> String {
    let text =
        std::fs::read_to_string(root().join("examples/claims/validate-tractor.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["claim"]["dms_claim_number"] = id.into();
    serde_json::json!({"claim": v["claim"]}).to_string()
}

/// Row counts of the tables a request may change.
pub fn counts(dir: &Path) -> Vec<i64> {
    with_db(dir, |db| {
        [
            "activations",
            "claims",
            "claim_audit",
            "attachments",
            "outbox_messages",
            "subscriptions",
            "admin_actions",
        ]
        .iter()
        .map(|t| db.count(&format!("SELECT COUNT(*) FROM {t}"), &[]).unwrap())
        .collect()
    })
}

/// Waits until `f` holds (up to `secs`).
pub fn wait_for(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
