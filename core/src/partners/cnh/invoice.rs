//! CNH's claim invoice reports (summary, daily, detail; NAFTA): the request bodies, the
//! answers read into invoice lines, and the reconciliation of those lines with the host's
//! claims, which fills the reimbursed amounts `claims_report` compares with the claimed ones.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::sap;
use crate::claims::report::ClaimSummary;
use crate::error::{Error, Result};
use crate::warranty::policy::Dec;

/// Where the Invoice Summary Report is sent (`POST`).
pub const SUMMARY_PATH: &str = "/external/services/warrantyclaim/invoicesummaryreport";
/// Where the Invoice Daily Report is sent (`POST`).
pub const DAILY_PATH: &str = "/external/services/warrantyclaim/invoicedailyreport";
/// Where the Invoice Detail Report is sent (`POST`).
pub const DETAIL_PATH: &str = "/external/services/warrantyclaim/invoicedetailreport";

/// A dealer-level report's query (summary and daily): the dealer, optional narrowing, and
/// the invoice dates (`from`/`to` for the summary, `date` for the daily report).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DealerQuery {
    /// `DEALER_NUMBER` (required).
    pub dealer_number: String,
    /// `SALES_ORG`.
    pub sales_org: String,
    /// `BRAND`.
    pub brand: String,
    /// `DIVISION`.
    pub division: String,
    /// Summary: `INVOICE_FROM_DATE`, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Summary: `INVOICE_TO_DATE`, `YYYY-MM-DD`, not before `from`.
    pub to: Option<String>,
    /// Daily: `INVOICE_DATE`, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// The Invoice Detail Report's query: one invoice.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    /// `COMPANY_CODE` (the sales organization, e.g. `G182`).
    pub company_code: String,
    /// `ACC_DOC_NBR`: the invoice (accounting document) number.
    pub document: String,
    /// `ACC_DOC_YEAR`: the invoice's fiscal year.
    pub year: u32,
}

/// One of the three reports' queries.
#[derive(Clone, Debug)]
pub enum InvoiceQuery {
    /// Invoice Summary Report.
    Summary(DealerQuery),
    /// Invoice Daily Report.
    Daily(DealerQuery),
    /// Invoice Detail Report.
    Detail(DetailQuery),
}

fn dealer_fields(d: &DealerQuery, at: &str, m: &mut Map<String, Value>) -> Result<()> {
    sap::required(&d.dealer_number, 10, &format!("{at}.dealer_number"))?;
    m.insert("DEALER_NUMBER".into(), d.dealer_number.clone().into());
    for (key, field, value) in [
        ("SALES_ORG", "sales_org", &d.sales_org),
        ("BRAND", "brand", &d.brand),
        ("DIVISION", "division", &d.division),
    ] {
        sap::optional(value, 10, &format!("{at}.{field}"))?;
        crate::partners::put_nonempty(m, key, value);
    }
    Ok(())
}

/// The report's path and request body. Dates are checked (`YYYY-MM-DD`, a range in order)
/// and sent as given; optional fields left blank are left out.
pub fn invoice_request(q: &InvoiceQuery) -> Result<(&'static str, Value)> {
    let mut m = Map::new();
    let path = match q {
        InvoiceQuery::Summary(s) => {
            dealer_fields(s, "summary", &mut m)?;
            if s.date.is_some() {
                return Err(Error::invalid(
                    "summary.date",
                    "the summary takes a range (`from`, `to`); `date` is the daily report's",
                ));
            }
            let from = sap::date(s.from.as_deref().unwrap_or_default(), "summary.from")?;
            let to = sap::date(s.to.as_deref().unwrap_or_default(), "summary.to")?;
            if to < from {
                return Err(Error::invalid(
                    "summary.to",
                    format!("the range ends ({to}) before it starts ({from})"),
                ));
            }
            m.insert("INVOICE_FROM_DATE".into(), from.into());
            m.insert("INVOICE_TO_DATE".into(), to.into());
            SUMMARY_PATH
        }
        InvoiceQuery::Daily(d) => {
            dealer_fields(d, "daily", &mut m)?;
            if let Some(field) = [("from", &d.from), ("to", &d.to)]
                .iter()
                .find_map(|(f, v)| v.as_ref().map(|_| *f))
            {
                return Err(Error::invalid(
                    format!("daily.{field}"),
                    "the daily report takes one `date`; a range is the summary's",
                ));
            }
            let date = sap::date(d.date.as_deref().unwrap_or_default(), "daily.date")?;
            m.insert("INVOICE_DATE".into(), date.into());
            DAILY_PATH
        }
        InvoiceQuery::Detail(d) => {
            sap::required(&d.company_code, 4, "detail.company_code")?;
            sap::required(&d.document, 10, "detail.document")?;
            if !(1900..=9999).contains(&d.year) {
                return Err(Error::invalid("detail.year", "a four-digit fiscal year"));
            }
            m.insert("COMPANY_CODE".into(), d.company_code.clone().into());
            m.insert("ACC_DOC_NBR".into(), d.document.clone().into());
            m.insert("ACC_DOC_YEAR".into(), d.year.into());
            DETAIL_PATH
        }
    };
    Ok((path, Value::Object(m)))
}

