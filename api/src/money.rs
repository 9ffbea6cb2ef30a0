//! Exact money: integer minor units with an ISO 4217 currency, never floating point.

use async_graphql::Object;

use crate::error::{ApiError, ApiResult};

/// Active ISO 4217 currencies and the digits of their minor unit.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// An ISO 4217 currency that Quorum knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    minor_digits: u32,
}

impl Currency {
    /// Reads a currency code such as `USD`, naming `field` when it is unknown.
    pub fn parse(code: &str, field: &str) -> ApiResult<Self> {
        let wanted = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == wanted)
            .map(|&(code, minor_digits)| Self { code, minor_digits })
            .ok_or_else(|| {
                ApiError::bad_input(
                    field,
                    format!("{code} is not an ISO 4217 currency code, such as USD or EUR."),
                )
            })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// The most one recorded amount may be: 10¹⁵ minor units (10 trillion USD). Far above any
/// real sponsorship, and low enough that a sum of billions of entries still fits in 64 bits.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// An exact amount of money: integer minor units in a currency.
///
/// Held as an `i128` so that a total of many amounts cannot overflow; a single recorded amount
/// is at most [`MAX_AMOUNT_MINOR`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    amount_minor: i128,
    currency: Currency,
}

impl Money {
    /// One stored amount.
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Self::total(i128::from(amount_minor), currency)
    }

    /// A sum of amounts, which may be past what one amount can be.
    pub fn total(amount_minor: i128, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    /// Reads a non-negative amount given as a decimal string of minor units, as GraphQL clients
    /// send it, at most [`MAX_AMOUNT_MINOR`]. `amount_field` and `currency_field` name the
    /// inputs in errors.
    pub fn parse(
        amount_minor: &str,
        currency: &str,
        amount_field: &str,
        currency_field: &str,
    ) -> ApiResult<Self> {
        let text = amount_minor.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::bad_input(
                amount_field,
                "The amount must be a whole number of minor units (cents), not negative.",
            ));
        }
        let too_large = || {
            ApiError::bad_input(
                amount_field,
                format!(
                    "The amount is above the largest accepted, {MAX_AMOUNT_MINOR} minor units."
                ),
            )
        };
        let amount_minor = text.parse::<i64>().map_err(|_| too_large())?;
        if amount_minor > MAX_AMOUNT_MINOR {
            return Err(too_large());
        }
        Ok(Self::new(
            amount_minor,
            Currency::parse(currency, currency_field)?,
        ))
    }

    /// The amount in minor units.
    pub fn amount_minor(&self) -> i128 {
        self.amount_minor
    }

    /// The amount as a database column holds it. Parsed amounts always fit; a total that does
    /// not is an internal error, never a silent wrap.
    pub fn stored_minor(&self) -> ApiResult<i64> {
        i64::try_from(self.amount_minor)
            .map_err(|_| ApiError::internal("an amount does not fit a 64-bit column"))
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// A human rendering such as `2,500.00 USD`.
    pub fn formatted(&self) -> String {
        let digits = self.currency.minor_digits;
        let magnitude = self.amount_minor.unsigned_abs();
        let scale = 10u128.pow(digits);
        let (major, minor) = (magnitude / scale, magnitude % scale);
        let major = major.to_string();
        let mut grouped = String::with_capacity(major.len() + major.len() / 3);
        for (index, ch) in major.chars().enumerate() {
            if index > 0 && (major.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let width = usize::try_from(digits).unwrap_or(0);
        if digits == 0 {
            format!("{sign}{grouped} {}", self.currency.code)
        } else {
            format!("{sign}{grouped}.{minor:0width$} {}", self.currency.code)
        }
    }
}

/// An exact amount of money: an integer number of the currency's minor unit (cents for USD),
/// never a floating-point number.
#[Object]
impl Money {
    /// The amount in minor units (cents for USD), as a decimal string: exact beyond 2^53.
    #[graphql(name = "amountMinor")]
    async fn amount_minor_field(&self) -> String {
        self.amount_minor.to_string()
    }

    /// The ISO 4217 currency code, such as `USD`.
    #[graphql(name = "currency")]
    async fn currency_field(&self) -> &'static str {
        self.currency.code
    }

    /// The amount for people to read, such as `2,500.00 USD`.
    #[graphql(name = "formatted")]
    async fn formatted_field(&self) -> String {
        self.formatted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_the_currencys_minor_unit() {
        let usd = Currency::parse("usd", "currency").expect("USD");
        assert_eq!(Money::new(250_000, usd).formatted(), "2,500.00 USD");
        assert_eq!(Money::new(5, usd).formatted(), "0.05 USD");
        let jpy = Currency::parse("JPY", "currency").expect("JPY");
        assert_eq!(Money::new(1_234_567, jpy).formatted(), "1,234,567 JPY");
        let kwd = Currency::parse("KWD", "currency").expect("KWD");
        assert_eq!(Money::new(-1_500, kwd).formatted(), "-1.500 KWD");
    }

    #[test]
    fn amounts_up_to_the_maximum_stay_exact() {
        let money =
            Money::parse("999999999999999", "USD", "amountMinor", "currency").expect("exact");
        assert_eq!(money.amount_minor(), 999_999_999_999_999);
        let most = Money::parse("1000000000000000", "USD", "amountMinor", "currency").expect("max");
        assert_eq!(most.amount_minor(), i128::from(MAX_AMOUNT_MINOR));
    }

    #[test]
    fn totals_past_64_bits_format_exactly() {
        let usd = Currency::parse("USD", "currency").expect("USD");
        let total = Money::total(i128::from(i64::MAX) * 2, usd);
        assert_eq!(total.formatted(), "184,467,440,737,095,516.14 USD");
        assert!(total.stored_minor().is_err());
    }

    #[test]
    fn refuses_negative_overflowing_and_unknown() {
        for (amount, currency, field) in [
            ("-1", "USD", "amountMinor"),
            ("1.5", "USD", "amountMinor"),
            ("9223372036854775808", "USD", "amountMinor"),
            ("1000000000000001", "USD", "amountMinor"),
            ("100", "XYZ", "currency"),
        ] {
            let err =
                Money::parse(amount, currency, "amountMinor", "currency").expect_err("refused");
            assert!(
                matches!(err, ApiError::BadUserInput { field: ref f, .. } if f == field),
                "{amount} {currency}: {err:?}"
            );
        }
    }
}
