//! CRM.COM adapter, the other direction from the policy import (`crate::partners::crm_com`): the
//! `warranty_policies/get_installed_item_coverage` response built from our coverage decision,
//! in the shape of the seed's example (dates as CRM.COM writes them).

use chrono::{Datelike, Timelike};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::Result;
use crate::time::{Calendar, Instant};
use crate::warranty::coverage::{
    check_coverage, CoverageDecision, CoverageQuery, Outcome, WarrantyRecord,
};
use crate::warranty::policy::{Dec, Policy, State};

/// One installed item a host asks CRM.COM's coverage question about (the
/// `crm_installed_item_coverage` operation's `items[]`).
#[derive(Clone, Debug, Deserialize)]
// The name serde's messages use ("expected struct CrmItem"), as before the type moved here.
#[serde(deny_unknown_fields, rename = "CrmItem", expecting = "struct CrmItem")]
pub struct InstalledItem {
    /// The host's installed-item object, passed through to the response.
    pub installed_item: Value,
    /// The policy that covers it.
    pub policy: Policy,
    /// Its warranty (start, end).
    pub warranty: WarrantyRecord,
    /// When the stock-out transaction was issued (default: the warranty's start).
    #[serde(default)]
    pub issued_at: Option<Instant>,
    /// The failure reason asked about, if any.
    #[serde(default)]
    pub reason: Option<String>,
    /// The usage reading, if any.
    #[serde(default)]
    pub usage: Option<Dec>,
}

/// Checks each item's coverage at `as_of` and builds the response. Errors are placed at
/// `items[i]…`; the first one stops the answer.
pub fn installed_items_coverage(
    items: &[InstalledItem],
    as_of: Instant,
    cal: Calendar,
) -> Result<Value> {
    let mut decisions = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("items[{i}]");
        item.policy
            .validate()
            .map_err(|e| e.within(&format!("{at}.policy")))?;
        let d = check_coverage(&CoverageQuery {
            policy: &item.policy,
            warranty: &item.warranty,
            as_of,
            reason: item.reason.as_deref(),
            usage: item.usage,
            calendar: cal,
        })
        .map_err(|e| e.within(&at))?;
        decisions.push(d);
    }
    let entries: Vec<_> = items
        .iter()
        .zip(&decisions)
        .map(|(item, decision)| InstalledItemCoverage {
            installed_item: &item.installed_item,
            policy: &item.policy,
            issued_at: item.issued_at.unwrap_or(item.warranty.start),
            decision,
            reason_given: item.reason.is_some(),
        })
        .collect();
    Ok(installed_item_coverage_response(&entries, cal))
}

/// One installed item's entry of the response.
#[derive(Clone, Debug)]
pub struct InstalledItemCoverage<'a> {
    /// The host's installed-item object (id, serial_number, product, …), passed through.
    pub installed_item: &'a Value,
    /// The policy that covers it.
    pub policy: &'a Policy,
    /// When the stock-out transaction for its sale was issued.
    pub issued_at: Instant,
    /// Our coverage decision for it.
    pub decision: &'a CoverageDecision,
    /// Whether a coverage reason was part of the check (CRM.COM's `coverage` is null
    /// otherwise).
    pub reason_given: bool,
}

