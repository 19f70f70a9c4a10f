//! The XSD files of `schemas/`, compiled into the binary.
//!
//! Integrators validate against `schemas/clearinghuis.xsd`, which includes one
//! file per message family. The hub loads the same text from memory, with the
//! includes inlined ([`gebundeld`]), so it never reads schema files at run time
//! and libxml2 never resolves a location.

mod documentatie;
pub use documentatie::{documentatie, enumeraties};

/// Every schema file: (file name, text). The envelope comes first.
pub const BESTANDEN: &[(&str, &str)] = &[
    (
        "clearinghuis.xsd",
        include_str!("../../schemas/clearinghuis.xsd"),
    ),
    ("typen.xsd", include_str!("../../schemas/typen.xsd")),
    (
        "aanmelding.xsd",
        include_str!("../../schemas/aanmelding.xsd"),
    ),
    (
        "aansprakelijkheid.xsd",
        include_str!("../../schemas/aansprakelijkheid.xsd"),
    ),
    (
        "informatie.xsd",
        include_str!("../../schemas/informatie.xsd"),
    ),
    ("betaling.xsd", include_str!("../../schemas/betaling.xsd")),
    ("afmelding.xsd", include_str!("../../schemas/afmelding.xsd")),
    ("hub.xsd", include_str!("../../schemas/hub.xsd")),
];

#[derive(Debug, thiserror::Error)]
pub enum SchemaFout {
    #[error("schema file {0} is included but not embedded")]
    Ontbreekt(String),
    #[error("schema file {0} has no <xs:schema> element")]
    GeenSchema(String),
    #[error("schema file {0} cannot be read: {1}")]
    Lezen(String, String),
    #[error("type {0} is used but not defined in the schemas")]
    OnbekendType(String),
}

/// The content of a schema file between its `<xs:schema …>` start tag and end tag.
fn binnenkant<'a>(naam: &str, tekst: &'a str) -> Result<&'a str, SchemaFout> {
    let start = tekst
        .find("<xs:schema")
        .and_then(|i| tekst[i..].find('>').map(|j| i + j + 1))
        .ok_or_else(|| SchemaFout::GeenSchema(naam.to_owned()))?;
    let eind = tekst
        .rfind("</xs:schema>")
        .ok_or_else(|| SchemaFout::GeenSchema(naam.to_owned()))?;
    Ok(&tekst[start..eind])
}

/// The envelope schema with every `<xs:include>` replaced by the included file's content.
pub fn gebundeld() -> Result<String, SchemaFout> {
    let (naam, envelop) = BESTANDEN[0];
    let mut uit = String::with_capacity(64 * 1024);
    let mut rest = envelop;
    const INCLUDE: &str = "<xs:include schemaLocation=\"";
    while let Some(i) = rest.find(INCLUDE) {
        uit.push_str(&rest[..i]);
        let na = &rest[i + INCLUDE.len()..];
        let eind = na
            .find('"')
            .ok_or_else(|| SchemaFout::GeenSchema(naam.to_owned()))?;
        let bestand = &na[..eind];
        let tekst = BESTANDEN
            .iter()
            .find(|(n, _)| *n == bestand)
            .map(|(_, t)| *t)
            .ok_or_else(|| SchemaFout::Ontbreekt(bestand.to_owned()))?;
        uit.push_str(binnenkant(bestand, tekst)?);
        let sluit = na
            .find("/>")
            .ok_or_else(|| SchemaFout::GeenSchema(naam.to_owned()))?;
        rest = &na[sluit + 2..];
    }
    uit.push_str(rest);
    Ok(uit)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundel_bevat_alle_families_en_geen_include() {
        let b = super::gebundeld().unwrap();
        assert!(!b.contains("xs:include"));
        for type_naam in [
            "\"Aanmelding\"",
            "\"Eindafrekening\"",
            "\"Foutcode\"",
            "\"Afmelding\"",
        ] {
            assert!(b.contains(type_naam), "{type_naam} missing");
        }
        assert_eq!(b.matches("<xs:schema").count(), 1);
    }
}
