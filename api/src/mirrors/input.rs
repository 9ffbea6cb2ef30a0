//! Parsing mirror input: host names, URLs by scheme, countries and update frequencies.

use crate::error::{ApiError, ApiResult};

/// ISO 3166-1 alpha-2 country codes, officially assigned.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ \
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT \
GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY \
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX \
MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS \
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN \
TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A DNS host name: lower-cased, at most 253 characters, at least two labels of letters, digits
/// and inner hyphens.
pub fn host_name(raw: &str, field: &str) -> ApiResult<String> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let invalid = || ApiError::bad_input(field, "This is not a valid host name.");
    if host.is_empty() || host.len() > 253 {
        return Err(invalid());
    }
    let labels: Vec<_> = host.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(invalid());
    }
    Ok(host)
}

/// A URL with one of `schemes` whose host is `host`.
pub fn url_on_host(raw: &str, schemes: &[&str], host: &str, field: &str) -> ApiResult<String> {
    let url = crate::organizations::input::any_url(raw, field)?;
    if !schemes.contains(&url.scheme()) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "The {} must be {} address.",
                crate::input::label(field),
                crate::input::with_article(&schemes.join(" or "))
            ),
        ));
    }
    if url.host_str() != Some(host) {
        return Err(ApiError::bad_input(
            field,
            format!("The address must point at the mirror's host, {host}."),
        ));
    }
    Ok(raw.trim().to_owned())
}

/// An ISO 3166-1 alpha-2 code, upper-cased.
pub fn country(raw: &str, field: &str) -> ApiResult<String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2
        && COUNTRIES
            .split_ascii_whitespace()
            .any(|known| known == code)
    {
        Ok(code)
    } else {
        Err(ApiError::bad_input(
            field,
            "The country must be a two-letter ISO 3166-1 code, such as DE.",
        ))
    }
}

/// How often the mirror syncs, in hours: 1 to 168 (a week).
pub fn update_frequency(hours: i32, field: &str) -> ApiResult<i32> {
    if (1..=168).contains(&hours) {
        Ok(hours)
    } else {
        Err(ApiError::bad_input(
            field,
            "The update frequency must be between 1 and 168 hours.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_checked_and_lower_cased() {
        assert_eq!(
            host_name("Mirror.Example.ORG.", "h").expect("ok"),
            "mirror.example.org"
        );
        for bad in [
            "localhost",
            "-a.example.org",
            "a..b",
            "exa mple.org",
            "a_b.example.org",
            "",
        ] {
            assert!(host_name(bad, "h").is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_are_iso_codes() {
        assert_eq!(country("de", "c").expect("DE"), "DE");
        assert!(country("XX", "c").is_err());
        assert!(country("DEU", "c").is_err());
    }
}