/// `2016-03-02 17:31:06.0`, in the calendar. (Dates here are written by hand: chrono's
/// strftime formatter would cost the WASM module 9 KB.)
fn crm_datetime(t: Instant, cal: Calendar) -> String {
    let l = cal.local(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.0",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    )
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Wed Jul 20 17:31:06 EEST 2016` (Java's `Date.toString`), in the calendar; a fixed
/// offset calendar writes the offset (`+03:00`) where a zone writes its abbreviation.
fn java_date(t: Instant, cal: Calendar) -> String {
    let l = cal.local(t);
    let zone = match cal {
        Calendar::Zone(tz) => tz.abbreviation_at_utc(&t.0.naive_utc()),
        Calendar::Fixed(_) => {
            let secs = cal.offset_at(t).local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let a = secs.unsigned_abs();
            format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
        }
    };
    let name = |names: &[&'static str], i: u32| {
        names
            .get(usize::try_from(i).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or("?")
    };
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {zone} {:04}",
        name(&WEEKDAYS, l.weekday().num_days_from_monday()),
        name(&MONTHS, l.month0()),
        l.day(),
        l.hour(),
        l.minute(),
        l.second(),
        l.year()
    )
}

/// The whole response (`status` OK, `data` one entry per item).
pub fn installed_item_coverage_response(
    items: &[InstalledItemCoverage<'_>],
    cal: Calendar,
) -> Value {
    let data: Vec<Value> = items
        .iter()
        .map(|i| {
            let p = i.policy;
            let covered = match i.decision.outcome {
                Outcome::Covered => Value::from(1),
                Outcome::NotCovered => Value::from(0),
                Outcome::NeedsReview => Value::Null,
            };
            json!({
                "warehouse_issue_date": crm_datetime(i.issued_at, cal),
                "warranty_policy": {
                    "life_cycle_state": match p.state { State::Effective => "EFFECTIVE", State::NotEffective => "NOT EFFECTIVE" },
                    "number": p.number,
                    "id": p.id,
                    "name": p.name,
                    "alternative_code": p.alternative_code,
                },
                "installed_item": i.installed_item,
                "coverage": if i.reason_given { covered } else { Value::Null },
                "warranty_expiration_date": java_date(i.decision.end, cal),
                "warranty_remaining_coverage_period": i.decision.remaining_days,
            })
        })
        .collect();
    json!({"status": {"message": "", "description": "", "code": "OK"}, "data": data})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Duration, Unit, Zone};
    use crate::warranty::coverage::{check_coverage, CoverageQuery, WarrantyRecord};

    #[test]
    fn the_seed_example_is_reproduced() {
        let seed: Value = serde_json::from_str(r#"{"status":{"message":"","description":"","code":"OK"},"data":[{
          "warehouse_issue_date": "2016-03-02 17:31:06.0",
          "warranty_policy": {"life_cycle_state": "EFFECTIVE", "number": "2", "id": "4B417948ADB44DFEAF735184B941D481", "name": "Policy1", "alternative_code": "p1"},
          "installed_item": {"state": "EFFECTIVE", "serial_number": "Smartcard2_001", "id": "791DF73677384DC8A00D8384F5FF85FF", "alternative_code": "Smartcard2_001",
            "product": {"id": "80EEE8F6F46767AE32E6ABE68603E9F2", "name": null, "description": "SmartCards 2", "code": "Smartcard 2", "alternative_code": "SC2"}},
          "coverage": null,
          "warranty_expiration_date": "Wed Jul 20 17:31:06 EEST 2016",
          "warranty_remaining_coverage_period": 140}]}"#).unwrap();
        let mut policy = Policy::new(
            "4B417948ADB44DFEAF735184B941D481",
            Duration {
                value: 140,
                unit: Unit::Days,
            },
        );
        policy.number = "2".into();
        policy.name = Some("Policy1".into());
        policy.alternative_code = Some("p1".into());
        let cal = Calendar::Zone("Europe/Nicosia".parse::<Zone>().unwrap().0);
        let sold = Instant::parse("2016-03-02T17:31:06+02:00").unwrap();
        let warranty = WarrantyRecord::starting(sold);
        let decision = check_coverage(&CoverageQuery {
            policy: &policy,
            warranty: &warranty,
            as_of: sold,
            reason: None,
            usage: None,
            calendar: cal,
        })
        .unwrap();
        let item = &seed["data"][0]["installed_item"];
        let out = installed_item_coverage_response(
            &[InstalledItemCoverage {
                installed_item: item,
                policy: &policy,
                issued_at: sold,
                decision: &decision,
                reason_given: false,
            }],
            cal,
        );
        assert_eq!(out, seed);
    }

    proptest::proptest! {
        /// The hand-written dates are chrono's strftime output.
        #[test]
        fn dates_are_what_chrono_writes(secs in -2_000_000_000i64..7_000_000_000, z in 0usize..4) {
            let zone = ["Europe/Nicosia", "America/New_York", "Asia/Kolkata", "UTC"][z];
            let cal = Calendar::Zone(zone.parse::<Zone>().unwrap().0);
            let t = Instant(chrono::DateTime::from_timestamp(secs, 0).unwrap().fixed_offset());
            let l = cal.local(t);
            proptest::prop_assert_eq!(crm_datetime(t, cal), l.format("%Y-%m-%d %H:%M:%S.0").to_string());
            let Calendar::Zone(tz) = cal else { unreachable!() };
            proptest::prop_assert_eq!(
                java_date(t, cal),
                format!("{} {} {}", l.format("%a %b %d %H:%M:%S"), tz.abbreviation_at_utc(&t.0.naive_utc()), l.format("%Y"))
            );
            let fixed = Calendar::Fixed(chrono::FixedOffset::east_opt(-(3 * 3600 + 1800)).unwrap());
            proptest::prop_assert_eq!(
                java_date(t, fixed),
                t.0.with_timezone(&chrono::FixedOffset::east_opt(-(3 * 3600 + 1800)).unwrap())
                    .format("%a %b %d %H:%M:%S %:z %Y").to_string()
            );
        }
    }
}
