//! CNH documents: the Claim Attachment API (upload a PDF or JPEG for a claim, fetch it back)
//! and PPP's Master Parts Schedule / Terms and Conditions PDFs. The library builds the
//! requests and checks the answers; the host moves the bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::sap;
use crate::error::{Error, Result};

/// The Claim Attachment API's path (`POST` to upload, `GET` to fetch).
pub const ATTACHMENT_PATH: &str = "/external/services/warrantyclaim/attachment";
/// The PPP MPS and T&C path (`GET`).
pub const MPS_TC_PATH: &str = "/external/services/warrantyclaim/ppp/mpsandtnc";
/// The `sap-client` query value the seed fixes.
pub const SAP_CLIENT: &str = "602";
/// The largest attachment accepted when the host sets no `max_bytes` (10 MiB). The seed names
/// no limit; this one is ours, so that a wrong file is refused before it is sent.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The two media types CNH takes: `(content type, atttype, what the file starts with)`.
const MEDIA: &[(&str, &str, &[u8])] = &[
    ("application/pdf", "pdf", b"%PDF-"),
    ("image/jpeg", "jpeg", &[0xFF, 0xD8, 0xFF]),
];

/// The seed writes `Image/jpeg`: compared without case, parameters (`; charset=…`) dropped.
fn media(content_type: &str, at: &str) -> Result<(&'static str, &'static str, &'static [u8])> {
    let bare = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    MEDIA
        .iter()
        .find(|(t, _, _)| *t == bare)
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                at,
                format!("`{content_type}`: CNH takes `application/pdf` or `image/jpeg`"),
            )
        })
}

fn sniff(data: &[u8]) -> &'static str {
    MEDIA
        .iter()
        .find(|(_, _, magic)| data.starts_with(magic))
        .map_or("neither a PDF nor a JPEG", |(t, _, _)| t)
}

/// An attachment to upload for a claim.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentUpload {
    /// `objkey`: CNH's claim number (Create Claim's answer).
    pub claim_number: String,
    /// `attname`: the attachment's name (left out when blank).
    #[serde(default)]
    pub name: String,
    /// `application/pdf` or `image/jpeg`.
    pub content_type: String,
    /// The file, base64 (standard alphabet, padded).
    pub data_base64: String,
    /// The largest file accepted, in bytes (default [`DEFAULT_MAX_ATTACHMENT_BYTES`]).
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// An attachment to fetch back.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentFetch {
    /// `objkey`: CNH's claim number.
    pub claim_number: String,
    /// `attname`: the name it was uploaded with.
    #[serde(default)]
    pub name: String,
    /// `application/pdf` or `image/jpeg` (`atttype`).
    pub content_type: String,
}

fn claim_query<'a>(
    claim_number: &'a str,
    name: &'a str,
    atttype: &'a str,
    at: &str,
) -> Result<Vec<(&'static str, &'a str)>> {
    sap::required(claim_number, 12, &format!("{at}.claim_number"))?;
    sap::optional(name, 255, &format!("{at}.name"))?;
    let mut q = Vec::with_capacity(4);
    if !name.trim().is_empty() {
        q.push(("attname", name));
    }
    q.extend([
        ("sap-client", SAP_CLIENT),
        ("atttype", atttype),
        ("objkey", claim_number),
    ]);
    Ok(q)
}

/// The upload request: `{method, path, headers, body_base64, size}`. The file must decode,
/// be non-empty, fit `max_bytes`, and be what `content_type` says (a PDF starts with
/// `%PDF-`, a JPEG with `FF D8 FF`).
pub fn upload_request(u: &AttachmentUpload) -> Result<Value> {
    let (content_type, atttype, magic) = media(&u.content_type, "upload.content_type")?;
    let data = STANDARD
        .decode(u.data_base64.trim())
        .map_err(|e| Error::invalid("upload.data_base64", format!("not base64: {e}")))?;
    if data.is_empty() {
        return Err(Error::invalid("upload.data_base64", "the file is empty"));
    }
    let max = u.max_bytes.unwrap_or(DEFAULT_MAX_ATTACHMENT_BYTES);
    let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if size > max {
        return Err(Error::invalid(
            "upload.data_base64",
            format!("the file is {size} bytes; at most {max} are accepted"),
        ));
    }
    if !data.starts_with(magic) {
        return Err(Error::invalid(
            "upload.data_base64",
            format!(
                "declared `{content_type}`, but the file is {}",
                sniff(&data)
            ),
        ));
    }
    let q = claim_query(&u.claim_number, &u.name, atttype, "upload")?;
    Ok(json!({
        "method": "POST",
        "path": sap::with_query(ATTACHMENT_PATH, &q),
        "headers": {"Content-Type": content_type},
        "body_base64": STANDARD.encode(&data),
        "size": size,
    }))
}

/// The fetch request: `{method, path, headers}`.
pub fn fetch_request(f: &AttachmentFetch) -> Result<Value> {
    let (content_type, atttype, _) = media(&f.content_type, "fetch.content_type")?;
    let q = claim_query(&f.claim_number, &f.name, atttype, "fetch")?;
    Ok(json!({
        "method": "GET",
        "path": sap::with_query(ATTACHMENT_PATH, &q),
        "headers": {"Accept": content_type},
    }))
}

