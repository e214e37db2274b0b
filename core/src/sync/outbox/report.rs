//! The sync report: messages counted by state, in total and per partner.

use std::collections::BTreeMap;

use serde::Serialize;

use super::*;

/// Counts for the sync report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Messages enqueued.
    pub enqueued: usize,
    /// Delivered (2xx).
    pub delivered: usize,
    /// Accepted, not yet confirmed (202).
    pub accepted_pending: usize,
    /// Waiting or in flight.
    pub pending: usize,
    /// Given up.
    pub dead_lettered: usize,
    /// Attempts made.
    pub attempts: u64,
    /// (delivered + accepted) / finished, as a decimal string with 4 places, null when none
    /// finished.
    pub success_rate: Option<String>,
}

/// The sync report: totals and per partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// All partners.
    pub total: Counts,
    /// Per partner, by name.
    pub by_partner: BTreeMap<String, Counts>,
}

impl Outbox {
    /// Success rate, pending and dead-lettered counts, in total and per partner.
    pub fn report(&self) -> SyncReport {
        let mut total = Counts::default();
        let mut by: BTreeMap<String, Counts> = BTreeMap::new();
        for m in self.messages.values() {
            for c in [&mut total, by.entry(m.partner.clone()).or_default()] {
                // Counts of messages held in memory: saturating, never reached.
                c.enqueued = c.enqueued.saturating_add(1);
                c.attempts = c.attempts.saturating_add(u64::from(m.attempts));
                let n = match m.state {
                    MessageState::Pending | MessageState::InFlight => &mut c.pending,
                    MessageState::AcceptedPending => &mut c.accepted_pending,
                    MessageState::Delivered => &mut c.delivered,
                    MessageState::DeadLettered => &mut c.dead_lettered,
                };
                *n = n.saturating_add(1);
            }
        }
        for c in std::iter::once(&mut total).chain(by.values_mut()) {
            let ok = c.delivered.saturating_add(c.accepted_pending);
            let done = ok.saturating_add(c.dead_lettered);
            c.success_rate = rust_decimal::Decimal::from(ok)
                .checked_div(rust_decimal::Decimal::from(done))
                .map(|r| format!("{:.4}", r.round_dp(4)));
        }
        SyncReport {
            total,
            by_partner: by,
        }
    }
}
