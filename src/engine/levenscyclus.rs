//! The claim lifecycle: the phases of rules.md §4 as one enum, each with its
//! pair of statuses and work folders, and the table of every allowed phase
//! change. The engine refuses to commit a change that is not in the table
//! (an internal error, never a participant's), and `docs/levenscyclus.md`
//! draws the same table, checked by a test.

use std::sync::LazyLock;

use crate::bericht::{Status, Werkmap};

/// Where a claim is, for both parties at once (one row of rules.md §4).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Fase {
    Aangemeld,
    OpvoerenAansprakelijkheid,
    AansprakelijkheidIngediend,
    Tegenvoorstel,
    InformatieVerzoek,
    /// V delivered the information ("Informatieverzoek verstuurd", the
    /// manual's name; stores written before issue 17 call it
    /// `InformatieBeantwoord`).
    #[serde(alias = "InformatieBeantwoord")]
    InformatieVerstuurd,
    Overeenstemming,
    NieuweClaim,
    EindafrekeningVerstuurd,
    Afgerond,
    Gearchiveerd,
    Nagekomen,
    BetalingenOntvangen,
    AfmeldingDoorV,
    AfmeldingDoorA,
    GeenOvereenstemming,
    Afgemeld,
}

/// A party of a claim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Rol {
    /// V, the claimant.
    Verhaler,
    /// A, the party held liable.
    Aansprakelijke,
}

impl Rol {
    pub fn ander(self) -> Rol {
        match self {
            Rol::Verhaler => Rol::Aansprakelijke,
            Rol::Aansprakelijke => Rol::Verhaler,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Rol::Verhaler => "V",
            Rol::Aansprakelijke => "A",
        }
    }
}

impl Fase {
    pub const ALLE: [Fase; 17] = [
        Fase::Aangemeld,
        Fase::OpvoerenAansprakelijkheid,
        Fase::AansprakelijkheidIngediend,
        Fase::Tegenvoorstel,
        Fase::InformatieVerzoek,
        Fase::InformatieVerstuurd,
        Fase::Overeenstemming,
        Fase::NieuweClaim,
        Fase::EindafrekeningVerstuurd,
        Fase::Afgerond,
        Fase::Gearchiveerd,
        Fase::Nagekomen,
        Fase::BetalingenOntvangen,
        Fase::AfmeldingDoorV,
        Fase::AfmeldingDoorA,
        Fase::GeenOvereenstemming,
        Fase::Afgemeld,
    ];

    /// The status and work folder of V and of A, exactly as rules.md §4.
    pub fn statussen(self) -> [(Status, Werkmap); 2] {
        use Status as S;
        use Werkmap::{ActieVerwacht as Actie, Archief, WachtOp as Wacht};
        match self {
            Fase::Aangemeld => [(S::DossierAangemeld, Actie), (S::DossierAangemeld, Wacht)],
            Fase::OpvoerenAansprakelijkheid => [
                (S::OpvoerenAansprakelijkheid, Actie),
                (S::OpvoerenAansprakelijkheid, Wacht),
            ],
            Fase::AansprakelijkheidIngediend => [
                (S::AansprakelijkheidIngediend, Wacht),
                (S::ReagerenOpAansprakelijkheid, Actie),
            ],
            Fase::Tegenvoorstel => [
                (S::TegenvoorstelOntvangen, Actie),
                (S::TegenvoorstelIngediend, Wacht),
            ],
            Fase::InformatieVerzoek => [
                (S::InformatieverzoekOntvangen, Actie),
                (S::InformatieverzoekGestuurd, Wacht),
            ],
            Fase::InformatieVerstuurd => [
                (S::InformatieverzoekVerstuurd, Wacht),
                (S::InformatieOntvangen, Actie),
            ],
            Fase::Overeenstemming => [
                (S::OvereenstemmingBereikt, Actie),
                (S::OvereenstemmingBereikt, Wacht),
            ],
            Fase::NieuweClaim => [(S::NieuweClaim, Actie), (S::OvereenstemmingBereikt, Wacht)],
            Fase::EindafrekeningVerstuurd => [
                (S::EindafrekeningVerstuurd, Wacht),
                (S::EindafrekeningOntvangen, Actie),
            ],
            Fase::Afgerond => [(S::DossierAfgerond, Actie), (S::DossierAfgerond, Wacht)],
            Fase::Gearchiveerd => [
                (S::DossierGearchiveerd, Archief),
                (S::DossierGearchiveerd, Archief),
            ],
            Fase::Nagekomen => [
                (S::NagekomenBetaalverzoek, Wacht),
                (S::NagekomenBetaalverzoek, Actie),
            ],
            Fase::BetalingenOntvangen => [
                (S::BetalingenOntvangen, Actie),
                (S::BetalingenUitgevoerd, Wacht),
            ],
            Fase::AfmeldingDoorV => [(S::AfmeldingVerstuurd, Wacht), (S::DossierAfmelden, Actie)],
            Fase::AfmeldingDoorA => [(S::DossierAfmelden, Actie), (S::AfmeldingVerstuurd, Wacht)],
            Fase::GeenOvereenstemming => [(S::DossierAfmelden, Actie), (S::DossierAfmelden, Actie)],
            Fase::Afgemeld => [(S::DossierAfgemeld, Archief), (S::DossierAfgemeld, Archief)],
        }
    }