/// Which PPP document: the Master Parts Schedule (`M`) or the Terms and Conditions (`T`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum PppDocument {
    /// `M`: Master Parts Schedule.
    #[serde(rename = "M")]
    MasterPartsSchedule,
    /// `T`: Terms and Conditions.
    #[serde(rename = "T")]
    TermsAndConditions,
}

/// The MPS / T&C request for a serial: `{method, path, headers}`.
pub fn mps_tc_request(serial: &str, document: PppDocument) -> Result<Value> {
    sap::required(serial, 35, "serial")?;
    let indicator = match document {
        PppDocument::MasterPartsSchedule => "M",
        PppDocument::TermsAndConditions => "T",
    };
    Ok(json!({
        "method": "GET",
        "path": sap::with_query(
            MPS_TC_PATH,
            &[("serialnumber", serial.trim()), ("mps_tc_indicator", indicator)],
        ),
        "headers": {"Accept": "application/pdf"},
    }))
}

/// What a CNH answer without a document says: whether it went through, and whether to try
/// again (408, 429 and 5xx).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CnhReply {
    /// Whether the call succeeded.
    pub ok: bool,
    /// The HTTP status.
    pub status: u16,
    /// Whether the same request may succeed later.
    pub retry: bool,
    /// `statuscode` of the body, when it has one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub statuscode: String,
    /// `message` of the body (or the body's text, when it is not JSON and not a success).
    pub message: String,
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

fn http_status(status: u16) -> Result<u16> {
    if (100..=599).contains(&status) {
        Ok(status)
    } else {
        Err(Error::invalid("status", "an HTTP status (100–599)"))
    }
}

/// Reads the upload's answer: `{"statuscode": "200", "message": "Claim Processing
/// Completed."}` on success. A 2xx whose body is not that object is an error at `body`
/// (nothing is taken as delivered on a guess); a failure keeps the body's message.
pub fn read_upload_answer(status: u16, body: &str) -> Result<CnhReply> {
    let status = http_status(status)?;
    let parsed = sap::parse(body);
    let success = (200..=299).contains(&status);
    let (statuscode, message) = match &parsed {
        Ok(v @ Value::Object(_)) => (sap::trimmed(v, "statuscode"), sap::trimmed(v, "message")),
        Ok(_) | Err(_) if success => {
            return Err(Error::invalid(
                "body",
                "expected an object with `statuscode` and `message`",
            ))
        }
        _ => (String::new(), body.trim().chars().take(500).collect()),
    };
    if success && statuscode.is_empty() {
        return Err(Error::invalid("body.statuscode", "missing"));
    }
    Ok(CnhReply {
        ok: success && statuscode == "200",
        status,
        retry: retryable(status),
        statuscode,
        message,
    })
}

/// A document answer (an attachment fetched, an MPS or T&C PDF), checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentAnswer {
    /// Whether a document of the expected type came back.
    pub ok: bool,
    /// The HTTP status.
    pub status: u16,
    /// Whether the same request may succeed later.
    pub retry: bool,
    /// The document's media type, when one came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<&'static str>,
    /// Its size in bytes, when one came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// CNH's message, when it is not a success.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// Checks a document answer against the type asked for: on a 2xx, the `Content-Type` header
/// and the bytes must both be `expect` (an HTML error page sent with 200 is refused at
/// `content_type`, a body that is not the file at `body_base64`). Otherwise the body's
/// `message` (or text) is kept.
pub fn read_document_answer(
    status: u16,
    content_type: &str,
    body_base64: &str,
    expect: &str,
) -> Result<DocumentAnswer> {
    let status = http_status(status)?;
    let (want, _, magic) = media(expect, "expect")?;
    let data = STANDARD
        .decode(body_base64.trim())
        .map_err(|e| Error::invalid("body_base64", format!("not base64: {e}")))?;
    if !(200..=299).contains(&status) {
        let text = String::from_utf8_lossy(&data);
        let message = match sap::parse(&text) {
            Ok(v @ Value::Object(_)) => sap::trimmed(&v, "message"),
            _ => text.trim().chars().take(500).collect(),
        };
        return Ok(DocumentAnswer {
            ok: false,
            status,
            retry: retryable(status),
            content_type: None,
            size: None,
            message,
        });
    }
    match media(content_type, "content_type") {
        Ok((got, _, _)) if got == want => {}
        _ => {
            return Err(Error::invalid(
                "content_type",
                format!("expected `{want}`, CNH sent `{content_type}`"),
            ))
        }
    }
    if !data.starts_with(magic) {
        return Err(Error::invalid(
            "body_base64",
            format!("labelled `{want}`, but the bytes are {}", sniff(&data)),
        ));
    }
    Ok(DocumentAnswer {
        ok: true,
        status,
        retry: false,
        content_type: Some(want),
        size: Some(u64::try_from(data.len()).unwrap_or(u64::MAX)),
        message: String::new(),
    })
}
