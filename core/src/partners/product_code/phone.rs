//! Phone numbers by libphonenumber's rules, for the registration API's seven countries.
//!
//! The tables (`phone_meta.rs`) are libphonenumber's own metadata for TR, US, DE, GB, AE, NL
//! and FR, generated from the XML the `phonenumber` crate ships (`make phonedata`); the crate
//! itself, with every region's metadata and a regex engine, would cost the WASM package far
//! more than these 12 KB. Its patterns use a small regular language (digits, `\d`, classes,
//! non-capturing groups, alternation, `?` and `{m,n}`), read here by [`full_match`] over digit
//! strings. `core/tests/phone_vs_phonenumber.rs` compares [`normalize`] with the crate on
//! random numbers of every country and format.

use super::phone_meta::COUNTRIES;
pub use super::phone_meta::SOURCE_VERSION;

/// A country's numbering plan, as libphonenumber describes it.
#[derive(Debug)]
pub struct Country {
    /// ISO 3166 code (`DE`).
    pub id: &'static str,
    /// Calling code without `+` (`49`).
    pub calling_code: &'static str,
    /// International (IDD) prefixes dialled before a calling code (`00`, `011`).
    pub international_prefixes: &'static [&'static str],
    /// National (trunk) prefixes stripped when parsing (`0`).
    pub national_prefixes: &'static [&'static str],
    /// What any valid national number looks like.
    pub general: Desc,
    /// The number types (fixed line, mobile, …).
    pub types: &'static [(NumberType, Desc)],
}

/// A national number pattern and the possible lengths of numbers of that kind.
#[derive(Debug)]
pub struct Desc {
    /// The pattern, matched against the whole national number.
    pub pattern: &'static str,
    /// Possible national number lengths (empty: any).
    pub lengths: &'static [u8],
}

/// libphonenumber's number types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "the variants are libphonenumber's number types, named as there"
)]
pub enum NumberType {
    PremiumRate,
    TollFree,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    FixedLine,
    Mobile,
}

/// The longest national number libphonenumber knows (17 digits).
const MAX_NATIONAL: usize = 17;

/// Why a number was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The country is not one of the seven.
    UnknownCountry,
    /// A character other than digits, spaces and `-().+/`.
    BadCharacter,
    /// Written with another country's calling code (`+49…` for TR).
    OtherCountry(String),
    /// Not a valid number of the country.
    NotValid,
}

/// The country's plan, if it is one of the seven.
pub fn country(id: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.id == id)
}

/// The countries' codes, in the API's order.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|c| c.id)
}