    /// One party's status and work folder.
    pub fn van(self, rol: Rol) -> (Status, Werkmap) {
        self.statussen()[rol as usize]
    }

    /// Both parties in Archief: nothing more happens on the claim except a
    /// late payment request after a payment.
    pub fn is_archief(self) -> bool {
        matches!(self, Fase::Gearchiveerd | Fase::Afgemeld)
    }

    /// Liability is still open: positions may be taken and A's number may change.
    pub fn is_aansprakelijkheid_open(self) -> bool {
        matches!(
            self,
            Fase::Aangemeld
                | Fase::OpvoerenAansprakelijkheid
                | Fase::AansprakelijkheidIngediend
                | Fase::Tegenvoorstel
                | Fase::InformatieVerzoek
                | Fase::InformatieVerstuurd
        )
    }

    /// Has been archived at least once (so "before archiving" is over).
    pub fn ooit_gearchiveerd(self) -> bool {
        matches!(
            self,
            Fase::Gearchiveerd | Fase::Afgemeld | Fase::Nagekomen | Fase::BetalingenOntvangen
        )
    }

    /// A party may still withdraw (rules.md §6: any time before archiving, and
    /// not while a withdrawal or the end of the liability talks awaits archiving).
    pub fn afmelding_mogelijk(self) -> bool {
        !self.ooit_gearchiveerd()
            && !matches!(
                self,
                Fase::AfmeldingDoorV | Fase::AfmeldingDoorA | Fase::GeenOvereenstemming
            )
    }

    /// The name used in the lifecycle diagram.
    pub fn naam(self) -> &'static str {
        match self {
            Fase::Aangemeld => "Aangemeld",
            Fase::OpvoerenAansprakelijkheid => "OpvoerenAansprakelijkheid",
            Fase::AansprakelijkheidIngediend => "AansprakelijkheidIngediend",
            Fase::Tegenvoorstel => "Tegenvoorstel",
            Fase::InformatieVerzoek => "InformatieVerzoek",
            Fase::InformatieVerstuurd => "InformatieVerstuurd",
            Fase::Overeenstemming => "Overeenstemming",
            Fase::NieuweClaim => "NieuweClaim",
            Fase::EindafrekeningVerstuurd => "EindafrekeningVerstuurd",
            Fase::Afgerond => "Afgerond",
            Fase::Gearchiveerd => "Gearchiveerd",
            Fase::Nagekomen => "Nagekomen",
            Fase::BetalingenOntvangen => "BetalingenOntvangen",
            Fase::AfmeldingDoorV => "AfmeldingDoorV",
            Fase::AfmeldingDoorA => "AfmeldingDoorA",
            Fase::GeenOvereenstemming => "GeenOvereenstemming",
            Fase::Afgemeld => "Afgemeld",
        }
    }
}

/// What moves a claim from one phase to another (the diagram's labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gebeurtenis {
    Aanmelding,
    AanmeldingMetAansprakelijkstelling,
    Tegenclaim,
    SchadenummerWijziging,
    Aansprakelijkstelling,
    Akkoord,
    Tegenvoorstel,
    NieuwVoorstel,
    Afwijzing,
    InformatieVerzoek,
    InformatieAanlevering,
    /// Never changes the phase.
    Schadespecificatie,
    Betaalverzoek,
    Betaalbevestiging,
    NagekomenBetaalverzoek,
    Archivering,
    AfmeldingDoorV,
    AfmeldingDoorA,
    Passief,
    /// A timer fired (a rappel, the payment term); never changes the phase.
    Termijn,
}

