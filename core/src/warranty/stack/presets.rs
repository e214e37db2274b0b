//! Statutory guarantee presets: the seller's legal guarantee as versioned data rows, each
//! with its legal reference and the sale date from which it applies (docs/stacks.md has the
//! table). Hosts replace a jurisdiction's rows with their own (`presets` in a request).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::{Duration, ParsedStr, Unit};

/// The version of the built-in table: the date its rows were last reviewed.
pub const PRESETS_VERSION: &str = "2026-12-06";

/// What a preset row says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The seller is liable for a lack of conformity that becomes apparent within `duration`
    /// of delivery.
    Period,
    /// No fixed liability period (conformity is judged on the goods' expected life); claims
    /// are barred after `duration` (a limitation period) when one is given.
    OpenPeriod,
    /// Within `duration` of delivery a lack of conformity is presumed to have existed at
    /// delivery: the consumer need not prove it.
    Burden,
    /// Second-hand goods: the burden period when it differs.
    SecondHandBurden,
    /// Second-hand goods: the parties may agree a shorter period, not below `duration`.
    SecondHandFloor,
    /// A repair extends the period (from its end) by `duration`, for at most `max_repairs`
    /// repairs (absent: every repair); with `condition: consumer_chose_repair`, only repairs
    /// the consumer chose count.
    RepairExtension,
    /// A replacement starts a new period (and burden) from the replacement's handover; with
    /// `condition: instead_of_repair`, only one made instead of the repair the consumer chose.
    ReplacementRestart,
    /// Claims do not lapse before `duration` after repaired or replaced goods are handed back;
    /// with `condition: after_repair`, after repairs only.
    ReturnedGrace,
    /// The period does not run while the goods are with the seller for a repair (from the
    /// repair's `at` to its `returned_at`): its end moves later by that time.
    RepairSuspension,
}

/// Which remedies a row counts, where the law names some of them only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// `repair_extension`: only repairs the consumer chose (a repair with
    /// `instead_of_replacement: true` does not count).
    ConsumerChoseRepair,
    /// `replacement_restart`: only replacements with `instead_of_repair: true`.
    InsteadOfRepair,
    /// `returned_grace`: only after repairs.
    AfterRepair,
}

impl Condition {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Condition::ConsumerChoseRepair => "consumer_chose_repair",
            Condition::InsteadOfRepair => "instead_of_repair",
            Condition::AfterRepair => "after_repair",
        }
    }

    /// The one rule this condition belongs to.
    pub fn rule(self) -> Rule {
        match self {
            Condition::ConsumerChoseRepair => Rule::RepairExtension,
            Condition::InsteadOfRepair => Rule::ReplacementRestart,
            Condition::AfterRepair => Rule::ReturnedGrace,
        }
    }
}

/// A calendar date `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn day(s: &str) -> Result<Day, String> {
            crate::time::parse_date(s)
                .map(Day)
                .ok_or_else(|| format!("`{s}` is not a calendar date YYYY-MM-DD"))
        }
        d.deserialize_str(ParsedStr(day, "a date YYYY-MM-DD"))
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written by hand: chrono's strftime cost the rules WASM module 11 KB gzip'd for this one
        // format (docs/decisions.md).
        use chrono::Datelike as _;
        let d = self.0;
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            d.year(),
            d.month(),
            d.day()
        ))
    }
}

/// One row of the statutory table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetRow {
    /// `EU`, an ISO 3166 country code, or a host's own name.
    pub jurisdiction: String,
    /// What the row says.
    pub rule: Rule,
    /// The row's length, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    /// `repair_extension`: how many repairs extend the period (absent: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_repairs: Option<u32>,
    /// Which remedies the row counts (absent: every one its rule names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// The row applies to goods sold on or after this date.
    pub from: Day,
    /// The row applies to goods sold before this date, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Day>,
    /// The legal reference.
    pub reference: String,
}

impl PresetRow {
    /// Whether the row applies to goods sold on `sold`.
    pub fn applies(&self, sold: NaiveDate) -> bool {
        self.from.0 <= sold && self.until.is_none_or(|u| sold < u.0)
    }