/// Normalises a number written for `country` to E.164 (`+49301234567`): national
/// (`030 1234567`), without the trunk prefix (`30 1234567`), with the calling code with or
/// without `+` (`+49 30 1234567`, `4930 1234567`), or after the international prefix
/// (`0049 30 1234567`); spaces, dashes, dots, slashes and brackets are ignored. The number
/// must be valid for the country under libphonenumber's metadata (a type's pattern and length).
pub fn normalize(raw: &str, country_id: &str) -> Result<String, Refusal> {
    let c = country(country_id).ok_or(Refusal::UnknownCountry)?;
    let trimmed = raw.trim();
    if trimmed
        .chars()
        .any(|ch| !(ch.is_ascii_digit() || " -().+/".contains(ch)))
        || trimmed.get(1..).is_some_and(|rest| rest.contains('+'))
    {
        return Err(Refusal::BadCharacter);
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = if trimmed.starts_with('+') {
        Some(digits.as_str())
    } else {
        c.international_prefixes
            .iter()
            .find_map(|p| digits.strip_prefix(p))
    };
    let national = match international {
        Some("") => return Err(Refusal::NotValid),
        Some(rest) => {
            let Some(n) = rest.strip_prefix(c.calling_code) else {
                return Err(other_country(rest));
            };
            strip_national_prefix(c, n)
        }
        // Written with the calling code but no `+` (`905443332211`): libphonenumber strips
        // it when the whole does not look like a national number and the rest does, or
        // when the whole is too long.
        None => match digits.strip_prefix(c.calling_code) {
            Some(rest)
                if (!full_match(c.general.pattern, &digits)
                    && full_match(c.general.pattern, strip_national_prefix(c, rest)))
                    || too_long(c, &digits) =>
            {
                strip_national_prefix(c, rest)
            }
            _ => strip_national_prefix(c, &digits),
        },
    };
    if valid(c, national) {
        Ok(format!("+{}{national}", c.calling_code))
    } else {
        Err(Refusal::NotValid)
    }
}

fn other_country(rest: &str) -> Refusal {
    // Calling codes are 1–3 digits; name the shortest that is a known one of ours, else the
    // first digits.
    let known = COUNTRIES
        .iter()
        .filter(|c| rest.starts_with(c.calling_code))
        .map(|c| c.calling_code)
        .next();
    Refusal::OtherCountry(
        known
            .unwrap_or_else(|| rest.get(..rest.len().min(3)).unwrap_or(""))
            .to_string(),
    )
}

fn too_long(c: &Country, n: &str) -> bool {
    c.general
        .lengths
        .last()
        .is_some_and(|&max| n.len() > usize::from(max))
}

/// Strips a national (trunk) prefix when what follows is still a possible national number,
/// as libphonenumber does: `0301234567` → `301234567`.
fn strip_national_prefix<'a>(c: &Country, n: &'a str) -> &'a str {
    for p in c.national_prefixes {
        if let Some(rest) = n.strip_prefix(p) {
            if !rest.is_empty() && full_match(c.general.pattern, rest) {
                return rest;
            }
        }
    }
    n
}

/// Whether `n` is a national number of `c`: it has one of the country's possible lengths and
/// matches its general description (libphonenumber's `generalDesc`, what any number of the
/// country looks like). This accepts every number libphonenumber calls valid, and also
/// numbers in the country's format that its per-type range data does not list (fictional or
/// newly assigned ones such as `04 123 4567` in Dubai); see docs/decisions.md.
pub fn valid(c: &Country, n: &str) -> bool {
    !n.is_empty()
        && n.len() <= MAX_NATIONAL
        && u8::try_from(n.len()).is_ok_and(|len| c.general.lengths.contains(&len))
        && full_match(c.general.pattern, n)
}

/// The type of a national number, when one of libphonenumber's type descriptions (pattern
/// and length) matches it: libphonenumber's `isValidNumberForRegion` holds exactly then.
pub fn number_type(c: &Country, n: &str) -> Option<NumberType> {
    if n.is_empty() || n.len() > MAX_NATIONAL || !full_match(c.general.pattern, n) {
        return None;
    }
    let len = u8::try_from(n.len()).ok()?;
    c.types
        .iter()
        .find(|(_, d)| {
            (d.lengths.is_empty() || d.lengths.contains(&len)) && full_match(d.pattern, n)
        })
        .map(|(t, _)| *t)
}

/// Whether `pattern` matches all of `digits` (at most 31 of them). The pattern is read once
/// per use: alternatives, sequences of atoms (a digit, `\d`, a class `[…]`, a group
/// `(?:…)`), each optionally followed by `?` or `{m}` / `{m,n}`. Matching tracks the set of
/// positions reachable so far as a bit set, so it takes linear time in the pattern for each
/// repetition and never backtracks. A pattern outside this language matches nothing.
pub fn full_match(pattern: &str, digits: &str) -> bool {
    let d = digits.as_bytes();
    if d.len() > 31 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let p = pattern.as_bytes();
    let mut m = Matcher { p, d };
    match m.alt(0, 1) {
        Some((ends, next)) if next == p.len() => ends & (1u32 << d.len()) != 0,
        _ => false,
    }
}

