//! Dutch licence plates (reference/kenteken.md): normalised to upper case
//! without dashes or spaces, and accepted only when they fit a sidecode.

use std::fmt;

/// A normalised, valid Dutch plate: 6 characters of one of the 14 sidecodes.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Kenteken(String);

/// The sidecodes as shapes: `L` a letter A–Z, `9` a digit, `-` where a dash is shown.
const SIDECODES: [&str; 14] = [
    "LL-99-99", "99-99-LL", "99-LL-99", "LL-99-LL", "LL-LL-99", "99-LL-LL", "99-LLL-9", "9-LLL-99",
    "LL-999-L", "L-999-LL", "LLL-99-L", "L-99-LLL", "9-LL-999", "999-LL-9",
];

fn past(compact: &[u8], vorm: &str) -> bool {
    let tekens: Vec<u8> = vorm.bytes().filter(|b| *b != b'-').collect();
    tekens.len() == compact.len()
        && tekens.iter().zip(compact).all(|(v, c)| match v {
            b'L' => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })
}

impl Kenteken {
    /// Normalises (upper case, dashes and spaces removed) and checks the sidecode.
    /// `None` is F07 for the caller.
    pub fn normaliseer(invoer: &str) -> Option<Kenteken> {
        let compact: String = invoer
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = compact.as_bytes();
        SIDECODES
            .iter()
            .any(|v| past(bytes, v))
            .then_some(Kenteken(compact))
    }

    /// The sidecode number (1–14).
    pub fn sidecode(&self) -> usize {
        SIDECODES
            .iter()
            .position(|v| past(self.0.as_bytes(), v))
            .map_or(0, |i| i + 1)
    }

    /// The normalised form, as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kenteken {
    /// The plate with the dashes of its sidecode, as shown to a person.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vorm = SIDECODES[self.sidecode().saturating_sub(1)];
        let mut tekens = self.0.chars();
        for v in vorm.chars() {
            if v == '-' {
                f.write_str("-")?;
            } else if let Some(c) = tekens.next() {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voorbeelden_uit_de_referentie() {
        for (invoer, sidecode) in [
            ("AB-12-34", 1),
            ("12-ABC-3", 7),
            ("1-ABC-23", 8),
            ("GB-123-X", 9),
        ] {
            let k = Kenteken::normaliseer(invoer).unwrap_or_else(|| panic!("{invoer} refused"));
            assert_eq!(k.sidecode(), sidecode, "{invoer}");
            assert_eq!(k.to_string(), invoer, "shown with the sidecode's dashes");
        }
        for fout in ["ABC123", "AB-12-3", "ÄB-12-34", "", "AB-12-345"] {
            assert!(Kenteken::normaliseer(fout).is_none(), "{fout} accepted");
        }
    }

    #[test]
    fn schrijfwijzen_van_hetzelfde_voertuig() {
        assert_eq!(
            Kenteken::normaliseer("12-abc-3"),
            Kenteken::normaliseer("12ABC3")
        );
        assert_eq!(
            Kenteken::normaliseer(" 12 abc 3 ").map(|k| k.as_str().to_owned()),
            Some("12ABC3".to_owned())
        );
    }

    #[test]
    fn elke_sidecode_heeft_een_voorbeeld() {
        let voorbeelden = [
            "AB1234", "1234AB", "12AB34", "AB12CD", "ABCD12", "12ABCD", "12ABC3", "1ABC23",
            "AB123C", "A123BC", "ABC12D", "A12BCD", "1AB234", "123AB4",
        ];
        for (i, v) in voorbeelden.iter().enumerate() {
            assert_eq!(
                Kenteken::normaliseer(v).map(|k| k.sidecode()),
                Some(i + 1),
                "{v}"
            );
        }
    }
}