    /// Checks what serde cannot: the rule has the fields it needs. Paths relative to the row.
    pub fn validate(&self) -> crate::error::Result<()> {
        use crate::error::Error;
        let no_duration = matches!(self.rule, Rule::ReplacementRestart | Rule::RepairSuspension);
        if no_duration && self.duration.is_some() {
            return Err(Error::invalid(
                "duration",
                format!("a `{}` row has no duration", rule_name(self.rule)),
            ));
        }
        if !no_duration && self.rule != Rule::OpenPeriod && self.duration.is_none() {
            return Err(Error::invalid(
                "duration",
                format!("a `{}` row needs a duration", rule_name(self.rule)),
            ));
        }
        if let Some(c) = self.condition {
            if c.rule() != self.rule {
                return Err(Error::invalid(
                    "condition",
                    format!(
                        "`{}` is a condition of `{}` rows only",
                        c.name(),
                        rule_name(c.rule())
                    ),
                ));
            }
        }
        if self.max_repairs.is_some() && self.rule != Rule::RepairExtension {
            return Err(Error::invalid(
                "max_repairs",
                "only a `repair_extension` row has max_repairs",
            ));
        }
        if self.until.is_some_and(|u| u.0 <= self.from.0) {
            return Err(Error::invalid("until", "`until` must be after `from`"));
        }
        if self.jurisdiction.is_empty() {
            return Err(Error::invalid("jurisdiction", "the jurisdiction is empty"));
        }
        Ok(())
    }
}

/// The wire name of a rule.
pub fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::Period => "period",
        Rule::OpenPeriod => "open_period",
        Rule::Burden => "burden",
        Rule::SecondHandBurden => "second_hand_burden",
        Rule::SecondHandFloor => "second_hand_floor",
        Rule::RepairExtension => "repair_extension",
        Rule::ReplacementRestart => "replacement_restart",
        Rule::ReturnedGrace => "returned_grace",
        Rule::RepairSuspension => "repair_suspension",
    }
}

/// The name people read for a jurisdiction code (`PT` → `Portugal`); the code otherwise.
pub fn jurisdiction_name(code: &str) -> &str {
    match code {
        "EU" => "EU",
        "ES" => "Spain",
        "PT" => "Portugal",
        "FR" => "France",
        "DE" => "Germany",
        "SE" => "Sweden",
        "UK" => "United Kingdom",
        "NL" => "Netherlands",
        other => other,
    }
}

const EU_DIRECTIVE_FROM: (i32, u32, u32) = (2022, 1, 1);
const RIGHT_TO_REPAIR_FROM: (i32, u32, u32) = (2026, 7, 31);
const ART_10_2A: &str =
    "Directive (EU) 2019/771, Art. 10(2a), inserted by Directive (EU) 2024/1799 (right to repair)";

/// One built-in row: jurisdiction, rule, duration, max_repairs, condition, from, reference.
type RawRow = (
    &'static str,
    Rule,
    Option<(u32, Unit)>,
    Option<u32>,
    Option<Condition>,
    (i32, u32, u32),
    &'static str,
);

use Condition::{AfterRepair, ConsumerChoseRepair, InsteadOfRepair};

