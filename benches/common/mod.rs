//! What both benchmarks build: the example `InformatieAanlevering` with a
//! larger attachment.

use std::path::PathBuf;

/// One line of base64, as mail and most encoders write it (76 characters).
pub const BASE64: &str =
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An `InformatieAanlevering` of `grootte` bytes: the example with a larger
/// attachment, in base64 lines of 76 characters.
pub fn aanlevering(grootte: usize) -> Vec<u8> {
    let voorbeeld =
        std::fs::read_to_string(root().join("fixtures/spec/07-informatieaanlevering.xml"))
            .expect("example");
    let begin = voorbeeld.find("<Inhoud>").expect("Inhoud") + "<Inhoud>".len();
    let eind = voorbeeld.find("</Inhoud>").expect("/Inhoud");
    let rest = voorbeeld.len() - (eind - begin);
    let mut inhoud = BASE64.repeat((grootte - rest) / BASE64.len());
    while rest + inhoud.len() + 4 <= grootte {
        inhoud.push_str("QUJD");
    }
    let mut uit = format!("{}{}{}", &voorbeeld[..begin], inhoud, &voorbeeld[eind..]);
    while uit.len() < grootte {
        uit.insert(uit.len() - 1, '\n');
    }
    assert_eq!(uit.len(), grootte);
    uit.into_bytes()
}
