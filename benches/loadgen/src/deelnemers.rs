//! Synthetic participants for a load run: N insurers with consecutive codes
//! from a base far from real ones (`CR-7…` by default), written as the
//! participants TOML of operations.md, so the hub loads them with
//! `deelnemers::Deelnemers::laad` like any other file.
//!
//! All are active `verzekeraar`s: the load path has no role restrictions and
//! every participant can be V and A. Interest and BGK alternate so both
//! settlement paths run. Pure: text out, no file written here.

use std::fmt::Write as _;

use clearinghuis::bericht::Deelnemercode;

/// The first code of a load run: `CR-70000001`, a range no real participant uses.
pub const EERSTE_CODE: u32 = 70_000_001;

#[derive(Debug, thiserror::Error)]
pub enum DeelnemersFout {
    #[error("a load run needs at least 2 participants, {0} asked")]
    TeWeinig(usize),
    #[error("participant codes {eerste}..{eerste}+{aantal} do not fit in 8 digits")]
    Bereik { eerste: u32, aantal: usize },
    #[error("generated code {0} is not a participant code")]
    Code(String),
}

/// `aantal` consecutive participant codes from `eerste`.
pub fn codes(aantal: usize, eerste: u32) -> Result<Vec<Deelnemercode>, DeelnemersFout> {
    if aantal < 2 {
        return Err(DeelnemersFout::TeWeinig(aantal));
    }
    let laatste = u64::from(eerste) + aantal as u64 - 1;
    if eerste == 0 || laatste > 99_999_999 {
        return Err(DeelnemersFout::Bereik { eerste, aantal });
    }
    (0..aantal as u64)
        .map(|k| {
            let tekst = format!("CR-{:08}", u64::from(eerste) + k);
            Deelnemercode::new(tekst.as_str()).map_err(|_| DeelnemersFout::Code(tekst))
        })
        .collect()
}

/// A Dutch IBAN for participant number `n` (bank `LOAD`, account = n):
/// check digits by ISO 13616 mod-97, so the hub's check passes.
pub fn iban(n: u32) -> String {
    let bban = format!("LOAD{:010}", n);
    // Rearranged as BBAN + "NL00", letters as two digits (A = 10), folded mod 97.
    let rest = bban.bytes().chain("NL00".bytes()).fold(0u32, |acc, c| {
        if c.is_ascii_digit() {
            (acc * 10 + u32::from(c - b'0')) % 97
        } else {
            (acc * 100 + u32::from(c - b'A') + 10) % 97
        }
    });
    format!("NL{:02}{bban}", 98 - rest)
}

/// The participants file for `codes`.
pub fn toml(codes: &[Deelnemercode]) -> String {
    let mut uit = String::with_capacity(codes.len() * 220);
    for (k, code) in codes.iter().enumerate() {
        let nummer = code
            .as_str()
            .trim_start_matches("CR-")
            .parse::<u32>()
            .unwrap_or(k as u32);
        let naam = format!("Loadgen Verzekeringen {nummer:08} NV");
        // Writing to a String cannot fail.
        let _ = write!(
            uit,
            "[[deelnemer]]\ncode = \"{code}\"\nnaam = \"{naam}\"\nsoort = \"verzekeraar\"\n\
             wettelijke_rente = {}\nbgk = {}\niban = \"{}\"\nbegunstigde = \"{naam}\"\n\n",
            k % 2 == 0,
            k % 3 != 2,
            iban(nummer)
        );
    }
    uit
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearinghuis::deelnemers::{Deelnemers, controleer_iban};

    #[test]
    fn het_bestand_laadt_en_elke_iban_klopt() {
        let codes = codes(50, EERSTE_CODE).expect("codes");
        assert_eq!(codes[0].as_str(), "CR-70000001");
        assert_eq!(codes[49].as_str(), "CR-70000050");
        let register = Deelnemers::lees(&toml(&codes)).expect("the hub accepts the file");
        assert_eq!(register.alle().count(), 50);
        assert!(register.alle().all(|d| d.actief));
        assert!(register.alle().any(|d| d.wettelijke_rente));
        assert!(register.alle().any(|d| !d.bgk));
        for n in [0, 1, 97, 70_000_001, 99_999_999] {
            controleer_iban(&iban(n)).expect("valid IBAN");
        }
    }

    #[test]
    fn grenzen() {
        assert!(matches!(
            codes(1, EERSTE_CODE),
            Err(DeelnemersFout::TeWeinig(1))
        ));
        assert!(codes(2, 99_999_999).is_err());
        assert!(codes(2, 99_999_998).is_ok());
    }
}
