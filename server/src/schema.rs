//! The SQLite schema and its migrations (`PRAGMA user_version` counts the ones applied).

use rusqlite::Connection;

/// Each migration, in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE idempotency (
        key_id TEXT NOT NULL, idem_key TEXT NOT NULL, scope TEXT NOT NULL,
        body_sha256 TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
        at_ms INTEGER NOT NULL, PRIMARY KEY (key_id, idem_key));
    CREATE TABLE activations (
        order_id TEXT NOT NULL, line_id TEXT NOT NULL, serial TEXT NOT NULL, store TEXT NOT NULL,
        outcome TEXT NOT NULL, policy TEXT, end_ms INTEGER, record TEXT NOT NULL,
        enqueued TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (order_id, line_id));
    CREATE INDEX activations_end ON activations (end_ms);
    CREATE INDEX activations_serial ON activations (serial);
    CREATE TABLE claims (
        id TEXT PRIMARY KEY, claim TEXT NOT NULL, state TEXT NOT NULL, last_hash TEXT,
        submitted_at TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE TABLE claim_audit (
        claim TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL,
        PRIMARY KEY (claim, seq));
    CREATE TABLE attachments (
        claim TEXT NOT NULL, seq INTEGER NOT NULL, meta TEXT NOT NULL, at_ms INTEGER NOT NULL,
        PRIMARY KEY (claim, seq));
    CREATE TABLE outbox_messages (
        id INTEGER PRIMARY KEY, partner TEXT NOT NULL, state TEXT NOT NULL,
        idempotency_key TEXT NOT NULL, message TEXT NOT NULL, dropped_reason TEXT);
    CREATE INDEX outbox_messages_state ON outbox_messages (state);
    CREATE TABLE outbox_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, event TEXT NOT NULL);
    CREATE TABLE api_log (
        seq INTEGER PRIMARY KEY, request_id TEXT NOT NULL, at_ms INTEGER NOT NULL,
        key_id TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
        status INTEGER NOT NULL, body TEXT NOT NULL, body_sha256 TEXT NOT NULL,
        prev_hash TEXT, hash TEXT NOT NULL);
    CREATE TABLE admin_actions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, key_id TEXT NOT NULL,
        actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, message_id INTEGER NOT NULL,
        reason TEXT NOT NULL);
    CREATE TABLE subscriptions (
        name TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,
        active INTEGER NOT NULL, created_ms INTEGER NOT NULL);
    ",
    // 2: when a claim was approved (the claims report's approval lead time).
    "ALTER TABLE claims ADD COLUMN approved_at TEXT;",
];

/// The schema version this build writes.
pub const VERSION: usize = MIGRATIONS.len();

/// Opens the database with the durability settings: WAL, `synchronous=FULL` (every commit
/// is on disk before the answer), a busy timeout for the readers.
pub fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(5))?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "FULL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    Ok(c)
}

/// Opens a connection for reads only.
pub fn open_reader(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(c)
}

/// Applies the migrations not yet applied, each in its own transaction. A database written
/// by a newer build is refused.
pub fn migrate(c: &mut Connection) -> Result<(), String> {
    let have: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let have = usize::try_from(have).map_err(|_| format!("user_version {have} is negative"))?;
    if have > VERSION {
        return Err(format!(
            "the database is at schema version {have}, newer than this build's {VERSION}"
        ));
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(have) {
        let tx = c.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(m)
            .map_err(|e| format!("migration {}: {e}", i.saturating_add(1)))?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i.saturating_add(1)).unwrap_or(i64::MAX),
        )
        .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn migrates_from_each_version_and_refuses_a_newer_one() {
        for start in 0..=VERSION {
            let mut c = Connection::open_in_memory().unwrap();
            for m in MIGRATIONS.iter().take(start) {
                c.execute_batch(m).unwrap();
            }
            c.pragma_update(None, "user_version", i64::try_from(start).unwrap())
                .unwrap();
            migrate(&mut c).unwrap();
            let v: i64 = c
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(usize::try_from(v).unwrap(), VERSION);
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('claims') WHERE name = 'approved_at'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "from version {start}");
            // Migrating again changes nothing.
            migrate(&mut c).unwrap();
        }
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", i64::try_from(VERSION + 1).unwrap())
            .unwrap();
        assert!(migrate(&mut c).unwrap_err().contains("newer than this build"));
    }
}
