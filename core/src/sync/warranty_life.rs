//! Warranty Life API 201308 adapter pieces (seed: `warranty-life-api-201308.txt`): HTTP Basic
//! authentication with sub-accounts, paging with `startAt`/`limit`, and the error body.
//! (The plan model itself is `crate::plans`.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Every URL is below this prefix.
pub const API_PREFIX: &str = "/api/201308";

/// The `Authorization` header: Basic with the API key as user (`key/sub-account-id` when
/// acting for a sub-account) and the API secret as password.
pub fn authorization(key: &str, secret: &str, sub_account: Option<&str>) -> Result<String> {
    if key.is_empty() || key.contains(':') {
        return Err(Error::invalid(
            "key",
            "the API key is empty or contains `:`",
        ));
    }
    let user = match sub_account {
        Some(s) if s.is_empty() || s.contains(['/', ':']) => {
            return Err(Error::invalid(
                "sub_account",
                "a sub-account id is non-empty and has no `/` or `:`",
            ))
        }
        Some(s) => format!("{key}/{s}"),
        None => key.to_string(),
    };
    Ok(format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{secret}"))
    ))
}

/// The query of page `page` (0-based) with `limit` results per page:
/// `startAt=page·limit&limit=limit`.
pub fn page_query(page: u64, limit: u64) -> Result<String> {
    if limit == 0 {
        return Err(Error::invalid("limit", "the page size must be at least 1"));
    }
    let start = page
        .checked_mul(limit)
        .ok_or_else(|| Error::invalid("page", "the page offset overflows"))?;
    Ok(format!("startAt={start}&limit={limit}"))
}

/// Whether another page may follow one that returned `returned` results of `limit`.
pub fn has_next_page(returned: usize, limit: u64) -> bool {
    u64::try_from(returned).is_ok_and(|r| r >= limit && limit > 0)
}

/// The error body: `{"error_code": 0, "status_text": "Bad Request", "message": "…"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    /// `error_code`.
    pub error_code: i64,
    /// `status_text`.
    pub status_text: String,
    /// `message`.
    pub message: String,
}

/// Reads an error body; unknown fields are ignored. A body that is not such an object gives
/// an `ApiError` carrying the HTTP status text and the raw body as message.
pub fn read_error(status: u16, body: &str) -> ApiError {
    match serde_json::from_str::<ApiError>(body) {
        Ok(e) if !e.message.is_empty() || !e.status_text.is_empty() => e,
        _ => ApiError {
            error_code: i64::from(status),
            status_text: format!("HTTP {status}"),
            message: body.trim().chars().take(500).collect(),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_with_the_seed_sub_account_example() {
        // The seed: key MqUax1IGBQdL acting for sub-account 43 authenticates as MqUax1IGBQdL/43.
        let h = authorization("MqUax1IGBQdL", "s3cret", Some("43")).unwrap();
        let raw = STANDARD.decode(h.strip_prefix("Basic ").unwrap()).unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "MqUax1IGBQdL/43:s3cret");
        assert_eq!(
            authorization("MqUax1IGBQdL", "s3cret", None).unwrap(),
            format!("Basic {}", STANDARD.encode("MqUax1IGBQdL:s3cret"))
        );
        assert_eq!(authorization("", "x", None).unwrap_err().path, "key");
        assert_eq!(
            authorization("k", "x", Some("a/b")).unwrap_err().path,
            "sub_account"
        );
    }

    #[test]
    fn paging_follows_the_seed_example() {
        // "startAt=0&limit=50", "startAt=50&limit=50", "startAt=100&limit=50".
        let q: Vec<String> = (0..3).map(|p| page_query(p, 50).unwrap()).collect();
        assert_eq!(
            q,
            [
                "startAt=0&limit=50",
                "startAt=50&limit=50",
                "startAt=100&limit=50"
            ]
        );
        assert!(has_next_page(50, 50));
        assert!(!has_next_page(49, 50));
        assert!(page_query(0, 0).is_err());
        assert!(page_query(u64::MAX, 2).is_err());
    }

    #[test]
    fn error_bodies_are_read_and_unknown_fields_ignored() {
        let e = read_error(
            404,
            r#"{"error_code": 0, "status_text": "Bad Request", "message": "The ID specified does not exist.", "extra": 1}"#,
        );
        assert_eq!(e.message, "The ID specified does not exist.");
        assert_eq!(e.status_text, "Bad Request");
        let e = read_error(500, "<html>down</html>");
        assert_eq!(e.error_code, 500);
        assert_eq!(e.message, "<html>down</html>");
    }
}