fn is_blank(s: &str) -> bool {
    s.is_empty()
}

/// One invoice row of an answer (a summary's `invoiceList` entry, a daily or detail report's
/// `invoiceHeader` or `invoiceDetail`), with the seed's SAP names translated. Blank fields
/// are left out of the JSON; amounts are exact decimal strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvoiceLine {
    /// `zzwtybbukrs`: company code / sales organization.
    #[serde(skip_serializing_if = "is_blank")]
    pub company_code: String,
    /// `zzwtybelnr`: the accounting document (invoice) number.
    #[serde(skip_serializing_if = "is_blank")]
    pub document: String,
    /// `zzwtygjahr`: fiscal year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<u64>,
    /// `pncnt`: the line counter within the document (detail lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u64>,
    /// `clmno`: CNH's claim number (detail lines).
    #[serde(skip_serializing_if = "is_blank")]
    pub claim_number: String,
    /// `zzclaimdealer`: the dealer's claim number.
    #[serde(skip_serializing_if = "is_blank")]
    pub dealer_claim_number: String,
    /// `clmty`: warranty claim type (e.g. `ZW03`).
    #[serde(skip_serializing_if = "is_blank")]
    pub claim_type: String,
    /// `relobext`: the serial / external object number.
    #[serde(skip_serializing_if = "is_blank")]
    pub serial: String,
    /// `budat`: posting date.
    #[serde(skip_serializing_if = "is_blank")]
    pub posting_date: String,
    /// `bldat`: document date.
    #[serde(skip_serializing_if = "is_blank")]
    pub document_date: String,
    /// `xblnr`: reference document.
    #[serde(skip_serializing_if = "is_blank")]
    pub reference: String,
    /// `waers`: ISO 4217 currency.
    #[serde(skip_serializing_if = "is_blank")]
    pub currency: String,
    /// `wrbtr`: the net amount (what reconciliation counts as paid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// `zvalmat`: parts (material) expense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<String>,
    /// `zvallav`: labour expense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labour: Option<String>,
    /// `zvalsubl`: sublet expense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sublet: Option<String>,
    /// `zwtiiva`: VAT amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat: Option<String>,
    /// `kursf`: exchange rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<String>,
    /// `rejcd`: CNH's decision code (e.g. `SRET_ADD`).
    #[serde(skip_serializing_if = "is_blank")]
    pub decision: String,
    /// `oldcn`: the preceding claim.
    #[serde(skip_serializing_if = "is_blank")]
    pub preceding_claim: String,
    /// `astate`: processing status (e.g. `Z080`).
    #[serde(skip_serializing_if = "is_blank")]
    pub status: String,
    /// `parnr`: partner code.
    #[serde(skip_serializing_if = "is_blank")]
    pub partner: String,
    /// `partx`: partner name.
    #[serde(skip_serializing_if = "is_blank")]
    pub partner_name: String,
    /// `zinvoicekey`: invoice key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_key: Option<u64>,
    /// `zzextclmno`: PPP external claim number.
    #[serde(skip_serializing_if = "is_blank")]
    pub external_claim_number: String,
}

fn line(x: &Value, at: &str) -> Result<InvoiceLine> {
    let t = |k: &str| sap::trimmed(x, k);
    let amount =
        |k: &str| -> Result<Option<String>> { Ok(sap::amount(x, k, at)?.map(|d| d.to_string())) };
    Ok(InvoiceLine {
        company_code: t("zzwtybbukrs"),
        document: t("zzwtybelnr"),
        fiscal_year: sap::whole(x, "zzwtygjahr", at)?,
        counter: sap::whole(x, "pncnt", at)?,
        claim_number: t("clmno"),
        dealer_claim_number: t("zzclaimdealer"),
        claim_type: t("clmty"),
        serial: t("relobext"),
        posting_date: t("budat"),
        document_date: t("bldat"),
        reference: t("xblnr"),
        currency: t("waers"),
        amount: amount("wrbtr")?,
        parts: amount("zvalmat")?,
        labour: amount("zvallav")?,
        sublet: amount("zvalsubl")?,
        vat: amount("zwtiiva")?,
        exchange_rate: amount("kursf")?,
        decision: t("rejcd"),
        preceding_claim: t("oldcn"),
        status: t("astate"),
        partner: t("parnr"),
        partner_name: t("partx"),
        invoice_key: sap::whole(x, "zinvoicekey", at)?,
        external_claim_number: t("zzextclmno"),
    })
}

