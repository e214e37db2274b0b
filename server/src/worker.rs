//! The worker: sends the outbox's due requests to the partners over HTTP, exactly as the
//! outbox asks (docs/sync.md): `outbox_poll_transmit` (its `persist` stored before the
//! request leaves), the request, then `outbox_handle_response` or `outbox_transport_error`
//! (stored), and when nothing is due, a sleep until `outbox_poll_timeout`. After a crash the
//! store thread restores the outbox with in-flight requests due again, under their key.

#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null for a missing key; it never panics"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify, OwnedSemaphorePermit, Semaphore};

use crate::http::now_ms;
use crate::store::{Job, Outcome, Polled};

/// The most of a partner's answer body read (its message is all the outbox keeps).
const ANSWER_LIMIT: usize = 64 * 1024;

/// Runs the worker until the store thread stops.
pub async fn run(
    jobs: mpsc::Sender<Job>,
    wake: Arc<Notify>,
    timeout: Duration,
    concurrency: usize,
    agent: String,
) {
    let agent: Arc<str> = Arc::from(agent);
    let sem = Arc::new(Semaphore::new(concurrency.max(1)));
    loop {
        let Ok(permit) = sem.clone().acquire_owned().await else {
            return;
        };
        let now = now_ms();
        let (tx, rx) = oneshot::channel();
        if jobs.send(Job::Poll(now, tx)).await.is_err() {
            return;
        }
        match rx.await {
            Ok(Ok(Polled {
                transmit: Some(t), ..
            })) => {
                tokio::spawn(send(
                    t,
                    permit,
                    jobs.clone(),
                    wake.clone(),
                    timeout,
                    agent.clone(),
                ));
            }
            Ok(Ok(Polled {
                transmit: None,
                timeout_ms,
            })) => {
                drop(permit);
                let wait = timeout_ms
                    .map(|t| t.saturating_sub(now).clamp(0, 1000))
                    .unwrap_or(1000);
                let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(1000));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = wake.notified() => {}
                }
            }
            Ok(Err(e)) => {
                // The store could not write the poll's record: nothing was sent; try again.
                eprintln!("wty serve: worker: a poll failed: {e}");
                drop(permit);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(_) => {
                // Its group was rolled back before it ran: nothing was sent; try again.
                drop(permit);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn send(
    t: Value,
    permit: OwnedSemaphorePermit,
    jobs: mpsc::Sender<Job>,
    wake: Arc<Notify>,
    timeout: Duration,
    agent: Arc<str>,
) {
    let id = t["id"].as_u64().unwrap_or(0);
    let outcome = match tokio::time::timeout(timeout, exchange(&t, &agent)).await {
        Ok(Some(o)) => o,
        Ok(None) | Err(_) => Outcome::TransportError,
    };
    drop(permit);
    report(&jobs, id, outcome).await;
    wake.notify_one();
}

/// Reports an answer; when the store cannot write it, tries again (the answer stays true),
/// so the message does not stay in flight until the next start.
async fn report(jobs: &mpsc::Sender<Job>, id: u64, outcome: Outcome) {
    let mut outcome = Some(outcome);
    for attempt in 0u32..600 {
        let Some(o) = outcome.take() else { return };
        let keep = match &o {
            Outcome::Response {
                status,
                headers,
                body,
            } => Outcome::Response {
                status: *status,
                headers: headers.clone(),
                body: body.clone(),
            },
            Outcome::TransportError => Outcome::TransportError,
        };
        let (tx, rx) = oneshot::channel();
        if jobs.send(Job::Report(id, o, now_ms(), tx)).await.is_err() {
            return;
        }
        match rx.await {
            Ok(Ok(())) => return,
            Ok(Err(e)) if e.contains("not in flight") || e.contains("no message") => return,
            // The store could not write it (an error, or its group rolled back before this
            // job ran): the answer stays true, report it again.
            Ok(Err(_)) | Err(_) => {
                outcome = Some(keep);
                let ms = 100u64.saturating_mul(u64::from(attempt.min(20)).saturating_add(1));
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
    }
}

/// One request and its answer; `None` when no answer came (refused, dropped, not HTTP).
async fn exchange(t: &Value, agent: &str) -> Option<Outcome> {
    let url = t["path"].as_str()?;
    // Plain HTTP only in this version (partners over TLS: docs/serve.md, "Not yet").
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let stream = TcpStream::connect(addr).await.ok()?;
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .ok()?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let body = t["body"].as_str().unwrap_or("").to_string();
    let mut req = hyper::Request::builder()
        .method(t["method"].as_str().unwrap_or("POST"))
        .uri(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::USER_AGENT, agent)
        .header(hyper::header::CONTENT_LENGTH, body.len());
    if let Some(h) = t["headers"].as_object() {
        for (k, v) in h {
            if let Some(v) = v.as_str() {
                req = req.header(k.as_str(), v);
            }
        }
    }
    let req = req.body(Full::new(Bytes::from(body))).ok()?;
    let resp = sender.send_request(req).await.ok()?;
    let status = resp.status().as_u16();
    let headers: BTreeMap<String, String> = resp
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let body = match Limited::new(resp.into_body(), ANSWER_LIMIT).collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
        // An answer cut off or too long: the status stands, the message is not kept.
        Err(_) => String::new(),
    };
    Some(Outcome::Response {
        status,
        headers,
        body,
    })
}
