//! The phone reader (`warranty_core::partners::product_code::phone`: tables generated from libphonenumber's
//! metadata, a small pattern matcher) against the `phonenumber` crate: its metadata compiled
//! by the `regex` crate is the reference for which national numbers are valid, its parser the
//! reference for reading the formats the registration API accepts.
//!
//! The crate's own `is_valid` matches type patterns at the start of the number only (a
//! 13-digit TR number passes as `811…` toll free), where libphonenumber matches the whole
//! number; the reference here matches the whole number, as libphonenumber does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use phonenumber::metadata::{Descriptor, DATABASE};
use proptest::prelude::*;
use warranty_core::partners::product_code::phone::{self, country as plan, normalize, number_type};

const COUNTRIES: [&str; 7] = ["TR", "US", "DE", "GB", "AE", "NL", "FR"];

fn whole(d: &Descriptor, n: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    // The XML's patterns are laid out over several lines; the crate reads them ignoring
    // whitespace.
    let source: String = d.national_number().as_str().split_whitespace().collect();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    let re = cache
        .entry(source)
        .or_insert_with_key(|p| regex::Regex::new(&format!("^(?:{p})$")).unwrap());
    re.is_match(n)
}

/// libphonenumber's `isValidNumberForRegion` on the crate's metadata: the general pattern,
/// then a type whose possible lengths hold the length and whose pattern matches the whole.
fn reference_valid(id: &str, n: &str) -> bool {
    let m = DATABASE.by_id(id).unwrap();
    let ds = m.descriptors();
    if !whole(ds.general(), n) {
        return false;
    }
    let types = [
        ds.premium_rate(),
        ds.toll_free(),
        ds.shared_cost(),
        ds.voip(),
        ds.personal_number(),
        ds.pager(),
        ds.uan(),
        ds.voicemail(),
        ds.fixed_line(),
        ds.mobile(),
    ];
    types.into_iter().flatten().any(|d| {
        let lens = if d.possible_length().is_empty() {
            ds.general().possible_length()
        } else {
            d.possible_length()
        };
        lens.contains(&(n.len() as u16)) && whole(d, n)
    })
}

/// The national number the crate's parser reads from `raw` written for `id`.
fn crate_national(id: &str, raw: &str) -> Option<String> {
    let n = phonenumber::parse(Some(id.parse().ok()?), raw).ok()?;
    Some(n.national().to_string())
}

/// Whether `ours` is the reading libphonenumber (Java) gives where the crate differs: digits
/// that start with the calling code, without `+`, that match the general pattern as a whole
/// are kept whole (`maybeExtractCountryCode`); the crate strips the code when its length
/// check fails.
fn kept_whole(id: &str, raw: &str, ours: &Result<String, phone::Refusal>) -> bool {
    let c = plan(id).unwrap();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    !raw.starts_with('+')
        && digits.starts_with(c.calling_code)
        && whole(DATABASE.by_id(id).unwrap().descriptors().general(), &digits)
        && ours.as_deref() == Ok(format!("+{}{digits}", c.calling_code).as_str())
}

/// Every way the API's callers write the national number `n` of `id`.
fn formats(id: &str, n: &str) -> Vec<String> {
    let c = plan(id).unwrap();
    let cc = c.calling_code;
    let trunk = c.national_prefixes.first().copied().unwrap_or("");
    let idd = c.international_prefixes.first().copied().unwrap_or("00");
    let (head, tail) = n.split_at(n.len().min(3));
    vec![
        n.to_string(),
        format!("{trunk}{n}"),
        format!("{trunk}{head} {tail}"),
        format!("({trunk}{head}) {tail}"),
        format!("+{cc}{n}"),
        format!("+{cc} {head} {tail}"),
        format!("+{cc}-{head}-{tail}"),
        format!("{cc}{n}"),
        format!("{idd}{cc}{n}"),
        format!("{idd} {cc} {head} {tail}"),
    ]
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn national(&mut self, lengths: &[u8]) -> String {
        let len = usize::from(lengths[(self.next() % lengths.len() as u64) as usize]);
        (0..len)
            .map(|i| {
                char::from(
                    b'0' + if i == 0 {
                        1 + (self.next() % 9) as u8
                    } else {
                        (self.next() % 10) as u8
                    },
                )
            })
            .collect()
    }
}