/// One of `returnMessages`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnMessage {
    /// `Type`: `S` (success) or `E` (error).
    #[serde(rename = "type")]
    pub kind: String,
    /// `Message`.
    pub message: String,
    /// `Number`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub number: String,
}

/// The summary's `invoiceInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceInfo {
    /// `invoiceSelected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<u64>,
    /// `wrbtrTot`: the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// `waers`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub currency: String,
}

/// An invoice report's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceReport {
    /// `summary`, `daily` or `detail` (from the answer's root).
    pub report: &'static str,
    /// The summary's `dealerCode`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dealer_code: String,
    /// The summary's `salesOrg`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sales_org: String,
    /// The summary's `brand`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub brand: String,
    /// The summary's `division`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub division: String,
    /// The daily and detail reports' `invoiceHeader` rows (the invoices themselves).
    pub invoices: Vec<InvoiceLine>,
    /// The rows to reconcile: the summary's `invoiceList`, the daily and detail reports'
    /// `invoiceDetail`.
    pub lines: Vec<InvoiceLine>,
    /// `returnMessages`.
    pub messages: Vec<ReturnMessage>,
    /// Whether any message is of type `E`.
    pub error: bool,
    /// The summary's `invoiceInfo` rows.
    pub totals: Vec<InvoiceInfo>,
}

/// Reads an invoice report's answer; which report it is comes from its root
/// (`ZcnWtDmsInvoiceSummaryResponse.Summary`, `ZcnWtDmsInvoiceDlyReportResponse.Dailyreport`,
/// `ZcnWtDmsInvoiceDetailResponse.detail`). Unknown fields are ignored; a table may be one
/// object or an array; an amount that is not exact is an error at its path.
pub fn read_invoice_answer(body: &str) -> Result<InvoiceReport> {
    let v = sap::parse(body)?;
    let roots = [
        ("ZcnWtDmsInvoiceSummaryResponse", "Summary", "summary"),
        ("ZcnWtDmsInvoiceDlyReportResponse", "Dailyreport", "daily"),
        ("ZcnWtDmsInvoiceDetailResponse", "detail", "detail"),
    ];
    let Some((root, inner, report)) = roots.iter().find(|(r, _, _)| v.get(*r).is_some()) else {
        return Err(Error::invalid(
            "body",
            "expected an invoice report answer (ZcnWtDmsInvoiceSummaryResponse, \
             ZcnWtDmsInvoiceDlyReportResponse or ZcnWtDmsInvoiceDetailResponse)",
        ));
    };
    let at = format!("body.{root}");
    let top = sap::object(&v, root, "body")?;
    let mut out = InvoiceReport {
        report,
        dealer_code: String::new(),
        sales_org: String::new(),
        brand: String::new(),
        division: String::new(),
        invoices: Vec::new(),
        lines: Vec::new(),
        messages: Vec::new(),
        error: false,
        totals: Vec::new(),
    };
    for (path, part) in sap::rows(top.get(*inner), &format!("{at}.{inner}"))? {
        if *report == "summary" {
            for (field, key) in [
                (&mut out.dealer_code, "dealerCode"),
                (&mut out.sales_org, "salesOrg"),
                (&mut out.brand, "brand"),
                (&mut out.division, "division"),
            ] {
                if field.is_empty() {
                    *field = sap::trimmed(part, key);
                }
            }
            for (p, x) in sap::rows(part.get("invoiceList"), &format!("{path}.invoiceList"))? {
                out.lines.push(line(x, &p)?);
            }
            for (p, x) in sap::rows(part.get("invoiceInfo"), &format!("{path}.invoiceInfo"))? {
                out.totals.push(InvoiceInfo {
                    selected: sap::whole(x, "invoiceSelected", &p)?,
                    total: sap::amount(x, "wrbtrTot", &p)?.map(|d| d.to_string()),
                    currency: sap::trimmed(x, "waers"),
                });
            }
        } else {
            for (p, x) in sap::rows(part.get("invoiceHeader"), &format!("{path}.invoiceHeader"))? {
                out.invoices.push(line(x, &p)?);
            }
            for (p, x) in sap::rows(part.get("invoiceDetail"), &format!("{path}.invoiceDetail"))? {
                out.lines.push(line(x, &p)?);
            }
        }
        for (_, x) in sap::rows(
            part.get("returnMessages"),
            &format!("{path}.returnMessages"),
        )? {
            out.messages.push(ReturnMessage {
                kind: sap::trimmed(x, "Type"),
                message: sap::trimmed(x, "Message"),
                number: sap::trimmed(x, "Number"),
            });
        }
    }
    out.error = out.messages.iter().any(|m| m.kind == "E");
    Ok(out)
}

