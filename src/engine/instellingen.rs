//! The settings the rules depend on (operations.md "Configuration"), at the
//! bottom of the engine: reference data and durations, read by the rules.

use super::bgk::Bgkstaffel;
use super::referentie::{Plafonds, Toedrachtlijst};
use super::wettelijke_rente::Rentetabel;

/// The settings the rules depend on (operations.md "Configuration").
#[derive(Debug, Clone, PartialEq)]
pub struct Instellingen {
    pub toedracht: Toedrachtlijst,
    pub plafonds: Plafonds,
    pub rente: Rentetabel,
    pub bgk: Bgkstaffel,
    pub termijnen: Termijnen,
}

impl Default for Instellingen {
    fn default() -> Self {
        Instellingen {
            toedracht: Toedrachtlijst::standaard(),
            plafonds: Plafonds::standaard(),
            rente: Rentetabel::standaard(),
            bgk: Bgkstaffel::standaard(),
            termijnen: Termijnen::default(),
        }
    }
}

/// The durations of rules.md §7 (used by the timers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Termijnen {
    pub rappel_aansprakelijkheid_dagen: u32,
    pub rappel_schadebedrag_dagen: u32,
    pub betaaltermijn_dagen: u32,
    pub passief_dagen: u32,
    pub vroege_berichten_seconden: u32,
}

impl Default for Termijnen {
    fn default() -> Self {
        Termijnen {
            rappel_aansprakelijkheid_dagen: 21,
            rappel_schadebedrag_dagen: 21,
            betaaltermijn_dagen: 14,
            passief_dagen: 150,
            vroege_berichten_seconden: 100,
        }
    }
}
