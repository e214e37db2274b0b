//! A bounded closed-loop load generator for `wty serve` (`make bench-serve`): `--connections`
//! keep-alive connections, each sending its next request when the last one is answered, for
//! `--seconds`; prints the throughput and the latency percentiles.
//!
//! usage: serve-load --url http://127.0.0.1:8787 --key KEY --kind activations|coverage|read
//!        [--connections 32] [--seconds 10] [--stack FILE]

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use tokio::net::TcpStream;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Activations,
    Coverage,
    Read,
}

fn sale(order: &str) -> String {
    serde_json::json!({"store": "NIC-01", "order_id": order, "sold_at": "2026-03-20T18:05:00+02:00",
        "customer": {"first_name": "Helen", "last_name": "Clarke", "email": "helen@example.com",
                     "phone": "07911 123456", "country": "GB"},
        "lines": [{"line_id": "1", "item": {"product": "OLED-55", "product_type": "Televisions",
                   "brand": "LG"}, "price": "1899.00", "serial": format!("{order}-1")}]})
    .to_string()
}

struct Opts {
    host: String,
    key: String,
    kind: Kind,
    stack: String,
    run: String,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A keep-alive HTTP/1.1 connection.
async fn connect(host: &str) -> Result<Sender, String> {
    let stream = TcpStream::connect(host).await.map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn connection(o: Arc<Opts>, c: usize, until: Instant) -> Result<(Vec<u32>, u64), String> {
    let mut sender = connect(&o.host).await?;
    let mut lat = Vec::new();
    let mut errors = 0u64;
    let mut i = 0u64;
    let auth = format!("Bearer {}", o.key);
    let read_path = format!("/v1/activations/{}-warm", o.run);
    while Instant::now() < until {
        i += 1;
        let (method, path, body, idem) = match o.kind {
            Kind::Activations => {
                let order = format!("{}-{c}-{i}", o.run);
                ("POST", "/v1/activations".to_string(), sale(&order), order)
            }
            Kind::Coverage => (
                "POST",
                "/v1/coverage".to_string(),
                o.stack.clone(),
                String::new(),
            ),
            Kind::Read => ("GET", read_path.clone(), String::new(), String::new()),
        };
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", o.host.as_str())
            .header("authorization", auth.as_str())
            .header("content-length", body.len());
        if !idem.is_empty() {
            req = req.header("idempotency-key", idem);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let ok = resp.status().is_success();
        let _ = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
        lat.push(us);
        if !ok {
            errors += 1;
        }
    }
    Ok((lat, errors))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut url = "http://127.0.0.1:8787".to_string();
    let mut key = "demo-till-key".to_string();
    let mut kind = Kind::Activations;
    let mut connections = 32usize;
    let mut seconds = 10u64;
    let mut stack_file = "examples/stacks/tv-lisbon.json".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--url" => url = v,
            "--key" => key = v,
            "--kind" => {
                kind = match v.as_str() {
                    "activations" => Kind::Activations,
                    "coverage" => Kind::Coverage,
                    "read" => Kind::Read,
                    _ => {
                        eprintln!("--kind is activations, coverage or read");
                        std::process::exit(2)
                    }
                }
            }
            "--connections" => connections = v.parse().unwrap_or(32).max(1),
            "--seconds" => seconds = v.parse().unwrap_or(10).max(1),
            "--stack" => stack_file = v,
            _ => {
                eprintln!("usage: serve-load --url URL --key KEY --kind activations|coverage|read [--connections N] [--seconds S] [--stack FILE]");
                std::process::exit(2)
            }
        }
    }
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // The stack request without its `op`: the body of POST /v1/coverage.
    let stack = std::fs::read_to_string(&stack_file)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("op");
            }
            v.to_string()
        })
        .unwrap_or_else(|| "{}".into());
    let run = format!(
        "L{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let o = Arc::new(Opts {
        host,
        key,
        kind,
        stack,
        run,
    });
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        std::process::exit(1)
    };
    let result = rt.block_on(async move {
        if kind == Kind::Read {
            // The record every read asks for.
            let warm = Arc::new(Opts {
                host: o.host.clone(),
                key: o.key.clone(),
                kind: Kind::Activations,
                stack: String::new(),
                run: o.run.clone(),
            });
            let _ = warm_up(&warm).await;
        }
        let start = Instant::now();
        let until = start + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..connections)
            .map(|c| tokio::spawn(connection(o.clone(), c, until)))
            .collect();
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            match t.await {
                Ok(Ok((l, e))) => {
                    all.extend(l);
                    errors += e;
                }
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok((all, errors, start.elapsed()))
    });
    match result {
        Ok((mut lat, errors, took)) => {
            lat.sort_unstable();
            let pct = |p: f64| {
                let n = lat.len();
                if n == 0 {
                    return 0.0;
                }
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss,
                    reason = "a rank within the list"
                )]
                let i = ((n as f64 - 1.0) * p).round() as usize;
                f64::from(lat.get(i).copied().unwrap_or(0)) / 1000.0
            };
            #[allow(clippy::cast_precision_loss, reason = "a count as a rate")]
            let rps = lat.len() as f64 / took.as_secs_f64();
            println!(
                "{{\"kind\":\"{}\",\"connections\":{connections},\"seconds\":{:.1},\"requests\":{},\"errors\":{errors},\"per_second\":{rps:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2}}}",
                match kind {
                    Kind::Activations => "activations",
                    Kind::Coverage => "coverage",
                    Kind::Read => "read",
                },
                took.as_secs_f64(),
                lat.len(),
                pct(0.5),
                pct(0.99),
                pct(1.0)
            );
        }
        Err(e) => {
            eprintln!("serve-load: {e}");
            std::process::exit(1)
        }
    }
}

async fn warm_up(o: &Arc<Opts>) -> Result<(), String> {
    let mut sender = connect(&o.host).await?;
    let order = format!("{}-warm", o.run);
    let body = sale(&order);
    let req = hyper::Request::builder()
        .method("POST")
        .uri("/v1/activations")
        .header("host", o.host.as_str())
        .header("authorization", format!("Bearer {}", o.key))
        .header("idempotency-key", order)
        .header("content-length", body.len())
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let r = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let _ = r.into_body().collect().await;
    Ok(())
}