struct Matcher<'a> {
    p: &'a [u8],
    d: &'a [u8],
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "positions in a compiled-in pattern and in at most 31 digits (full_match refuses \
              more): far below usize's limit, and every shift is below 32"
)]
impl Matcher<'_> {
    /// Alternatives from `i` until `)` or the end: the end positions reachable from `starts`,
    /// and where the alternation ends.
    fn alt(&mut self, mut i: usize, starts: u32) -> Option<(u32, usize)> {
        let mut ends = 0;
        loop {
            let (e, next) = self.seq(i, starts)?;
            ends |= e;
            match self.p.get(next) {
                Some(b'|') => i = next + 1,
                _ => return Some((ends, next)),
            }
        }
    }

    fn seq(&mut self, mut i: usize, mut positions: u32) -> Option<(u32, usize)> {
        while let Some(&c) = self.p.get(i) {
            if c == b'|' || c == b')' {
                break;
            }
            // One pass finds where the atom ends; it is then applied as often as quantified.
            let (_, atom_end) = self.atom(i, 0)?;
            let (min, max, next) = self.quantifier(atom_end)?;
            let mut reach = positions;
            for _ in 0..min {
                reach = self.atom(i, reach)?.0;
            }
            let mut all = reach;
            for _ in min..max {
                if reach == 0 {
                    break;
                }
                reach = self.atom(i, reach)?.0;
                all |= reach;
            }
            positions = all;
            i = next;
        }
        Some((positions, i))
    }

    /// `?`, `{m}`, `{m,n}` or nothing after position `i`: (min, max, next).
    fn quantifier(&self, i: usize) -> Option<(u32, u32, usize)> {
        match self.p.get(i) {
            Some(b'?') => Some((0, 1, i + 1)),
            Some(b'{') => {
                let close = i + self.p.get(i..)?.iter().position(|&b| b == b'}')?;
                let body = std::str::from_utf8(self.p.get(i + 1..close)?).ok()?;
                let (min, max) = match body.split_once(',') {
                    Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                    None => {
                        let n = body.parse().ok()?;
                        (n, n)
                    }
                };
                (min <= max && max <= 32).then_some((min, max, close + 1))
            }
            _ => Some((1, 1, i)),
        }
    }

    /// One atom at `i` applied to `starts`: the positions after it, and where it ends.
    fn atom(&mut self, i: usize, starts: u32) -> Option<(u32, usize)> {
        match *self.p.get(i)? {
            b'(' => {
                if self.p.get(i + 1..i + 3)? != b"?:" {
                    return None;
                }
                let (ends, close) = self.alt(i + 3, starts)?;
                (self.p.get(close) == Some(&b')')).then_some((ends, close + 1))
            }
            b'\\' => {
                (self.p.get(i + 1) == Some(&b'd')).then_some((self.step(starts, |_| true), i + 2))
            }
            b'[' => {
                let close = i + self.p.get(i..)?.iter().position(|&b| b == b']')?;
                let class = self.p.get(i + 1..close)?;
                let mut set = [false; 10];
                let mut k = 0;
                while let Some(&lo) = class.get(k) {
                    let hi = match (class.get(k + 1), class.get(k + 2)) {
                        (Some(b'-'), Some(&hi)) => {
                            k += 3;
                            hi
                        }
                        _ => {
                            k += 1;
                            lo
                        }
                    };
                    if !lo.is_ascii_digit() || !hi.is_ascii_digit() || lo > hi {
                        return None;
                    }
                    for b in lo..=hi {
                        if let Some(s) = set.get_mut(usize::from(b - b'0')) {
                            *s = true;
                        }
                    }
                }
                Some((
                    self.step(starts, |b| set.get(usize::from(b - b'0')) == Some(&true)),
                    close + 1,
                ))
            }
            c if c.is_ascii_digit() => Some((self.step(starts, |b| b == c), i + 1)),
            _ => None,
        }
    }

    /// The positions after one digit accepted by `ok`, from each position in `starts`.
    fn step(&self, starts: u32, ok: impl Fn(u8) -> bool) -> u32 {
        let mut out = 0;
        for (k, &b) in self.d.iter().enumerate() {
            if starts & (1 << k) != 0 && ok(b) {
                out |= 1 << (k + 1);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matcher_reads_the_metadata_language() {
        assert!(full_match(r"[2-9]\d{9}|3\d{6}", "2125550123"));
        assert!(full_match(r"[2-9]\d{9}|3\d{6}", "3123456"));
        assert!(!full_match(r"[2-9]\d{9}|3\d{6}", "1125550123"));
        assert!(full_match(
            r"8(?:00\d{7}(?:\d{2,3})?|11\d{7})",
            "800123456712"
        ));
        assert!(!full_match(
            r"8(?:00\d{7}(?:\d{2,3})?|11\d{7})",
            "8001234567123456"
        ));
        assert!(full_match(r"5[02-68]\d{7}", "501234567"));
        assert!(!full_match(r"5[02-68]\d{7}", "511234567"));
        assert!(full_match(r"1\d{4,5}", "12345") && full_match(r"1\d{4,5}", "123456"));
        assert!(!full_match(r"1\d{4,5}", "1234") && !full_match(r"1\d{4,5}", "1234567"));
        // Outside the language: matches nothing rather than guessing.
        assert!(!full_match(r"\d+", "1") && !full_match(r"(1)", "1") && !full_match(r"[9-1]", "5"));
    }

    #[test]
    fn the_seed_formats_and_landlines_normalise() {
        for raw in [
            "544 333 22 11",
            "5443332211",
            "+905443332211",
            "905443332211",
            "05443332211",
        ] {
            assert_eq!(normalize(raw, "TR").unwrap(), "+905443332211", "{raw}");
        }
        assert_eq!(normalize("030 1234567", "DE").unwrap(), "+49301234567");
        assert_eq!(normalize("+49 30 1234567", "DE").unwrap(), "+49301234567");
        assert_eq!(normalize("0049 30 1234567", "DE").unwrap(), "+49301234567");
        assert_eq!(normalize("04 123 4567", "AE").unwrap(), "+97141234567");
        assert_eq!(normalize("+971 4 123 4567", "AE").unwrap(), "+97141234567");
        assert_eq!(normalize("(212) 555-0123", "US").unwrap(), "+12125550123");
        assert_eq!(normalize("1 212 555 0123", "US").unwrap(), "+12125550123");
        assert_eq!(
            normalize("011 49 30 1234567", "US"),
            Err(Refusal::OtherCountry("49".into()))
        );
        assert_eq!(normalize("020 7946 0958", "GB").unwrap(), "+442079460958");
        assert_eq!(normalize("06 12 34 56 78", "FR").unwrap(), "+33612345678");
        assert_eq!(normalize("020-123 4567", "NL").unwrap(), "+31201234567");
    }

    #[test]
    fn invalid_numbers_are_refused() {
        assert_eq!(normalize("12345", "TR"), Err(Refusal::NotValid));
        assert_eq!(
            normalize("+49 30 1234567", "TR"),
            Err(Refusal::OtherCountry("49".into()))
        );
        assert_eq!(
            normalize("0544 333 22 1x", "TR"),
            Err(Refusal::BadCharacter)
        );
        assert_eq!(normalize("05+44", "TR"), Err(Refusal::BadCharacter));
        assert_eq!(normalize("", "TR"), Err(Refusal::NotValid));
        assert_eq!(normalize("+", "TR"), Err(Refusal::NotValid));
        assert_eq!(normalize("00", "DE"), Err(Refusal::NotValid));
        assert_eq!(normalize("5443332211", "XX"), Err(Refusal::UnknownCountry));
        assert_eq!(normalize("+1 111 555 0123", "US"), Err(Refusal::NotValid));
        // In the country's format, but in no range libphonenumber lists: accepted, no type.
        let ae = country("AE").unwrap();
        assert!(valid(ae, "41234567") && number_type(ae, "41234567").is_none());
        assert_eq!(number_type(ae, "42345678"), Some(NumberType::FixedLine));
        assert_eq!(number_type(ae, "501234567"), Some(NumberType::Mobile));
    }
}
