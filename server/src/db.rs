//! The two stores behind one small interface: SQLite (`rusqlite`, the embedded default) and
//! PostgreSQL (`postgres`, for several instances). Statements are written once, with `?1`,
//! `?2`… placeholders (rewritten to `$1`, `$2`… for PostgreSQL), in the SQL both speak; the
//! few that differ ask [`Db::kind`].

use std::fmt;

/// Which database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SQLite: one instance, one writer.
    Sqlite,
    /// PostgreSQL: several instances.
    Postgres,
}

/// A parameter or a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// A NULL of a text column (also how a NULL cell reads).
    Null,
    /// A NULL of an integer column.
    NullInt,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

impl Val {
    /// The integer, if it is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The text, or empty.
    pub fn string(&self) -> String {
        self.text().unwrap_or("").to_string()
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}

impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(v.clone())
    }
}

impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Val::Null, Val::from)
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        v.map_or(Val::Null, Val::Text)
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Val::NullInt, Val::Int)
    }
}

impl From<u16> for Val {
    fn from(v: u16) -> Self {
        Val::Int(i64::from(v))
    }
}

impl From<u64> for Val {
    fn from(v: u64) -> Self {
        Val::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// One row.
pub type Row = Vec<Val>;

/// A database error (a sentence).
#[derive(Debug)]
pub struct DbError(pub String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(e.to_string())
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError(
            e.as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string()),
        )
    }
}

/// What both stores do.
pub trait Db {
    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError>;
    /// Runs a query; its rows.
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError>;
    /// Which database this is.
    fn kind(&self) -> Kind;

    /// The first row, if any.
    fn one(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first column of the first row as an integer (0 when there is none).
    fn count(&mut self, sql: &str, params: &[Val]) -> Result<i64, DbError> {
        Ok(self
            .one(sql, params)?
            .and_then(|r| r.first().and_then(Val::int))
            .unwrap_or(0))
    }
}

/// SQLite, on a connection or inside a transaction (which derefs to its connection).
pub struct Lite<'a>(pub &'a rusqlite::Connection);

fn lite_params(params: &[Val]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Val::Null | Val::NullInt => rusqlite::types::Value::Null,
            Val::Int(i) => rusqlite::types::Value::Integer(*i),
            Val::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

impl Db for Lite<'_> {
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError> {
        let mut st = self.0.prepare(sql)?;
        let n = st.execute(rusqlite::params_from_iter(lite_params(params)))?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError> {
        let mut st = self.0.prepare(sql)?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(lite_params(params)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Integer(v) => Val::Int(v),
                    rusqlite::types::ValueRef::Text(t) => {
                        Val::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Real(f) => Val::Text(f.to_string()),
                    rusqlite::types::ValueRef::Blob(_) | rusqlite::types::ValueRef::Null => {
                        Val::Null
                    }
                });
            }
            out.push(row);
        }
        Ok(out)
    }

    fn kind(&self) -> Kind {
        Kind::Sqlite
    }
}

/// Prepared statements of one PostgreSQL connection, by their text (one round trip a
/// statement instead of two).
pub type StatementCache = std::collections::HashMap<String, postgres::Statement>;

/// PostgreSQL, on a client or inside a transaction, with the connection's statement cache
/// when there is one.
pub struct Pg<'a, C: postgres::GenericClient> {
    client: &'a mut C,
    cache: Option<&'a mut StatementCache>,
}

impl<'a, C: postgres::GenericClient> Pg<'a, C> {
    /// Without a cache.
    pub fn new(client: &'a mut C) -> Self {
        Pg {
            client,
            cache: None,
        }
    }

    /// With the connection's cache (its statements must be of this connection).
    pub fn cached(client: &'a mut C, cache: &'a mut StatementCache) -> Self {
        Pg {
            client,
            cache: Some(cache),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        let sql = pg_sql(sql);
        match self.cache.as_deref_mut() {
            Some(cache) => {
                if let Some(s) = cache.get(&sql) {
                    return Ok(s.clone());
                }
                let s = self.client.prepare(&sql)?;
                cache.insert(sql, s.clone());
                Ok(s)
            }
            None => Ok(self.client.prepare(&sql)?),
        }
    }

    fn forget_on_error<T>(&mut self, r: Result<T, DbError>) -> Result<T, DbError> {
        if r.is_err() {
            if let Some(c) = self.cache.as_deref_mut() {
                c.clear();
            }
        }
        r
    }
}

/// `?N` → `$N`.
fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn pg_params(params: &[Val]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|p| -> Box<dyn postgres::types::ToSql + Sync> {
            match p {
                Val::Null => Box::new(None::<String>),
                Val::NullInt => Box::new(None::<i64>),
                Val::Int(i) => Box::new(*i),
                Val::Text(s) => Box::new(s.clone()),
            }
        })
        .collect()
}

fn pg_row(r: &postgres::Row) -> Result<Row, DbError> {
    use postgres::types::Type;
    let mut row = Vec::with_capacity(r.len());
    for (i, c) in r.columns().iter().enumerate() {
        let t = c.type_();
        let v = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map_or(Val::Null, Val::Int)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?
                .map_or(Val::Null, |v| Val::Int(i64::from(v)))
        } else if *t == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?
                .map_or(Val::Null, |v| Val::Int(i64::from(v)))
        } else if *t == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?
                .map_or(Val::Null, |v| Val::Int(i64::from(v)))
        } else {
            r.try_get::<_, Option<String>>(i)?
                .map_or(Val::Null, Val::Text)
        };
        row.push(v);
    }
    Ok(row)
}

impl<C: postgres::GenericClient> Db for Pg<'_, C> {
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError> {
        let ps = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = ps.iter().map(|b| &**b).collect();
        let r = self
            .statement(sql)
            .and_then(|st| Ok(self.client.execute(&st, &refs)?));
        self.forget_on_error(r)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError> {
        let ps = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = ps.iter().map(|b| &**b).collect();
        let r = self
            .statement(sql)
            .and_then(|st| self.client.query(&st, &refs)?.iter().map(pg_row).collect());
        self.forget_on_error(r)
    }

    fn kind(&self) -> Kind {
        Kind::Postgres
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_for_postgres() {
        assert_eq!(
            pg_sql("SELECT ?1, '?', ?12 FROM t WHERE a = ?2"),
            "SELECT $1, '?', $12 FROM t WHERE a = $2"
        );
    }
}
