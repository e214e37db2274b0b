//! Retries: which statuses are retried, `Retry-After`, and full-jitter exponential backoff
//! from the outbox's own seeded PRNG.

use std::collections::BTreeMap;

use super::*;

/// Converts an instant to epoch milliseconds.
pub fn millis(t: Instant) -> i64 {
    t.0.timestamp_millis()
}

/// Whether a status is retried (408, 409, 425, 429, 5xx).
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 425 | 429) || (500..=599).contains(&status)
}

/// `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date.
pub fn retry_after_ms(headers: &BTreeMap<String, String>, now_ms: i64) -> Option<i64> {
    let v = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .map(|(_, v)| v.trim())?;
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<i64>().ok().map(|s| s.saturating_mul(1000));
    }
    let date_ms = crate::sync::http_date::parse_ms(v, now_ms)?;
    Some(date_ms.saturating_sub(now_ms).max(0))
}

impl Outbox {
    pub(super) fn next_random(&mut self) -> u64 {
        // xorshift64*: small, fast, and its whole state is one number in the snapshot.
        let mut x = self.header.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.header.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The backoff ceiling after `attempt` failed attempts: `min(cap, base · 2^(attempt-1))`.
    pub fn ceiling_ms(&self, attempt: u32) -> u64 {
        let c = &self.header.config;
        let shift = attempt.saturating_sub(1).min(62);
        c.base_ms.saturating_mul(1u64 << shift).min(c.cap_ms)
    }

    pub(super) fn retry(
        &mut self,
        id: u64,
        status: Option<u16>,
        retry_after: Option<i64>,
        now_ms: i64,
        reason: String,
    ) {
        let Some((attempts, enqueued)) =
            self.messages.get(&id).map(|m| (m.attempts, m.enqueued_ms))
        else {
            return;
        };
        let c = &self.header.config;
        if attempts >= c.max_attempts {
            let why = format!("gave up after {attempts} attempts: {reason}");
            return self.dead_letter(id, status, now_ms, why);
        }
        let ceiling = self.ceiling_ms(attempts);
        // Full jitter: uniform in [0, ceiling].
        let jitter = self
            .next_random()
            .checked_rem(ceiling.saturating_add(1))
            .and_then(|j| i64::try_from(j).ok())
            .unwrap_or(0);
        let delay = jitter.max(retry_after.unwrap_or(0));
        let due = now_ms.saturating_add(delay);
        let deadline = enqueued
            .saturating_add(i64::try_from(self.header.config.deadline_ms).unwrap_or(i64::MAX));
        if due > deadline {
            let why = format!("deadline passed before the next attempt: {reason}");
            return self.dead_letter(id, status, now_ms, why);
        }
        let source = format!("outbox:{}", self.header.name);
        if let Some(m) = self.messages.get_mut(&id) {
            m.last_status = status;
            m.state = MessageState::Pending;
            m.due_ms = Some(due);
            self.due.insert((due, id));
            let audit = audit_of(m, status, AuditOutcome::Retry, source, now_ms, Some(due));
            self.emit(Event::Audit(audit));
        }
    }
}
