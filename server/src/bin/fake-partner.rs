//! A partner to talk to in tests: listens on loopback, answers each request by a seeded
//! script — 201, 202, 409, 429 with `Retry-After`, 500, 503 with `Retry-After`, a timeout (no
//! answer) or a dropped connection — and records every request it received, one JSON line
//! each, before answering.
//!
//! usage: fake-partner [--listen 127.0.0.1:8788] [--seed N] [--script ok|mixed] [--log FILE]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::json;
use warranty_server::config::sha256_hex;

#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Status(u16),
    RetryAfter(u16),
    Timeout,
    Drop,
}

impl Answer {
    fn name(self) -> String {
        match self {
            Answer::Status(s) | Answer::RetryAfter(s) => s.to_string(),
            Answer::Timeout => "timeout".into(),
            Answer::Drop => "drop".into(),
        }
    }
}

struct Partner {
    rng: u64,
    mixed: bool,
    n: u64,
    log: Option<std::fs::File>,
}

impl Partner {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn answer(&mut self) -> Answer {
        if !self.mixed {
            return Answer::Status(201);
        }
        match self.next() % 100 {
            0..=39 => Answer::Status(201),
            40..=49 => Answer::Status(202),
            50..=54 => Answer::Status(409),
            55..=64 => Answer::RetryAfter(429),
            65..=74 => Answer::Status(500),
            75..=84 => Answer::RetryAfter(503),
            85..=91 => Answer::Timeout,
            _ => Answer::Drop,
        }
    }
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    p: Arc<Mutex<Partner>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let key = header("idempotency-key");
    let signed = header("webhook-signature").is_some();
    let auth = header("authorization").is_some();
    let agent = header("user-agent");
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let answer = {
        let mut g = p.lock().unwrap_or_else(|e| e.into_inner());
        let a = g.answer();
        g.n = g.n.wrapping_add(1);
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let line = json!({"n": g.n, "at_ms": at_ms, "method": method, "path": path,
            "idempotency_key": key, "body_sha256": sha256_hex(&body), "signed": signed,
            "authorization": auth, "user_agent": agent, "answer": a.name()});
        if let Some(f) = g.log.as_mut() {
            let _ = writeln!(f, "{line}");
            let _ = f.flush();
        }
        a
    };
    let respond = |status: u16, retry: bool| {
        let body = if status >= 400 {
            json!({"error_code": format!("E{status}"), "message": format!("fake partner says {status}")})
                .to_string()
        } else {
            json!({"status": "ok"}).to_string()
        };
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
        if retry {
            r.headers_mut()
                .insert("retry-after", hyper::header::HeaderValue::from_static("1"));
        }
        r
    };
    match answer {
        Answer::Status(s) => Ok(respond(s, false)),
        Answer::RetryAfter(s) => Ok(respond(s, true)),
        Answer::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(Dropped)
        }
        Answer::Drop => Err(Dropped),
    }
}

fn main() {
    let mut listen = "127.0.0.1:8788".to_string();
    let mut seed: u64 = 1;
    let mut mixed = true;
    let mut log = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--listen" => listen = v,
            "--seed" => seed = v.parse().unwrap_or(1).max(1),
            "--script" => mixed = v != "ok",
            "--log" => log = Some(v),
            _ => {
                eprintln!("usage: fake-partner [--listen ADDR] [--seed N] [--script ok|mixed] [--log FILE]");
                std::process::exit(2);
            }
        }
    }
    let log = log.and_then(|f| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(f)
            .ok()
    });
    let partner = Arc::new(Mutex::new(Partner {
        rng: seed,
        mixed,
        n: 0,
        log,
    }));
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    else {
        std::process::exit(1);
    };
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("fake-partner: {listen}: {e}");
                std::process::exit(1);
            }
        };
        if let Ok(a) = listener.local_addr() {
            println!("fake-partner: listening on http://{a}");
        }
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let p = partner.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| handle(p.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}