/// The built-in rows (docs/stacks.md says, row by row, which text each comes from). EU member
/// states' tables repeat the Art. 10(2a) row: the directive's minimum binds every member state
/// for goods sold from 31 July 2026.
#[rustfmt::skip]
const RAW: &[RawRow] = &[
    ("EU", Rule::Period, Some((2, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Directive (EU) 2019/771, Art. 10(1)"),
    ("EU", Rule::Burden, Some((1, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Directive (EU) 2019/771, Art. 11(1)"),
    ("EU", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("ES", Rule::Period, Some((3, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Real Decreto Legislativo 1/2007 (TRLGDCU), art. 120.1, as amended by Real Decreto-ley 7/2021"),
    ("ES", Rule::Burden, Some((2, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "TRLGDCU, art. 121"),
    ("ES", Rule::SecondHandFloor, Some((1, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "TRLGDCU, art. 120.1, second paragraph"),
    ("ES", Rule::RepairSuspension, None, None, None, EU_DIRECTIVE_FROM, "TRLGDCU, art. 119 ter (the repair suspends the period)"),
    ("ES", Rule::ReturnedGrace, Some((1, Unit::Years)), None, Some(AfterRepair), EU_DIRECTIVE_FROM, "TRLGDCU, art. 119 ter (one year for the defect that was repaired)"),
    ("ES", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("PT", Rule::Period, Some((3, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Decreto-Lei n.º 84/2021, art. 12.º, n.º 1"),
    ("PT", Rule::Burden, Some((2, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Decreto-Lei n.º 84/2021, art. 13.º, n.º 1"),
    ("PT", Rule::SecondHandFloor, Some((18, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "Decreto-Lei n.º 84/2021, art. 12.º (used goods: 18 months by agreement)"),
    ("PT", Rule::RepairExtension, Some((6, Unit::Months)), Some(4), Some(ConsumerChoseRepair), EU_DIRECTIVE_FROM, "Decreto-Lei n.º 84/2021, art. 18.º, n.º 4"),
    ("PT", Rule::ReplacementRestart, None, None, None, EU_DIRECTIVE_FROM, "Decreto-Lei n.º 84/2021, art. 18.º (the substitute goods)"),
    ("PT", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("FR", Rule::Period, Some((2, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "Code de la consommation, art. L217-3"),
    ("FR", Rule::Burden, Some((24, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "Code de la consommation, art. L217-7"),
    ("FR", Rule::SecondHandBurden, Some((12, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "Code de la consommation, art. L217-7"),
    ("FR", Rule::RepairExtension, Some((6, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "Code de la consommation, art. L217-13, first paragraph"),
    ("FR", Rule::ReplacementRestart, None, None, Some(InsteadOfRepair), EU_DIRECTIVE_FROM, "Code de la consommation, art. L217-13, second paragraph"),
    ("FR", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("DE", Rule::Period, Some((2, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "BGB § 438(1) Nr. 3"),
    ("DE", Rule::Burden, Some((1, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "BGB § 477(1)"),
    ("DE", Rule::SecondHandFloor, Some((1, Unit::Years)), None, None, EU_DIRECTIVE_FROM, "BGB § 476(2)"),
    ("DE", Rule::ReturnedGrace, Some((2, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "BGB § 475e(4)"),
    ("DE", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("SE", Rule::Period, Some((3, Unit::Years)), None, None, (2022, 5, 1), "Konsumentköplag (2022:260): complaint within three years of receipt"),
    ("SE", Rule::Burden, Some((2, Unit::Years)), None, None, (2022, 5, 1), "Konsumentköplag (2022:260): defect within two years presumed at delivery"),
    ("SE", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
    ("UK", Rule::OpenPeriod, Some((6, Unit::Years)), None, None, (2015, 10, 1), "Consumer Rights Act 2015, ss. 9-10 and 19; Limitation Act 1980, s. 5 (England and Wales)"),
    ("UK", Rule::Burden, Some((6, Unit::Months)), None, None, (2015, 10, 1), "Consumer Rights Act 2015, s. 19(14)-(15)"),
    ("NL", Rule::OpenPeriod, None, None, None, EU_DIRECTIVE_FROM, "Burgerlijk Wetboek, art. 7:17"),
    ("NL", Rule::Burden, Some((12, Unit::Months)), None, None, EU_DIRECTIVE_FROM, "Burgerlijk Wetboek, art. 7:18(2)"),
    ("NL", Rule::RepairExtension, Some((12, Unit::Months)), Some(1), Some(ConsumerChoseRepair), RIGHT_TO_REPAIR_FROM, ART_10_2A),
];

fn date((y, m, d): (i32, u32, u32)) -> Day {
    Day(NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN))
}

/// The built-in statutory table.
pub fn builtin() -> &'static [PresetRow] {
    static ROWS: OnceLock<Vec<PresetRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        RAW.iter()
            .map(|&(j, rule, d, max, condition, from, reference)| PresetRow {
                jurisdiction: j.to_string(),
                rule,
                duration: d.map(|(v, u)| Duration::new(v, u)),
                max_repairs: max,
                condition,
                from: date(from),
                until: None,
                reference: reference.to_string(),
            })
            .collect()
    })
}

/// The built-in rows of `jurisdiction` (empty when it has none): each jurisdiction's rows
/// are contiguous in the table (a test checks it), so a jurisdiction is one slice.
fn builtin_of(jurisdiction: &str) -> &'static [PresetRow] {
    static RANGES: OnceLock<Vec<(&'static str, std::ops::Range<usize>)>> = OnceLock::new();
    let ranges = RANGES.get_or_init(|| {
        let mut out: Vec<(&'static str, std::ops::Range<usize>)> = Vec::new();
        for (i, r) in builtin().iter().enumerate() {
            let next = i.saturating_add(1);
            match out.last_mut() {
                Some((j, range)) if *j == r.jurisdiction => range.end = next,
                _ => out.push((r.jurisdiction.as_str(), i..next)),
            }
        }
        out
    });
    ranges
        .iter()
        .find(|(j, _)| *j == jurisdiction)
        .and_then(|(_, range)| builtin().get(range.clone()))
        .unwrap_or_default()
}

/// The rows of one jurisdiction ([`Presets::of`]).
#[derive(Clone, Copy, Debug)]
pub struct Jurisdiction<'a> {
    rows: &'a [PresetRow],
    /// The host's rows are the whole override table: only those of this jurisdiction count.
    only: Option<&'a str>,
}

impl<'a> Jurisdiction<'a> {
    /// Every row of the jurisdiction.
    pub fn rows(self) -> impl Iterator<Item = &'a PresetRow> + 'a {
        let only = self.only;
        self.rows
            .iter()
            .filter(move |r| only.is_none_or(|j| r.jurisdiction == j))
    }

    /// The row of `rule` in force for goods sold on `sold`: the one with the latest `from`.
    pub fn in_force(self, rule: Rule, sold: NaiveDate) -> Option<&'a PresetRow> {
        self.all_in_force(rule, sold).max_by_key(|r| r.from)
    }

    /// For every rule (indexed by `rule as usize`), the row in force for goods sold on
    /// `sold`, found in one pass over the jurisdiction's rows: the same rows as
    /// [`Jurisdiction::in_force`] rule by rule (the latest `from`; of equal ones, the last).
    pub fn in_force_by_rule(self, sold: NaiveDate) -> InForce<'a> {
        let mut slots: [Option<&'a PresetRow>; RULES] = [None; RULES];
        for r in self.rows().filter(|r| r.applies(sold)) {
            if let Some(slot) = slots.get_mut(r.rule as usize) {
                if slot.is_none_or(|best| r.from >= best.from) {
                    *slot = Some(r);
                }
            }
        }
        InForce(slots)
    }

    /// Every row of `rule` in force for goods sold on `sold`.
    pub fn all_in_force(
        self,
        rule: Rule,
        sold: NaiveDate,
    ) -> impl Iterator<Item = &'a PresetRow> + 'a {
        self.rows()
            .filter(move |r| r.rule == rule && r.applies(sold))
    }
}

/// How many [`Rule`]s there are (the last one's index + 1: checked when the enum grows).
const RULES: usize = 9;
const _: () = assert!(Rule::RepairSuspension as usize + 1 == RULES);

/// The row of each rule in force for one sale ([`Jurisdiction::in_force_by_rule`]).
#[derive(Clone, Copy, Debug)]
pub struct InForce<'a>([Option<&'a PresetRow>; RULES]);

impl<'a> InForce<'a> {
    /// The row of `rule`, if one is in force.
    pub fn get(&self, rule: Rule) -> Option<&'a PresetRow> {
        self.0.get(rule as usize).copied().flatten()
    }
}

/// The table a request sees: the built-in rows, where every jurisdiction named in `overrides`
/// has only the host's rows.
#[derive(Clone, Copy, Debug)]
pub struct Presets<'a> {
    overrides: &'a [PresetRow],
}

impl<'a> Presets<'a> {
    /// The built-in table with `overrides` replacing the jurisdictions they name.
    pub fn new(overrides: &'a [PresetRow]) -> Self {
        Presets { overrides }
    }

    fn overridden(&self, jurisdiction: &str) -> bool {
        self.overrides
            .iter()
            .any(|r| r.jurisdiction == jurisdiction)
    }

    /// Every row of `jurisdiction`: the host's when it overrides it, else the built-in ones
    /// (a slice of the table, found without reading the other jurisdictions' rows).
    pub fn rows(&self, jurisdiction: &'a str) -> impl Iterator<Item = &'a PresetRow> + 'a {
        let (own, host): (&'a [PresetRow], &'a [PresetRow]) = if self.overridden(jurisdiction) {
            (&[], self.overrides)
        } else {
            (builtin_of(jurisdiction), &[])
        };
        own.iter()
            .chain(host.iter().filter(move |r| r.jurisdiction == jurisdiction))
    }

    /// Whether the table knows `jurisdiction`.
    pub fn knows(&self, jurisdiction: &str) -> bool {
        self.overridden(jurisdiction) || !builtin_of(jurisdiction).is_empty()
    }

    /// The rows of `jurisdiction`, found once for several lookups.
    pub fn of(&self, jurisdiction: &'a str) -> Jurisdiction<'a> {
        if self.overridden(jurisdiction) {
            Jurisdiction {
                rows: self.overrides,
                only: Some(jurisdiction),
            }
        } else {
            Jurisdiction {
                rows: builtin_of(jurisdiction),
                only: None,
            }
        }
    }

    /// The row of `rule` in force for goods sold on `sold`: the one with the latest `from`.
    pub fn in_force(
        &self,
        jurisdiction: &'a str,
        rule: Rule,
        sold: NaiveDate,
    ) -> Option<&'a PresetRow> {
        self.of(jurisdiction).in_force(rule, sold)
    }

    /// Every row of `rule` in force for goods sold on `sold`.
    pub fn all_in_force(
        &self,
        jurisdiction: &'a str,
        rule: Rule,
        sold: NaiveDate,
    ) -> impl Iterator<Item = &'a PresetRow> + 'a {
        self.of(jurisdiction).all_in_force(rule, sold)
    }

    /// Every jurisdiction the table knows, built-in first then the host's, each once.
    pub fn jurisdictions(&self) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::new();
        for r in builtin().iter().chain(self.overrides) {
            if !out.contains(&r.jurisdiction.as_str()) {
                out.push(&r.jurisdiction);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_jurisdiction_s_built_in_rows_are_one_slice() {
        // `builtin_of` relies on it: a jurisdiction's rows must not be split in the table.
        let rows = builtin();
        for (i, r) in rows.iter().enumerate() {
            let seen_before = rows
                .iter()
                .take(i)
                .any(|o| o.jurisdiction == r.jurisdiction);
            let previous = i.checked_sub(1).and_then(|k| rows.get(k));
            if seen_before {
                assert_eq!(
                    previous.map(|p| p.jurisdiction.as_str()),
                    Some(r.jurisdiction.as_str()),
                    "row {i} ({}) is apart from its jurisdiction's other rows",
                    r.jurisdiction
                );
            }
            let slice = builtin_of(&r.jurisdiction);
            assert!(slice.iter().any(|o| std::ptr::eq(o, r)));
            assert!(slice.iter().all(|o| o.jurisdiction == r.jurisdiction));
        }
        assert!(builtin_of("XX").is_empty());
        // One pass picks what the rule-by-rule lookup picks, on every jurisdiction and on
        // dates around every row's start.
        let rules = [
            Rule::Period,
            Rule::OpenPeriod,
            Rule::Burden,
            Rule::SecondHandBurden,
            Rule::SecondHandFloor,
            Rule::RepairExtension,
            Rule::ReplacementRestart,
            Rule::ReturnedGrace,
            Rule::RepairSuspension,
        ];
        assert_eq!(rules.len(), RULES);
        let p = Presets::new(&[]);
        for r in rows {
            for day in [r.from.0.pred_opt(), Some(r.from.0), r.from.0.succ_opt()]
                .into_iter()
                .flatten()
            {
                let j = p.of(&r.jurisdiction);
                let all = j.in_force_by_rule(day);
                for rule in rules {
                    assert_eq!(
                        all.get(rule).map(std::ptr::from_ref),
                        j.in_force(rule, day).map(std::ptr::from_ref)
                    );
                }
            }
        }
        assert!(builtin_of("").is_empty());
    }
}