impl Gebeurtenis {
    pub fn naam(self) -> &'static str {
        match self {
            Gebeurtenis::Aanmelding => "Aanmelding",
            Gebeurtenis::AanmeldingMetAansprakelijkstelling => {
                "Aanmelding met aansprakelijkstelling"
            }
            Gebeurtenis::Tegenclaim => "tegenclaim na 50-50",
            Gebeurtenis::SchadenummerWijziging => "SchadenummerWijziging",
            Gebeurtenis::Aansprakelijkstelling => "Aansprakelijkstelling",
            Gebeurtenis::Akkoord => "Akkoord",
            Gebeurtenis::Tegenvoorstel => "Tegenvoorstel",
            Gebeurtenis::NieuwVoorstel => "NieuwVoorstel",
            Gebeurtenis::Afwijzing => "Afwijzing",
            Gebeurtenis::InformatieVerzoek => "InformatieVerzoek",
            Gebeurtenis::InformatieAanlevering => "InformatieAanlevering",
            Gebeurtenis::Schadespecificatie => "Schadespecificatie",
            Gebeurtenis::Betaalverzoek => "Betaalverzoek",
            Gebeurtenis::Betaalbevestiging => "Betaalbevestiging",
            Gebeurtenis::NagekomenBetaalverzoek => "NagekomenBetaalverzoek",
            Gebeurtenis::Archivering => "Archivering",
            Gebeurtenis::AfmeldingDoorV => "Afmelding door V",
            Gebeurtenis::AfmeldingDoorA => "Afmelding door A",
            Gebeurtenis::Passief => "passief",
            Gebeurtenis::Termijn => "termijn",
        }
    }
}

/// One allowed phase change; `van` is `None` for a claim being created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Overgang {
    pub van: Option<Fase>,
    pub door: Gebeurtenis,
    pub naar: Fase,
}

static OVERGANGEN: LazyLock<Vec<Overgang>> = LazyLock::new(bouw_overgangen);

/// Every allowed phase change, in a fixed order.
pub fn overgangen() -> &'static [Overgang] {
    &OVERGANGEN
}

/// Whether the table allows this change. A message that leaves the phase as
/// it is (a specification, a new schadenummer) is not a change.
pub fn toegestaan(van: Option<Fase>, door: Gebeurtenis, naar: Fase) -> bool {
    van == Some(naar)
        || OVERGANGEN
            .iter()
            .any(|o| o.van == van && o.door == door && o.naar == naar)
}

fn bouw_overgangen() -> Vec<Overgang> {
    use Fase as F;
    use Gebeurtenis as G;
    let mut t = Vec::new();
    let mut zet = |van: Option<Fase>, door, naar| t.push(Overgang { van, door, naar });
    zet(None, G::Aanmelding, F::Aangemeld);
    zet(
        None,
        G::AanmeldingMetAansprakelijkstelling,
        F::AansprakelijkheidIngediend,
    );
    zet(None, G::Tegenclaim, F::NieuweClaim);
    // A's own claim on the same accident becomes the counter-claim.
    for van in Fase::ALLE
        .into_iter()
        .filter(|f| f.is_aansprakelijkheid_open())
    {
        zet(Some(van), G::Tegenclaim, F::NieuweClaim);
    }
    zet(
        Some(F::Aangemeld),
        G::SchadenummerWijziging,
        F::OpvoerenAansprakelijkheid,
    );
    for van in [F::Aangemeld, F::OpvoerenAansprakelijkheid] {
        zet(
            Some(van),
            G::Aansprakelijkstelling,
            F::AansprakelijkheidIngediend,
        );
    }
    for van in [
        F::AansprakelijkheidIngediend,
        F::InformatieVerzoek,
        F::InformatieVerstuurd,
    ] {
        zet(Some(van), G::Akkoord, F::Overeenstemming);
        zet(Some(van), G::Tegenvoorstel, F::Tegenvoorstel);
        zet(Some(van), G::Afwijzing, F::GeenOvereenstemming);
    }
    zet(
        Some(F::AansprakelijkheidIngediend),
        G::InformatieVerzoek,
        F::InformatieVerzoek,
    );
    zet(
        Some(F::InformatieVerstuurd),
        G::InformatieVerzoek,
        F::InformatieVerzoek,
    );
    zet(
        Some(F::InformatieVerzoek),
        G::InformatieAanlevering,
        F::InformatieVerstuurd,
    );
    zet(Some(F::Tegenvoorstel), G::Akkoord, F::Overeenstemming);
    zet(
        Some(F::Tegenvoorstel),
        G::NieuwVoorstel,
        F::AansprakelijkheidIngediend,
    );
    zet(Some(F::Tegenvoorstel), G::Afwijzing, F::GeenOvereenstemming);
    // Also the automatic settlement right after a match (BetaalbaarStellen).
    for van in [F::Overeenstemming, F::NieuweClaim] {
        zet(Some(van), G::Betaalverzoek, F::EindafrekeningVerstuurd);
    }
    zet(
        Some(F::EindafrekeningVerstuurd),
        G::Betaalbevestiging,
        F::Afgerond,
    );
    zet(Some(F::Afgerond), G::Archivering, F::Gearchiveerd);
    // A match at 0: nothing to pay, V archives (rules.md §6).
    zet(Some(F::Overeenstemming), G::Archivering, F::Gearchiveerd);
    zet(
        Some(F::Gearchiveerd),
        G::NagekomenBetaalverzoek,
        F::Nagekomen,
    );
    zet(
        Some(F::Nagekomen),
        G::Betaalbevestiging,
        F::BetalingenOntvangen,
    );
    zet(
        Some(F::BetalingenOntvangen),
        G::Archivering,
        F::Gearchiveerd,
    );
    for van in Fase::ALLE.into_iter().filter(|f| f.afmelding_mogelijk()) {
        zet(Some(van), G::AfmeldingDoorV, F::AfmeldingDoorV);
        zet(Some(van), G::AfmeldingDoorA, F::AfmeldingDoorA);
    }
    for van in [F::AfmeldingDoorV, F::AfmeldingDoorA, F::GeenOvereenstemming] {
        zet(Some(van), G::Archivering, F::Afgemeld);
    }
    // rules.md §7: a claim passive for too long is closed for both; one
    // whose settlements are all paid is archived as V would.
    for van in Fase::ALLE.into_iter().filter(|f| !f.is_archief()) {
        zet(Some(van), G::Passief, F::Afgemeld);
    }
    for van in [F::Afgerond, F::BetalingenOntvangen] {
        zet(Some(van), G::Passief, F::Gearchiveerd);
    }
    t
}

