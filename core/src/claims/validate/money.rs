//! Rule 6: the lines' categories, quantities, currencies and amounts, and the per-currency totals.

use super::*;

pub(super) fn money(c: &Claim, r: &mut Report) -> Vec<CurrencyTotal> {
    let mut first_currency: Option<&str> = None;
    // Per currency (valid codes only: at most the 183 of ISO 4217), in the order first met;
    // sorted by code at the end.
    let mut sums: Vec<(String, Option<Decimal>)> = Vec::new();
    let mut all_valid = true;
    for (i, l) in c.lines.iter().enumerate() {
        let p = |f: &str| format!("claim.lines[{i}].{f}");
        if !blank(&l.category)
            && !["parts", "labour", "sublet", "other"].contains(&l.category.as_str())
        {
            r.error(
                RuleCode::LineCategoryUnknown,
                p("category"),
                format!(
                    "`{}` is not a line category (parts, labour, sublet, other)",
                    l.category
                ),
                &[("category", l.category.clone())],
            );
        }
        if !blank(&l.quantity) {
            match parse_decimal(&l.quantity) {
                None => r.error(
                    RuleCode::QuantityInvalid,
                    p("quantity"),
                    format!("`{}` is not a decimal number", l.quantity),
                    &[("value", l.quantity.clone())],
                ),
                Some(q) if q <= Decimal::ZERO => r.error(
                    RuleCode::QuantityNotPositive,
                    p("quantity"),
                    format!("The quantity must be above 0, not {}", l.quantity),
                    &[("quantity", l.quantity.clone())],
                ),
                Some(_) => {}
            }
        }
        let units = if blank(&l.currency) {
            None
        } else {
            match minor_units(&l.currency) {
                None => {
                    r.error(
                        RuleCode::CurrencyUnknown,
                        p("currency"),
                        format!("`{}` is not an ISO 4217 currency code", l.currency),
                        &[("currency", l.currency.clone())],
                    );
                    None
                }
                Some(u) => {
                    match first_currency {
                        None => first_currency = Some(&l.currency),
                        Some(f) if f != l.currency => r.error(
                            RuleCode::CurrencyMixed,
                            p("currency"),
                            format!(
                                "A claim has one currency: this line is in {}, the first in {f}",
                                l.currency
                            ),
                            &[
                                ("currency", l.currency.clone()),
                                ("claim_currency", f.to_string()),
                            ],
                        ),
                        Some(_) => {}
                    }
                    Some(u)
                }
            }
        };
        let amount = if blank(&l.amount) {
            None
        } else {
            match parse_decimal(&l.amount) {
                None => {
                    r.error(
                        RuleCode::AmountInvalid,
                        p("amount"),
                        format!("`{}` is not a decimal amount", l.amount),
                        &[("value", l.amount.clone())],
                    );
                    None
                }
                Some(a) if a < Decimal::ZERO => {
                    r.error(
                        RuleCode::AmountNegative,
                        p("amount"),
                        format!("The amount {} is below 0", l.amount),
                        &[("amount", l.amount.clone())],
                    );
                    None
                }
                Some(a) => {
                    if let Some(u) = units {
                        if a.normalize().scale() > u {
                            r.error(
                                RuleCode::AmountPrecision,
                                p("amount"),
                                format!(
                                    "{} {} has more decimals than the currency's {u}",
                                    l.amount, l.currency
                                ),
                                &[("amount", l.amount.clone()), ("minor_units", u.to_string())],
                            );
                        }
                    }
                    Some(a)
                }
            }
        };
        match (amount, units) {
            (Some(a), Some(_)) => {
                if let Some(slot) =
                    crate::order::entry(&mut sums, &l.currency, || Some(Decimal::ZERO))
                {
                    *slot = slot.and_then(|s| s.checked_add(a));
                    if slot.is_none() {
                        all_valid = false;
                    }
                }
            }
            _ => all_valid = false,
        }
    }
    if sums.iter().any(|(_, s)| s.is_none()) {
        r.error(
            RuleCode::AmountOverflow,
            "claim.lines",
            "The line amounts add up to more than can be represented",
            &[],
        );
    }
    if !blank(&c.total) {
        match parse_decimal(&c.total) {
            None => r.error(
                RuleCode::AmountInvalid,
                "claim.total",
                format!("`{}` is not a decimal amount", c.total),
                &[("value", c.total.clone())],
            ),
            Some(t) => {
                // Only comparable when every line has a valid amount in one currency.
                if all_valid && sums.len() == 1 {
                    if let Some((_, Some(sum))) = sums.first() {
                        if *sum != t {
                            r.error(
                                RuleCode::TotalMismatch,
                                "claim.total",
                                format!(
                                    "The declared total {} differs from the sum of the lines {sum}",
                                    c.total
                                ),
                                &[("declared", c.total.clone()), ("computed", sum.to_string())],
                            );
                        }
                    }
                }
            }
        }
    }
    crate::order::sort_by(&mut sums, |a, b| a.0.cmp(&b.0));
    sums.into_iter()
        .filter_map(|(currency, sum)| {
            sum.map(|s| CurrencyTotal {
                currency,
                claimed: s.to_string(),
            })
        })
        .collect()
}