#[test]
fn validity_and_types_agree_with_the_crates_metadata_on_random_numbers() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for id in COUNTRIES {
        let c = plan(id).unwrap();
        let (mut valid, mut checked) = (0, 0);
        for _ in 0..20_000 {
            let n = rng.national(c.general.lengths);
            let want = reference_valid(id, &n);
            assert_eq!(number_type(c, &n).is_some(), want, "{id} {n}");
            assert_eq!(
                phone::valid(c, &n),
                whole(DATABASE.by_id(id).unwrap().descriptors().general(), &n)
                    && c.general.lengths.contains(&(n.len() as u8)),
                "{id} {n}"
            );
            valid += usize::from(want);
            checked += 1;
        }
        assert!(
            valid > 100,
            "{id}: only {valid} of {checked} random numbers were valid"
        );
    }
}

#[test]
fn every_valid_number_normalises_in_every_format_as_the_crate_reads_it() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for id in COUNTRIES {
        let c = plan(id).unwrap();
        let mut found = 0;
        for _ in 0..200_000 {
            if found == 300 {
                break;
            }
            let n = rng.national(c.general.lengths);
            if !reference_valid(id, &n) {
                continue;
            }
            found += 1;
            let e164 = format!("+{}{n}", c.calling_code);
            for raw in formats(id, &n) {
                let ours = normalize(&raw, id);
                let theirs = crate_national(id, &raw);
                match theirs {
                    // Where the crate reads the number itself, so do we.
                    Some(t) if t == n => assert!(
                        ours.as_deref() == Ok(e164.as_str()) || kept_whole(id, &raw, &ours),
                        "{id} `{raw}`: {ours:?}"
                    ),
                    // Where it reads another valid number (the calling code taken as digits
                    // of the number), we read that one.
                    Some(t) if reference_valid(id, &t) => assert!(
                        ours == Ok(format!("+{}{t}", c.calling_code))
                            || kept_whole(id, &raw, &ours),
                        "{id} `{raw}`: the crate reads {t}, we {ours:?}"
                    ),
                    _ => assert!(
                        ours.is_err() || !raw.starts_with('+'),
                        "{id} `{raw}`: {ours:?}"
                    ),
                }
            }
        }
        assert_eq!(found, 300, "{id}: too few valid numbers drawn");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// On any digits in any format: when we accept, the number is in the country's format;
    /// when the crate's parser reads a number valid by libphonenumber's rules, we read the same.
    #[test]
    fn random_text_is_read_as_the_crate_reads_it(
        id in prop::sample::select(COUNTRIES.to_vec()),
        digits in "[0-9]{1,16}", pick in 0usize..10,
    ) {
        let raw = formats(id, &digits).swap_remove(pick);
        let c = plan(id).unwrap();
        let ours = normalize(&raw, id);
        if let Ok(o) = &ours {
            let nat = o.strip_prefix(&format!("+{}", c.calling_code)).unwrap();
            prop_assert!(phone::valid(c, nat));
        }
        // On random digits, the crate's parser strips calling codes, trunk prefixes and
        // leading zeros more eagerly than libphonenumber (US `1114012000000` → 4012000000), so
        // only the `+` forms are compared here; the test above compares every form on valid
        // numbers
        // (`+1 112012000000` → 2012000000): where it strips nothing, we must agree.
        let after_code: String = raw.chars().filter(char::is_ascii_digit).skip(c.calling_code.len()).collect();
        let plus_form = raw.starts_with('+');
        if let Some(t) = crate_national(id, &raw).filter(|t| plus_form && *t == after_code && reference_valid(id, t)) {
            // After an international prefix, libphonenumber reads a calling code: `00 1…`
            // written for DE is a US number, which we refuse for DE; the crate reads it as
            // national digits.
            // The crate keeps the national number as an integer and drops its leading
            // zeros: `+49 00201000` is 201000 to it, not a DE number to libphonenumber or us.
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            let zeros_dropped = ours == Err(phone::Refusal::NotValid) && digits.ends_with(&format!("0{t}"));
            let idd_other = matches!(ours, Err(phone::Refusal::OtherCountry(_)))
                && c.international_prefixes.iter().any(|p| {
                    raw.chars().filter(char::is_ascii_digit).collect::<String>().starts_with(p)
                });
            prop_assert!(
                ours == Ok(format!("+{}{t}", c.calling_code)) || kept_whole(id, &raw, &ours) || idd_other || zeros_dropped,
                "{} `{}`: the crate reads {}, we {:?}", id, raw, t, ours
            );
        }
    }
}

#[test]
fn the_tables_come_from_the_locked_crate() {
    let lock = include_str!("../../Cargo.lock");
    let i = lock
        .find("name = \"phonenumber\"\nversion = \"")
        .expect("phonenumber in Cargo.lock");
    let version = lock[i..]
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("version = \"")
        .trim_end_matches('"');
    assert_eq!(
        version,
        phone::SOURCE_VERSION,
        "Cargo.lock moved phonenumber: run `make phonedata` and commit core/src/partners/product_code/phone_meta.rs"
    );
}