/// How a claim's payments compare with what was claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidOutcome {
    /// Paid exactly what was claimed.
    Exact,
    /// Paid more than claimed.
    Over,
    /// Paid less than claimed (a negative net included).
    Under,
    /// Paid, but the claim gives no claimed amount to compare with.
    Unclaimed,
}

/// A claim the invoice lines matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedClaim {
    /// The claim's id.
    pub claim: String,
    /// The indexes (in `lines`) of the lines counted.
    pub lines: Vec<usize>,
    /// The currency compared in.
    pub currency: String,
    /// What the claim says was claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<String>,
    /// The sum of the lines' net amounts.
    pub paid: String,
    /// `paid − claimed`, when there is a claimed amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
    /// How they compare.
    pub outcome: PaidOutcome,
}

/// A line counted for no claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmatchedLine {
    /// Its index in `lines`.
    pub line: usize,
    /// Why: `no_claim` (no claim has its claim number), `currency` (its claim is in another
    /// currency) or `duplicate` (the same document line was already counted).
    pub reason: &'static str,
    /// The claim it names, for `currency` and `duplicate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// Its currency.
    pub currency: String,
    /// Its net amount.
    pub amount: String,
}

/// Paid money per currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaidTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Lines counted for a claim, summed.
    pub matched: String,
    /// Lines counted for no claim (duplicates excluded), summed.
    pub unmatched: String,
}

/// The reconciliation's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// The claims as given, `reimbursed` set to the sum of their lines where lines matched
    /// (and the sum is not negative): ready for `claims_report`.
    pub claims: Vec<ClaimSummary>,
    /// The claims lines matched, in the claims' order.
    pub matched: Vec<MatchedClaim>,
    /// The lines counted for no claim, in the lines' order.
    pub unmatched: Vec<UnmatchedLine>,
    /// The claims no line matched, by id.
    pub not_invoiced: Vec<String>,
    /// Money per currency.
    pub totals: Vec<PaidTotal>,
}

fn at_most_one_claim<'a>(
    claims: &'a [ClaimSummary],
    key: impl Fn(&'a ClaimSummary) -> Option<&'a str>,
    field: &str,
) -> Result<BTreeMap<&'a str, usize>> {
    let mut seen = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        if let Some(k) = key(c).filter(|k| !k.trim().is_empty()) {
            if seen.insert(k, i).is_some() {
                return Err(Error::invalid(
                    format!("claims[{i}].{field}"),
                    format!("`{k}` is given for two claims"),
                ));
            }
        }
    }
    Ok(seen)
}