/// Whether the normal flow (every change but a withdrawal and the passive
/// close) can still take a claim from `van`, in one step or more, to a phase
/// where `past` holds. A message refused only for its status is *early*
/// (rules.md §7) when this is true: an earlier message may not have arrived.
pub fn later_mogelijk(van: Fase, past: impl Fn(Fase) -> bool) -> bool {
    let normaal = |o: &&Overgang| {
        !matches!(
            o.door,
            Gebeurtenis::Passief | Gebeurtenis::AfmeldingDoorV | Gebeurtenis::AfmeldingDoorA
        )
    };
    let mut gezien = vec![van];
    let mut rij = vec![van];
    while let Some(f) = rij.pop() {
        for o in OVERGANGEN
            .iter()
            .filter(normaal)
            .filter(|o| o.van == Some(f))
        {
            if past(o.naar) {
                return true;
            }
            if !gezien.contains(&o.naar) {
                gezien.push(o.naar);
                rij.push(o.naar);
            }
        }
    }
    false
}

/// The table as a mermaid state diagram, one line per change, in table order.
pub fn mermaid() -> String {
    let mut uit = String::from("stateDiagram-v2\n");
    for o in overgangen() {
        let van = o.van.map_or("[*]", Fase::naam);
        uit.push_str(&format!(
            "    {van} --> {} : {}\n",
            o.naar.naam(),
            o.door.naam()
        ));
    }
    uit
}

/// docs/levenscyclus.md: the diagram and the status table, generated from
/// this module so the picture cannot drift (a test compares the file).
pub fn document() -> String {
    let mut d = String::from(
        "# Claim lifecycle\n\n\
         Generated from `src/engine/levenscyclus.rs` by `clearinghuis schema lifecycle`; \
         a test fails when this file and the engine's transition table differ.\n\n\
         Each phase is one row of rules.md §4: a status and work folder for V and for A. \
         The engine refuses to commit a phase change that is not an arrow here; \
         messages that leave the phase as it is (a specification, a schadenummer, \
         a refused message) are not drawn.\n\n```mermaid\n",
    );
    d.push_str(&mermaid());
    d.push_str("```\n\n| phase | V status | V werkmap | A status | A werkmap |\n| --- | --- | --- | --- | --- |\n");
    for f in Fase::ALLE {
        let [(sv, wv), (sa, wa)] = f.statussen();
        d.push_str(&format!("| {} | {sv} | {wv} | {sa} | {wa} |\n", f.naam()));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn elke_fase_is_bereikbaar_en_de_tabel_heeft_geen_dubbelen() {
        let t = overgangen();
        let uniek: BTreeSet<_> = t.iter().collect();
        assert_eq!(uniek.len(), t.len());
        for f in Fase::ALLE {
            assert!(t.iter().any(|o| o.naar == f), "{f:?} unreachable");
        }
    }

    #[test]
    fn werkmappen_volgen_de_tabel_van_paragraaf_4() {
        // Exactly one party acts, or both archive, or both must archive.
        for f in Fase::ALLE {
            let [(_, v), (_, a)] = f.statussen();
            let ok = matches!(
                (v, a),
                (Werkmap::ActieVerwacht, Werkmap::WachtOp)
                    | (Werkmap::WachtOp, Werkmap::ActieVerwacht)
                    | (Werkmap::Archief, Werkmap::Archief)
            ) || f == Fase::GeenOvereenstemming;
            assert!(ok, "{f:?}");
        }
    }
}
