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
    // 3: outbox messages claimed by due time with a lease (the worker of each instance).
    "
    ALTER TABLE outbox_messages ADD COLUMN due_ms INTEGER;
    ALTER TABLE outbox_messages ADD COLUMN lease_owner TEXT;
    ALTER TABLE outbox_messages ADD COLUMN lease_until INTEGER;
    UPDATE outbox_messages SET due_ms = json_extract(message, '$.due_ms');
    CREATE INDEX outbox_messages_due ON outbox_messages (state, due_ms);
    CREATE INDEX outbox_messages_key ON outbox_messages (partner, idempotency_key);
    ",
    // 4: messages in flight found by their lease without reading them all.
    "CREATE INDEX outbox_messages_lease ON outbox_messages (state, lease_until);",
];

/// PostgreSQL's migrations (its own list: the schema of SQLite's latest version from the
/// start, in PostgreSQL's types).
const PG_MIGRATIONS: &[&str] = &[
    // 1: the schema.
    "
    CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE idempotency (
        key_id TEXT NOT NULL, idem_key TEXT NOT NULL, scope TEXT NOT NULL,
        body_sha256 TEXT NOT NULL, status BIGINT NOT NULL, response TEXT NOT NULL,
        at_ms BIGINT NOT NULL, PRIMARY KEY (key_id, idem_key));
    CREATE TABLE activations (
        order_id TEXT NOT NULL, line_id TEXT NOT NULL, serial TEXT NOT NULL, store TEXT NOT NULL,
        outcome TEXT NOT NULL, policy TEXT, end_ms BIGINT, record TEXT NOT NULL,
        enqueued TEXT NOT NULL, at_ms BIGINT NOT NULL, PRIMARY KEY (order_id, line_id));
    CREATE INDEX activations_end ON activations (end_ms);
    CREATE INDEX activations_serial ON activations (serial);
    CREATE TABLE claims (
        id TEXT PRIMARY KEY, claim TEXT NOT NULL, state TEXT NOT NULL, last_hash TEXT,
        submitted_at TEXT, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
        approved_at TEXT);
    CREATE TABLE claim_audit (
        claim TEXT NOT NULL, seq BIGINT NOT NULL, entry TEXT NOT NULL,
        PRIMARY KEY (claim, seq));
    CREATE TABLE attachments (
        claim TEXT NOT NULL, seq BIGINT NOT NULL, meta TEXT NOT NULL, at_ms BIGINT NOT NULL,
        PRIMARY KEY (claim, seq));
    CREATE TABLE outbox_messages (
        id BIGINT PRIMARY KEY, partner TEXT NOT NULL, state TEXT NOT NULL,
        idempotency_key TEXT NOT NULL, message TEXT NOT NULL, dropped_reason TEXT,
        due_ms BIGINT, lease_owner TEXT, lease_until BIGINT);
    CREATE INDEX outbox_messages_state ON outbox_messages (state);
    CREATE INDEX outbox_messages_due ON outbox_messages (state, due_ms);
    CREATE INDEX outbox_messages_key ON outbox_messages (partner, idempotency_key);
    CREATE TABLE outbox_events (
        seq BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, event TEXT NOT NULL);
    CREATE TABLE api_log (
        seq BIGINT PRIMARY KEY, request_id TEXT NOT NULL, at_ms BIGINT NOT NULL,
        key_id TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
        status BIGINT NOT NULL, body TEXT NOT NULL, body_sha256 TEXT NOT NULL,
        prev_hash TEXT, hash TEXT NOT NULL);
    CREATE TABLE admin_actions (
        seq BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, key_id TEXT NOT NULL,
        actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, message_id BIGINT NOT NULL,
        reason TEXT NOT NULL);
    CREATE TABLE subscriptions (
        name TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,
        active BIGINT NOT NULL, created_ms BIGINT NOT NULL);
    ",
    // 2: messages in flight found by their lease without reading them all.
    "CREATE INDEX outbox_messages_lease ON outbox_messages (state, lease_until);",
];

/// PostgreSQL's schema version this build writes.
pub const PG_VERSION: usize = PG_MIGRATIONS.len();

/// Applies PostgreSQL's migrations not yet applied, under an advisory lock (instances that
/// start together migrate once).
pub fn migrate_pg(c: &mut postgres::Client) -> Result<(), String> {
    let e = |e: postgres::Error| e.to_string();
    let mut tx = c.transaction().map_err(e)?;
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7274772);
         CREATE TABLE IF NOT EXISTS wty_schema (version BIGINT NOT NULL);",
    )
    .map_err(e)?;
    let have: i64 = tx
        .query("SELECT version FROM wty_schema", &[])
        .map_err(e)?
        .first()
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(e)?
        .unwrap_or(0);
    let have = usize::try_from(have).map_err(|_| format!("schema version {have} is negative"))?;
    if have > PG_VERSION {
        return Err(format!(
            "the database is at schema version {have}, newer than this build's {PG_VERSION}"
        ));
    }
    for (i, m) in PG_MIGRATIONS.iter().enumerate().skip(have) {
        tx.batch_execute(m)
            .map_err(|x| format!("migration {}: {x}", i.saturating_add(1)))?;
    }
    let v = i64::try_from(PG_VERSION).unwrap_or(i64::MAX);
    tx.execute("DELETE FROM wty_schema", &[]).map_err(e)?;
    tx.execute("INSERT INTO wty_schema (version) VALUES ($1)", &[&v])
        .map_err(e)?;
    tx.commit().map_err(e)
}

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
    // 64 MiB of page cache (the default is 2 MiB): the writer's working set stays in memory.
    c.pragma_update(None, "cache_size", -65536)?;
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
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('outbox_messages') WHERE name = 'lease_until'",
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
        assert!(migrate(&mut c)
            .unwrap_err()
            .contains("newer than this build"));
    }
}
