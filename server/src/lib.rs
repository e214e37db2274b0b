//! `wty serve`: the warranty library as a running integration service (docs/serve.md).
//!
//! An HTTP/JSON API over the core's dispatcher — activations, claims, coverage, expiring
//! items, reports, the audit log, the retry queue and webhook subscriptions — on a SQLite
//! store with a transactional outbox, and a worker that delivers the outbox to the partners.
//! No rule is written here: every decision is a dispatcher call (`warranty_core::Engine`).
//!
//! - [`config`]: the TOML file;
//! - [`db`]: SQLite and PostgreSQL behind one small interface;
//! - [`schema`]: the schema and its migrations, for each;
//! - [`store`]: each instance's writer thread (group commit, the transactional outbox, leases);
//! - [`http`]: routing, keys and roles, limits, idempotency, the read endpoints;
//! - [`worker`]: the outbox's requests over HTTP.

pub mod config;
pub mod db;
pub mod http;
pub mod schema;
pub mod store;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the command line may change in the file's settings.
#[derive(Debug, Default)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<String>,
    /// `--db`.
    pub db: Option<PathBuf>,
}

/// The usage line.
pub const USAGE: &str = "usage: wty serve [--config FILE] [--listen HOST:PORT] [--db FILE]\n\
    (defaults: --config examples/serve.toml; docs/serve.md)";

/// Reads `wty serve`'s arguments.
pub fn parse_args(args: &[String]) -> Result<(PathBuf, Overrides), String> {
    let mut config = PathBuf::from("examples/serve.toml");
    let mut o = Overrides::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--config" => config = PathBuf::from(value()?),
            "--listen" => o.listen = Some(value()?),
            "--db" => o.db = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((config, o))
}

/// Runs the service until the process is stopped. Prints `listening on http://ADDR` once the
/// socket is bound and the store is open (tests wait for that line).
pub fn run(config: PathBuf, o: Overrides) -> Result<(), String> {
    let mut cfg = config::Config::load(&config).map_err(|e| e.to_string())?;
    if let Some(l) = o.listen {
        cfg.server.listen = l;
    }
    if let Some(db) = o.db {
        // Against the working directory, as given on the command line.
        cfg.store.sqlite = Some(std::env::current_dir().map(|d| d.join(&db)).unwrap_or(db));
        cfg.store.postgres = None;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listen = cfg.server.listen.clone();
    let timeout = Duration::from_millis(cfg.server.partner_timeout_ms);
    let concurrency = cfg.server.worker_concurrency;
    let (jobs, rx) = tokio::sync::mpsc::channel(4096);
    let wake = Arc::new(tokio::sync::Notify::new());
    let app = Arc::new(http::App::new(&cfg, jobs.clone(), wake.clone()));
    let db = match (cfg.sqlite_path(), &cfg.store.postgres) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(_)) => "postgres".to_string(),
        (None, None) => String::new(),
    };
    let store = store::Store::open(store::StoreSettings::new(cfg), http::now_ms())?;
    let agent = format!(
        "wty-serve/{} ({})",
        warranty_core::VERSION,
        store.instance()
    );
    std::thread::Builder::new()
        .name("wty-store".into())
        .spawn(move || store.run(rx))
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|e| format!("{listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("wty serve: listening on http://{addr} (store {db})");
        tokio::spawn(worker::run(jobs, wake, timeout, concurrency, agent));
        http::serve(listener, app).await;
        Ok(())
    })
}

/// `wty serve` / `wty-serve`: exits 2 on a usage or configuration error.
pub fn main_with_args(args: &[String]) -> i32 {
    match parse_args(args).and_then(|(c, o)| run(c, o)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("wty serve: {e}");
            2
        }
    }
}
