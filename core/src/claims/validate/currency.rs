//! ISO 4217 currencies and their minor units, as the `iso_currency` crate (0.7) has them:
//! a sorted table searched by code (a test compares it with the crate for every code).

/// The codes, three letters each, sorted.
const CODES: &str = concat!(
    "AEDAFNALLAMDAOAARSAUDAWGAZNBAMBBDBDTBGNBHDBIFBMDBNDBOBBOVBRLBSDBTNBWPBYNBZDCADCDFCHE",
    "CHFCHWCLFCLPCNYCOPCOUCRCCUCCUPCVECZKDJFDKKDOPDZDEGPERNETBEURFJDFKPGBPGELGHSGIPGMDGNF",
    "GTQGYDHKDHNLHRKHTGHUFIDRILSINRIQDIRRISKJMDJODJPYKESKGSKHRKMFKPWKRWKWDKYDKZTLAKLBPLKR",
    "LRDLSLLYDMADMDLMGAMKDMMKMNTMOPMRUMURMVRMWKMXNMXVMYRMZNNADNGNNIONOKNPRNZDOMRPABPENPGK",
    "PHPPKRPLNPYGQARRONRSDRUBRWFSARSBDSCRSDGSEKSGDSHPSLESLLSOSSRDSSPSTNSVCSYPSZLTHBTJSTMT",
    "TNDTOPTRYTTDTWDTZSUAHUGXUSDUSNUYIUYUUYWUZSVEDVESVNDVUVWSTXADXAFXAGXAUXBAXBBXBCXBDXCD",
    "XCGXDRXOFXPDXPFXPTXSUXTSXUAXXXYERZARZMWZWGZWL",
);

/// The minor units of each code, in the order of `CODES` (none: 0).
const UNITS: [u8; 183] = [
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 3, 2, 0, 2, 3, 0, 2, 2, 2, 0, 2, 0, 3, 2, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 0, 2, 2, 0, 2, 4, 2, 2, 2, 0, 0, 2, 2,
    0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2,
];

/// The minor units of the ISO 4217 currency `code` (`"EUR"`: 2, `"JPY"`: 0, `"XAU"`: 0), or
/// `None` when `code` is not a currency (exact spelling, upper case).
pub(super) fn minor_units(code: &str) -> Option<u32> {
    let key = code.as_bytes();
    if key.len() != 3 {
        return None;
    }
    let codes = CODES.as_bytes();
    let code_at = |i: usize| {
        let at = i.saturating_mul(3);
        codes.get(at..at.saturating_add(3)).unwrap_or_default()
    };
    let i = crate::order::search(UNITS.len(), |i| code_at(i).cmp(key))?;
    UNITS.get(i).map(|&u| u32::from(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_whole() {
        assert_eq!(CODES.len(), UNITS.len() * 3);
        let codes: Vec<&str> = (0..UNITS.len()).map(|i| &CODES[i * 3..i * 3 + 3]).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    /// The table as iso_currency has it, as this file writes it (to paste when it changes).
    fn table_from_iso_currency() -> String {
        let mut codes = String::new();
        let mut units = Vec::new();
        let letters = b'A'..=b'Z';
        for a in letters.clone() {
            for b in letters.clone() {
                for c in letters.clone() {
                    let code = String::from_utf8(vec![a, b, c]).unwrap();
                    if let Some(cur) = iso_currency::Currency::from_code(&code) {
                        codes.push_str(&code);
                        units.push(cur.exponent().unwrap_or(0).to_string());
                    }
                }
            }
        }
        format!(
            "CODES: {codes}\nUNITS ({}): {}",
            units.len(),
            units.join(", ")
        )
    }

    #[test]
    fn the_table_is_iso_currency_s() {
        let ours = format!(
            "CODES: {CODES}\nUNITS ({}): {}",
            UNITS.len(),
            UNITS.map(|u| u.to_string()).join(", ")
        );
        assert_eq!(ours, table_from_iso_currency(), "update CODES and UNITS");
    }

    #[test]
    fn every_code_answers_as_iso_currency_does() {
        let letters = b'A'..=b'Z';
        for a in letters.clone() {
            for b in letters.clone() {
                for c in letters.clone() {
                    let code = String::from_utf8(vec![a, b, c]).unwrap();
                    let want = iso_currency::Currency::from_code(&code)
                        .map(|cur| cur.exponent().map(u32::from).unwrap_or(0));
                    assert_eq!(minor_units(&code), want, "{code}");
                }
            }
        }
        for other in ["", "eur", "EURO", "EU", "€", "E€"] {
            assert_eq!(minor_units(other), None, "{other}");
        }
    }
}
