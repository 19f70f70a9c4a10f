//! Code lists of the message catalogue (messages.md "Code lists"), one enum each.
//!
//! Every list is declared once through [`codelijst!`], which gives the enum its
//! wire text, parsing, serde and the list of all values. The XSD enumerations
//! are checked against [`Codelijst::ALLE`] by a test, so the two cannot drift.

use std::fmt;
use std::str::FromStr;

/// A closed list of codes with a fixed wire text per value.
pub trait Codelijst: Sized + Copy + 'static {
    /// Name of the XSD simple type that carries this list.
    const XSD_TYPE: &'static str;
    /// Every value, in the order of the XSD.
    const ALLE: &'static [Self];
    /// The text on the wire.
    fn als_tekst(self) -> &'static str;
}

/// Text that is not a value of a code list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{waarde}' is not a value of {lijst}")]
pub struct OnbekendeCode {
    pub lijst: &'static str,
    pub waarde: String,
}

macro_rules! codelijst {
    ($(#[$meta:meta])* $naam:ident, $xsd:literal { $($variant:ident = $tekst:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $naam { $($variant),+ }

        impl Codelijst for $naam {
            const XSD_TYPE: &'static str = $xsd;
            const ALLE: &'static [Self] = &[$($naam::$variant),+];
            fn als_tekst(self) -> &'static str {
                match self { $($naam::$variant => $tekst),+ }
            }
        }

        impl FromStr for $naam {
            type Err = OnbekendeCode;
            fn from_str(s: &str) -> Result<Self, OnbekendeCode> {
                match s {
                    $($tekst => Ok($naam::$variant),)+
                    _ => Err(OnbekendeCode { lijst: $xsd, waarde: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $naam {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.als_tekst())
            }
        }

        impl serde::Serialize for $naam {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.als_tekst())
            }
        }

        impl<'de> serde::Deserialize<'de> for $naam {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let tekst = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                tekst.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

codelijst!(
    /// OVS-code of the simplified settlement agreement (rules.md §3).
    OvsCode, "OvsCode" {
        Nul = "0", Een = "1", Twee = "2", Drie = "3", Vier = "4", Vijf = "5", Zes = "6",
    }
);

codelijst!(
    /// The share of V's damage that A pays.
    Verhaalpercentage, "Verhaalpercentage" { Nul = "0", Vijftig = "50", Honderd = "100" }
);

impl Verhaalpercentage {
    /// The percentage as a number, for arithmetic.
    pub fn procent(self) -> u32 {
        match self {
            Verhaalpercentage::Nul => 0,
            Verhaalpercentage::Vijftig => 50,
            Verhaalpercentage::Honderd => 100,
        }
    }
}

codelijst!(
    /// How the accident happened (reference/toedracht.md).
    Toedrachtcode, "Toedrachtcode" {
        KopStaart = "KopStaart",
        Voorrang = "Voorrang",
        StilstaandVoertuig = "StilstaandVoertuig",
        Rijstrookwisseling = "Rijstrookwisseling",
        AchteruitKeren = "AchteruitKeren",
        PortierOpenen = "PortierOpenen",
        GelijktijdigWisselen = "GelijktijdigWisselen",
        Kruispunt = "Kruispunt",
        Anders = "Anders",
    }
);

codelijst!(Dekking, "Dekking" { Casco = "CASCO", Wa = "WA" });

codelijst!(Schadeformulier, "Schadeformulier" {
    EenPartijOndertekend = "EenPartijOndertekend",
    BeidePartijenOndertekend = "BeidePartijenOndertekend",
    NietAanwezig = "NietAanwezig",
});

codelijst!(Document, "Document" {
    Politierapport = "Politierapport",
    Getuigenverklaring = "Getuigenverklaring",
    Schadeformulier = "Schadeformulier",
    Fotos = "Fotos",
    Expertiserapport = "Expertiserapport",
});

codelijst!(
    /// Data A may ask V to complete.
    Gegeven, "Gegeven" { Polisnummer = "Polisnummer", Bestuurder = "Bestuurder" }
);

codelijst!(
    /// Why A asks for information.
    Reden, "Reden" {
        AansprakelijkheidOnduidelijk = "AansprakelijkheidOnduidelijk",
        DekkingOnduidelijk = "DekkingOnduidelijk",
        GegevensOntbreken = "GegevensOntbreken",
        Anders = "Anders",
    }
);

codelijst!(
    /// Reason of a withdrawal; M21 and M22 are the hub's own.
    Afmeldreden, "Afmeldreden" {
        M11 = "M11", M12 = "M12", M13 = "M13", M14 = "M14", M15 = "M15", M16 = "M16",
        M17 = "M17", M18 = "M18", M19 = "M19", M20 = "M20", M21 = "M21", M22 = "M22",
    }
);

codelijst!(
    /// Damage component (rules.md §5).
    Schadecomponent, "Schadecomponent" {
        Voertuigschade = "Voertuigschade",
        Autohuur = "Autohuur",
        EigenRisico = "EigenRisico",
        Waardevermindering = "Waardevermindering",
        Bedrijfsregelingen = "Bedrijfsregelingen",
        OverigePersoonlijk = "OverigePersoonlijk",
        Expertisekosten = "Expertisekosten",
        OverigeKosten = "OverigeKosten",
    }
);

codelijst!(
    /// A party's status of a claim (rules.md §4).
    Status, "Status" {
        DossierAangemeld = "Dossier aangemeld",
        OpvoerenAansprakelijkheid = "Opvoeren aansprakelijkheid",
        AansprakelijkheidIngediend = "Aansprakelijkheid ingediend",
        ReagerenOpAansprakelijkheid = "Reageren op aansprakelijkheid",
        TegenvoorstelOntvangen = "Tegenvoorstel ontvangen",
        TegenvoorstelIngediend = "Tegenvoorstel ingediend",
        InformatieverzoekOntvangen = "Informatieverzoek ontvangen",
        InformatieverzoekGestuurd = "Informatieverzoek gestuurd",
        InformatieverzoekVerstuurd = "Informatieverzoek verstuurd",
        InformatieOntvangen = "Informatie ontvangen",
        OvereenstemmingBereikt = "Overeenstemming bereikt",
        EindafrekeningVerstuurd = "Eindafrekening verstuurd",
        EindafrekeningOntvangen = "Eindafrekening ontvangen",
        DossierAfgerond = "Dossier afgerond",
        DossierGearchiveerd = "Dossier gearchiveerd",
        NagekomenBetaalverzoek = "Nagekomen betaalverzoek",
        BetalingenOntvangen = "Betaling(en) ontvangen",
        BetalingenUitgevoerd = "Betaling(en) uitgevoerd",
        AfmeldingVerstuurd = "Afmelding verstuurd",
        DossierAfmelden = "Dossier afmelden",
        DossierAfgemeld = "Dossier afgemeld",
        NieuweClaim = "Nieuwe claim",
    }
);

codelijst!(Werkmap, "Werkmap" {
    ActieVerwacht = "ActieVerwacht",
    WachtOp = "WachtOp",
    Archief = "Archief",
});

codelijst!(
    /// Kind of a step in the liability history of an `Overeenstemming`.
    Standpuntsoort, "Standpuntsoort" {
        Aansprakelijkstelling = "Aansprakelijkstelling",
        Tegenvoorstel = "Tegenvoorstel",
        NieuwVoorstel = "NieuwVoorstel",
        Akkoord = "Akkoord",
        Afwijzing = "Afwijzing",
    }
);

codelijst!(Eindafrekeningsoort, "Eindafrekeningsoort" {
    Regulier = "Regulier",
    Nagekomen = "Nagekomen",
});

codelijst!(Rappelsoort, "Rappelsoort" {
    Aansprakelijkheid = "Aansprakelijkheid",
    Schadebedrag = "Schadebedrag",
    Betaling = "Betaling",
});

codelijst!(Systeemmeldingsoort, "Systeemmeldingsoort" {
    TegenclaimAangemaakt = "TegenclaimAangemaakt",
    BetaaltermijnVerstreken = "BetaaltermijnVerstreken",
    Passief = "Passief",
    Gearchiveerd = "Gearchiveerd",
    VroegBerichtVerlopen = "VroegBerichtVerlopen",
});

codelijst!(
    /// Error code of a `Foutbericht` (messages.md "Error codes").
    Foutcode, "Foutcode" {
        T01 = "T01", T02 = "T02", T03 = "T03", T04 = "T04", T05 = "T05", T06 = "T06",
        A01 = "A01", A02 = "A02", A03 = "A03",
        F01 = "F01", F02 = "F02", F03 = "F03", F04 = "F04", F05 = "F05", F06 = "F06",
        F07 = "F07", F08 = "F08", F09 = "F09", F10 = "F10", F11 = "F11", F12 = "F12",
        F13 = "F13", F14 = "F14", F15 = "F15",
    }
);

/// Every code list with its XSD type name and wire values, for the drift test
/// and the generated integrator documentation.
pub fn alle_codelijsten() -> Vec<(&'static str, Vec<&'static str>)> {
    fn lijst<C: Codelijst>() -> (&'static str, Vec<&'static str>) {
        (C::XSD_TYPE, C::ALLE.iter().map(|c| c.als_tekst()).collect())
    }
    vec![
        lijst::<OvsCode>(),
        lijst::<Verhaalpercentage>(),
        lijst::<Toedrachtcode>(),
        lijst::<Dekking>(),
        lijst::<Schadeformulier>(),
        lijst::<Document>(),
        lijst::<Gegeven>(),
        lijst::<Reden>(),
        lijst::<Afmeldreden>(),
        lijst::<Schadecomponent>(),
        lijst::<Status>(),
        lijst::<Werkmap>(),
        lijst::<Standpuntsoort>(),
        lijst::<Eindafrekeningsoort>(),
        lijst::<Rappelsoort>(),
        lijst::<Systeemmeldingsoort>(),
        lijst::<Foutcode>(),
    ]
}