/// Matches invoice lines with claims. A line belongs to the claim whose
/// `partner_claim_number` is its `claim_number` (CNH's number) or, failing that, whose `id`
/// is its `dealer_claim_number`. A line is counted once per document line (company code,
/// document, fiscal year, counter and claim numbers: the same line in two reports is a
/// `duplicate`), and only in its claim's currency (a claim without a currency takes its
/// first line's). Every amount is exact.
pub fn reconcile(claims: &[ClaimSummary], lines: &[InvoiceLine]) -> Result<Reconciliation> {
    let by_id = at_most_one_claim(claims, |c| Some(c.id.as_str()), "id")?;
    let by_partner = at_most_one_claim(
        claims,
        |c| c.partner_claim_number.as_deref(),
        "partner_claim_number",
    )?;
    let mut amounts = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let Some(a) = &l.amount else {
            return Err(Error::invalid(
                format!("lines[{i}].amount"),
                "a line without its net amount cannot be reconciled",
            ));
        };
        let d = sap::parse_amount(a).ok_or_else(|| {
            Error::invalid(
                format!("lines[{i}].amount"),
                format!("`{a}` is not an amount"),
            )
        })?;
        if l.currency.trim().is_empty() {
            return Err(Error::invalid(
                format!("lines[{i}].currency"),
                "a line without its currency cannot be reconciled",
            ));
        }
        amounts.push(d);
    }
    let mut currency: Vec<Option<String>> = claims.iter().map(|c| c.currency.clone()).collect();
    let mut paid: Vec<Option<Decimal>> = vec![None; claims.len()];
    let mut counted: Vec<Vec<usize>> = vec![Vec::new(); claims.len()];
    let mut unmatched = Vec::new();
    let mut seen = BTreeSet::new();
    let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for (i, (l, amount)) in lines.iter().zip(&amounts).enumerate() {
        // Every sum is checked: one past Decimal's range is an error at the line that
        // overflowed it.
        let add = |sum: &mut Decimal, what: &str| -> Result<()> {
            *sum = sum.checked_add(*amount).ok_or_else(|| {
                Error::invalid(
                    format!("lines[{i}].amount"),
                    format!("the {what} is out of range (beyond ±79228162514264337593543950335)"),
                )
            })?;
            Ok(())
        };
        let owner = by_partner
            .get(l.claim_number.as_str())
            .or_else(|| by_id.get(l.dealer_claim_number.as_str()))
            .copied()
            .filter(|_| !(l.claim_number.is_empty() && l.dealer_claim_number.is_empty()));
        let miss = |reason, claim: Option<&ClaimSummary>| UnmatchedLine {
            line: i,
            reason,
            claim: claim.map(|c| c.id.clone()),
            currency: l.currency.clone(),
            amount: amount.to_string(),
        };
        let key = (
            l.company_code.as_str(),
            l.document.as_str(),
            l.fiscal_year,
            l.counter,
            l.claim_number.as_str(),
            l.dealer_claim_number.as_str(),
        );
        let claim = owner.and_then(|k| claims.get(k).map(|c| (k, c)));
        if !seen.insert(key) {
            unmatched.push(miss("duplicate", claim.map(|(_, c)| c)));
            continue;
        }
        let slot = totals.entry(l.currency.clone()).or_default();
        let Some((k, c)) = claim else {
            add(&mut slot.1, &format!("{} unmatched total", l.currency))?;
            unmatched.push(miss("no_claim", None));
            continue;
        };
        let cur = currency
            .get_mut(k)
            .ok_or_else(|| Error::invalid("claims", "index"))?;
        if cur.get_or_insert_with(|| l.currency.clone()) != &l.currency {
            add(&mut slot.1, &format!("{} unmatched total", l.currency))?;
            unmatched.push(miss("currency", Some(c)));
            continue;
        }
        if let (Some(p), Some(n)) = (paid.get_mut(k), counted.get_mut(k)) {
            add(
                p.get_or_insert(Decimal::ZERO),
                &format!("sum paid on claim `{}`", c.id),
            )?;
            n.push(i);
        }
        add(&mut slot.0, &format!("{} matched total", l.currency))?;
    }
    let mut out_claims = claims.to_vec();
    let mut matched = Vec::new();
    let mut not_invoiced = Vec::new();
    for (k, c) in out_claims.iter_mut().enumerate() {
        let (Some(Some(p)), Some(n)) = (paid.get(k), counted.get(k)) else {
            not_invoiced.push(c.id.clone());
            continue;
        };
        let claimed = c.claimed.map(|d| d.0);
        let outcome = match claimed {
            None => PaidOutcome::Unclaimed,
            Some(cl) if *p == cl => PaidOutcome::Exact,
            Some(cl) if *p > cl => PaidOutcome::Over,
            Some(_) => PaidOutcome::Under,
        };
        if !p.is_sign_negative() || p.is_zero() {
            c.reimbursed = Some(Dec(p.abs()));
        }
        let difference = match claimed {
            None => None,
            Some(cl) => Some(
                p.checked_sub(cl)
                    .ok_or_else(|| {
                        Error::invalid(
                            format!("claims[{k}].claimed"),
                            "the difference between paid and claimed is out of range",
                        )
                    })?
                    .to_string(),
            ),
        };
        let cur = currency.get(k).cloned().flatten().unwrap_or_default();
        if c.currency.is_none() {
            c.currency = Some(cur.clone());
        }
        matched.push(MatchedClaim {
            claim: c.id.clone(),
            lines: n.clone(),
            currency: cur,
            claimed: claimed.map(|d| d.to_string()),
            paid: p.to_string(),
            difference,
            outcome,
        });
    }
    Ok(Reconciliation {
        claims: out_claims,
        matched,
        unmatched,
        not_invoiced,
        totals: totals
            .into_iter()
            .map(|(currency, (m, u))| PaidTotal {
                currency,
                matched: m.to_string(),
                unmatched: u.to_string(),
            })
            .collect(),
    })
}
