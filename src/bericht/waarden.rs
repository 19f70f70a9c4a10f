//! Value types of the message catalogue: identifiers, amounts, dates and text.
//!
//! Each type checks on construction what its XSD simple type (schemas/typen.xsd)
//! checks, so a value that exists can always be written as a valid message.
//! Types whose XSD base collapses whitespace (decimal, date, dateTime, boolean,
//! integer) are trimmed when read, exactly as a schema validator does.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A text that does not fit its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{waarde}' is not a valid {soort}: {regel}")]
pub struct OngeldigeWaarde {
    pub soort: &'static str,
    pub waarde: String,
    pub regel: &'static str,
}

fn ongeldig(soort: &'static str, waarde: &str, regel: &'static str) -> OngeldigeWaarde {
    OngeldigeWaarde {
        soort,
        waarde: waarde.chars().take(80).collect(),
        regel,
    }
}

/// XML whitespace, as the XSD whiteSpace facet knows it.
fn xml_trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

macro_rules! tekstwaarde {
    ($(#[$meta:meta])* $naam:ident, $regel:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $naam(String);

        impl $naam {
            pub fn new(s: impl Into<String>) -> Result<Self, OngeldigeWaarde> {
                let s = s.into();
                let check: fn(&str) -> bool = $check;
                if check(&s) {
                    Ok($naam(s))
                } else {
                    Err(ongeldig(stringify!($naam), &s, $regel))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $naam {
            type Err = OngeldigeWaarde;
            fn from_str(s: &str) -> Result<Self, OngeldigeWaarde> {
                $naam::new(s)
            }
        }

        impl fmt::Display for $naam {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $naam {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $naam {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $naam {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $naam::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

fn ascii_met(s: &str, min: usize, max: usize, teken: impl Fn(u8) -> bool) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(teken)
}

fn prefix_cijfers(s: &str, prefix: &str, n: usize) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == n && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// XML 1.0 `Char` production: what a text may hold at all.
fn xml_teken(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn geen_xml_spatie(c: char) -> bool {
    !matches!(c, ' ' | '\t' | '\n' | '\r')
}

tekstwaarde!(
    /// Unique per sender: 1 to 64 of `[A-Za-z0-9._:-]`.
    BerichtId,
    "1 to 64 of A-Z a-z 0-9 . _ : -",
    |s| ascii_met(s, 1, 64, |b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
);

impl BerichtId {
    /// The hub's own BerichtId: `CR-HUB-` and 10 digits, counting from 1.
    pub fn hub(volgnummer: u64) -> BerichtId {
        BerichtId(format!("CR-HUB-{volgnummer:010}"))
    }
}

tekstwaarde!(
    /// A participant's code, `CR-` and 8 digits, or `CR-HUB`.
    Deelnemercode,
    "CR- and 8 digits, or CR-HUB",
    |s| s == "CR-HUB" || prefix_cijfers(s, "CR-", 8)
);

impl Deelnemercode {
    pub fn hub() -> Deelnemercode {
        Deelnemercode("CR-HUB".to_owned())
    }
    pub fn is_hub(&self) -> bool {
        self.0 == "CR-HUB"
    }
}

tekstwaarde!(
    /// The hub's claim id, `CL-` and 8 digits.
    ClaimId,
    "CL- and 8 digits",
    |s| prefix_cijfers(s, "CL-", 8)
);

impl ClaimId {
    pub fn van_volgnummer(n: u32) -> ClaimId {
        ClaimId(format!("CL-{n:08}"))
    }
}

tekstwaarde!(
    /// The hub's accident id, `OG-` and 8 digits.
    OngevalId,
    "OG- and 8 digits",
    |s| prefix_cijfers(s, "OG-", 8)
);

impl OngevalId {
    pub fn van_volgnummer(n: u32) -> OngevalId {
        OngevalId(format!("OG-{n:08}"))
    }
}

tekstwaarde!(
    /// Payment reference: the ClaimId, `-` and the settlement's number on that claim.
    Betaalkenmerk,
    "ClaimId, a dash and a number 1 to 999999",
    |s| {
        s.len() > 12
            && prefix_cijfers(&s[..11], "CL-", 8)
            && s[11..].strip_prefix('-').is_some_and(|n| {
                (1..=6).contains(&n.len())
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0')
            })
    }
);

impl Betaalkenmerk {
    pub fn new_voor(claim: &ClaimId, volgnummer: u32) -> Betaalkenmerk {
        Betaalkenmerk(format!("{claim}-{volgnummer}"))
    }
}

fn zonder_spaties(s: &str, max: usize) -> bool {
    let n = s.chars().count();
    (1..=max).contains(&n) && s.chars().all(|c| xml_teken(c) && !c.is_whitespace())
}

tekstwaarde!(
    /// A party's own claim number: 1 to 64 characters, no whitespace.
    Schadenummer,
    "1 to 64 characters without spaces",
    |s| zonder_spaties(s, 64)
);

tekstwaarde!(
    /// Policy number: 1 to 64 characters, no whitespace.
    Polisnummer,
    "1 to 64 characters without spaces",
    |s| zonder_spaties(s, 64)
);

tekstwaarde!(
    /// A licence plate as the sender wrote it (1 to 16 characters). Whether it is
    /// a Dutch plate is a business rule (F07), not a schema rule.
    KentekenInvoer,
    "1 to 16 characters",
    |s| (1..=16).contains(&s.chars().count()) && s.chars().all(xml_teken)
);

tekstwaarde!(
    /// IBAN as written in a settlement: upper case, no spaces.
    Iban,
    "two letters, two digits, then 1 to 30 of A-Z 0-9",
    |s| {
        let b = s.as_bytes();
        b.len() >= 5
            && b.len() <= 34
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2..4].iter().all(u8::is_ascii_digit)
            && b[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    }
);

tekstwaarde!(
    /// Telephone number: optional `+`, a digit, then 2 to 19 of digits, spaces, dashes.
    Telefoon,
    "optional +, then 3 to 20 digits, spaces or dashes starting with a digit",
    |s| {
        let rest = s.strip_prefix('+').unwrap_or(s);
        let b = rest.as_bytes();
        (3..=20).contains(&b.len())
            && b[0].is_ascii_digit()
            && b[1..].iter().all(|c| c.is_ascii_digit() || *c == b' ' || *c == b'-')
    }
);

tekstwaarde!(
    /// MIME type of an attachment, e.g. `image/jpeg`.
    MimeType,
    "type/subtype",
    |s| s.split_once('/').is_some_and(|(t, sub)| {
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_lowercase())
            && !sub.is_empty()
            && sub
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
    })
);

tekstwaarde!(
    /// File name of an attachment: 1 to 200 characters, no path separators.
    Bestandsnaam,
    "1 to 200 characters without / or \\, not starting with a space",
    |s| {
        let n = s.chars().count();
        (1..=200).contains(&n)
            && s.chars().all(|c| xml_teken(c) && c != '/' && c != '\\')
            && s.chars().next().is_some_and(geen_xml_spatie)
    }
);

/// Free text of 1 to `MAX` characters that is not only whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tekst<const MAX: usize>(String);

/// An explanation (`Toelichting`, `Omschrijving`, `ExtraInfo`): up to 2000 characters.
pub type Toelichting = Tekst<2000>;
/// A short text (names, a location, a component's description): up to 200 characters.
pub type KorteTekst = Tekst<200>;

impl<const MAX: usize> Tekst<MAX> {
    pub fn new(s: impl Into<String>) -> Result<Self, OngeldigeWaarde> {
        let s = s.into();
        let n = s.chars().count();
        if (1..=MAX).contains(&n) && s.chars().all(xml_teken) && s.chars().any(geen_xml_spatie) {
            Ok(Tekst(s))
        } else {
            Err(ongeldig(
                "text",
                &s,
                "1 to the maximum number of characters, not only spaces",
            ))
        }
    }

    /// Cuts a longer text to fit (at a character boundary, with an ellipsis),
    /// for texts the hub composes itself from parts it does not control.
    pub fn afgekapt(s: &str) -> Self {
        let s = if s.chars().any(geen_xml_spatie) {
            s
        } else {
            "-"
        };
        let schoon: String = s.chars().filter(|c| xml_teken(*c)).collect();
        if schoon.chars().count() <= MAX {
            return Tekst(schoon);
        }
        let mut kort: String = schoon.chars().take(MAX - 1).collect();
        kort.push('…');
        Tekst(kort)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Display for Tekst<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> Serialize for Tekst<MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Tekst<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Tekst::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn lees_getrimd<'de, D: Deserializer<'de>, T: FromStr>(d: D, soort: &str) -> Result<T, D::Error>
where
    T::Err: fmt::Display,
{
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    xml_trim(&s)
        .parse()
        .map_err(|e| serde::de::Error::custom(format!("'{s}' is not a valid {soort}: {e}")))
}

fn decimaal_met(s: &str, heel: usize, fractie: usize) -> bool {
    let (h, f) = s.split_once('.').unwrap_or((s, ""));
    (1..=heel).contains(&h.len())
        && h.bytes().all(|b| b.is_ascii_digit())
        && (!s.contains('.') || (1..=fractie).contains(&f.len()))
        && f.bytes().all(|b| b.is_ascii_digit())
}

/// An amount in euros: not negative, at most 2 decimals, at most 12 digits
/// before the point. Written with exactly 2 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bedrag(Decimal);

impl Bedrag {
    pub const NUL: Bedrag = Bedrag(Decimal::ZERO);

    /// An amount that already has at most 2 decimals.
    pub fn new(waarde: Decimal) -> Result<Bedrag, OngeldigeWaarde> {
        let grens = Decimal::new(99_999_999_999_999, 2);
        if waarde.is_sign_negative() && !waarde.is_zero() {
            return Err(ongeldig("Bedrag", &waarde.to_string(), "not negative"));
        }
        if waarde.normalize().scale() > 2 {
            return Err(ongeldig(
                "Bedrag",
                &waarde.to_string(),
                "at most 2 decimals",
            ));
        }
        if waarde > grens {
            return Err(ongeldig(
                "Bedrag",
                &waarde.to_string(),
                "at most 12 digits before the point",
            ));
        }
        Ok(Bedrag(waarde.abs()))
    }

    /// `round2` of rules.md §5: half away from zero, to cents.
    pub fn afgerond(waarde: Decimal) -> Result<Bedrag, OngeldigeWaarde> {
        Bedrag::new(
            waarde.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
    }

    pub fn waarde(self) -> Decimal {
        self.0
    }
}

impl FromStr for Bedrag {
    type Err = OngeldigeWaarde;
    fn from_str(s: &str) -> Result<Bedrag, OngeldigeWaarde> {
        if !decimaal_met(s, 12, 2) {
            return Err(ongeldig(
                "Bedrag",
                s,
                "digits with at most 2 decimals and a '.' separator",
            ));
        }
        let d = Decimal::from_str_exact(s).map_err(|_| ongeldig("Bedrag", s, "a number"))?;
        Bedrag::new(d)
    }
}

impl fmt::Display for Bedrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        write!(f, "{d}")
    }
}

impl Serialize for Bedrag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bedrag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lees_getrimd(d, "Bedrag")
    }
}

/// An intermediate amount of an interest calculation: not negative, written
/// with at most 10 decimals (rounded half away from zero for display only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Rekenbedrag(Decimal);

impl Rekenbedrag {
    pub fn new(waarde: Decimal) -> Result<Rekenbedrag, OngeldigeWaarde> {
        if waarde.is_sign_negative() && !waarde.is_zero() {
            return Err(ongeldig("Rekenbedrag", &waarde.to_string(), "not negative"));
        }
        if waarde >= Decimal::new(1_000_000_000_000, 0) {
            return Err(ongeldig(
                "Rekenbedrag",
                &waarde.to_string(),
                "at most 12 digits before the point",
            ));
        }
        Ok(Rekenbedrag(
            waarde
                .abs()
                .round_dp_with_strategy(10, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        ))
    }
    pub fn waarde(self) -> Decimal {
        self.0
    }
}

impl FromStr for Rekenbedrag {
    type Err = OngeldigeWaarde;
    fn from_str(s: &str) -> Result<Rekenbedrag, OngeldigeWaarde> {
        if !decimaal_met(s, 12, 10) {
            return Err(ongeldig(
                "Rekenbedrag",
                s,
                "digits with at most 10 decimals",
            ));
        }
        let d = Decimal::from_str_exact(s).map_err(|_| ongeldig("Rekenbedrag", s, "a number"))?;
        Rekenbedrag::new(d)
    }
}

impl fmt::Display for Rekenbedrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Rekenbedrag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rekenbedrag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lees_getrimd(d, "Rekenbedrag")
    }
}

/// A yearly interest rate in percent, at most 4 decimals (e.g. `4`, `6.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rentepercentage(Decimal);

impl Rentepercentage {
    pub fn new(waarde: Decimal) -> Result<Rentepercentage, OngeldigeWaarde> {
        let w = waarde.normalize();
        if w.is_sign_negative() && !w.is_zero() || w.scale() > 4 || w >= Decimal::new(1000, 0) {
            return Err(ongeldig(
                "Rentepercentage",
                &waarde.to_string(),
                "0 to 999.9999 with at most 4 decimals",
            ));
        }
        Ok(Rentepercentage(w.abs()))
    }
    pub fn waarde(self) -> Decimal {
        self.0
    }
}

impl FromStr for Rentepercentage {
    type Err = OngeldigeWaarde;
    fn from_str(s: &str) -> Result<Rentepercentage, OngeldigeWaarde> {
        if !decimaal_met(s, 3, 4) {
            return Err(ongeldig(
                "Rentepercentage",
                s,
                "digits with at most 4 decimals",
            ));
        }
        let d =
            Decimal::from_str_exact(s).map_err(|_| ongeldig("Rentepercentage", s, "a number"))?;
        Rentepercentage::new(d)
    }
}

impl fmt::Display for Rentepercentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Rentepercentage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rentepercentage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lees_getrimd(d, "Rentepercentage")
    }
}

/// serde for `xs:date` without a zone (`YYYY-MM-DD`), trimmed when read.
pub mod datum {
    use super::*;

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(xml_trim(&s)).map_err(serde::de::Error::custom)
    }

    /// Parses exactly `YYYY-MM-DD` with a year from 1 to 9999.
    pub fn parse(s: &str) -> Result<NaiveDate, OngeldigeWaarde> {
        let vorm = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let d = vorm
            .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .flatten()
            .filter(|d| d.year() >= 1)
            .ok_or_else(|| ongeldig("Datum", s, "a date YYYY-MM-DD"))?;
        Ok(d)
    }

    pub mod optie {
        use super::*;
        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

/// serde for `xs:dateTime` with an offset, trimmed when read. Written as
/// RFC 3339 with the offset as `+hh:mm`, fractions only when present.
pub mod tijdstip {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub fn format(t: &DateTime<FixedOffset>) -> String {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(xml_trim(&s)).map_err(serde::de::Error::custom)
    }

    /// Parses an `xs:dateTime` that carries an offset (`Z` or `±hh:mm`).
    pub fn parse(s: &str) -> Result<DateTime<FixedOffset>, OngeldigeWaarde> {
        let fout = || ongeldig("Tijdstip", s, "a date and time with an offset");
        if s.len() < 20 || s.as_bytes()[10] != b'T' {
            return Err(fout());
        }
        let t = DateTime::parse_from_rfc3339(s).map_err(|_| fout())?;
        if t.year() < 1 {
            return Err(fout());
        }
        Ok(t)
    }
}

/// serde for `xs:boolean` restricted to `true`/`false`, trimmed when read.
pub mod waarheid {
    use super::*;

    pub fn serialize<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *b { "true" } else { "false" })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match xml_trim(&s) {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(serde::de::Error::custom(format!(
                "'{s}' is not true or false"
            ))),
        }
    }

    pub mod optie {
        use super::*;
        pub fn serialize<S: Serializer>(b: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
            match b {
                Some(b) => super::serialize(b, s),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

/// serde for non-negative `xs:integer` fields (counts, sequence numbers), trimmed when read.
pub mod getal {
    use super::*;

    pub fn serialize<S: Serializer>(n: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(n)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        lees_getrimd(d, "number")
    }

    pub mod optie {
        use super::*;
        pub fn serialize<S: Serializer>(n: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
            match n {
                Some(n) => super::serialize(n, s),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bedrag_leest_en_schrijft_twee_decimalen() {
        assert_eq!("1875.4".parse::<Bedrag>().unwrap().to_string(), "1875.40");
        assert_eq!("0".parse::<Bedrag>().unwrap().to_string(), "0.00");
        for fout in [
            "-1.00",
            "1,50",
            "1.505",
            "1.",
            ".5",
            "+1",
            "1e3",
            "",
            "1234567890123",
        ] {
            assert!(fout.parse::<Bedrag>().is_err(), "{fout} should be refused");
        }
        assert!(Bedrag::new(Decimal::new(1505, 3)).is_err());
        assert_eq!(
            Bedrag::afgerond(Decimal::new(1005, 3)).unwrap().to_string(),
            "1.01",
            "round half away from zero"
        );
    }

    #[test]
    fn identificaties() {
        assert!(Deelnemercode::new("CR-00820000").is_ok());
        assert!(Deelnemercode::new("CR-HUB").is_ok());
        assert!(Deelnemercode::new("CR-0082000").is_err());
        assert_eq!(BerichtId::hub(1).as_str(), "CR-HUB-0000000001");
        assert_eq!(ClaimId::van_volgnummer(7).as_str(), "CL-00000007");
        assert!(Betaalkenmerk::new("CL-00000001-1").is_ok());
        assert!(Betaalkenmerk::new("CL-00000001-01").is_err());
        assert!(Betaalkenmerk::new("CL-00000001").is_err());
        assert!(BerichtId::new("a b").is_err());
        assert!(BerichtId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn datums_en_tijden() {
        assert!(datum::parse("2026-02-30").is_err());
        assert!(datum::parse("2026-2-3").is_err());
        assert!(datum::parse("2026-02-27Z").is_err());
        let t = tijdstip::parse("2026-03-02T09:15:00+01:00").unwrap();
        assert_eq!(tijdstip::format(&t), "2026-03-02T09:15:00+01:00");
        assert!(tijdstip::parse("2026-03-02T09:15:00").is_err());
        assert_eq!(
            tijdstip::format(&tijdstip::parse("2026-03-02T09:15:00Z").unwrap()),
            "2026-03-02T09:15:00+00:00"
        );
    }

    #[test]
    fn tekst_afkappen() {
        let t = KorteTekst::afgekapt(&"x".repeat(500));
        assert_eq!(t.as_str().chars().count(), 200);
        assert!(KorteTekst::new("   ").is_err());
        assert_eq!(KorteTekst::afgekapt("  ").as_str(), "-");
    }
}
