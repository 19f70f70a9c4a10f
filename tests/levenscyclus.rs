//! docs/levenscyclus.md is the engine's transition table: the file must be
//! exactly what the engine generates, and its arrows exactly the table's.

use std::collections::BTreeSet;

use clearinghuis::engine::levenscyclus::{self, Fase};

const PAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/levenscyclus.md");

#[test]
fn het_document_is_de_tabel_van_de_engine() {
    let doc = std::fs::read_to_string(PAD).expect("docs/levenscyclus.md exists");
    assert_eq!(
        doc,
        levenscyclus::document(),
        "docs/levenscyclus.md is out of date: run `cargo run -- schema lifecycle > docs/levenscyclus.md`"
    );
}

#[test]
fn de_pijlen_in_het_diagram_zijn_precies_de_overgangen() {
    let doc = std::fs::read_to_string(PAD).expect("docs/levenscyclus.md exists");
    let blok = doc
        .split("```mermaid\n")
        .nth(1)
        .and_then(|r| r.split("```").next())
        .expect("a mermaid block");
    let naam = |n: &str| {
        Fase::ALLE
            .into_iter()
            .find(|f| f.naam() == n)
            .unwrap_or_else(|| panic!("unknown phase {n} in the diagram"))
    };
    let pijlen: BTreeSet<(Option<Fase>, String, Fase)> = blok
        .lines()
        .filter(|l| l.contains("-->"))
        .map(|l| {
            let (van, rest) = l.trim().split_once(" --> ").expect("an arrow");
            let (naar, label) = rest.split_once(" : ").expect("a label");
            let van = (van != "[*]").then(|| naam(van));
            (van, label.to_owned(), naam(naar))
        })
        .collect();
    let tabel: BTreeSet<(Option<Fase>, String, Fase)> = levenscyclus::overgangen()
        .iter()
        .map(|o| (o.van, o.door.naam().to_owned(), o.naar))
        .collect();
    assert_eq!(pijlen, tabel);
    // Every row of rules.md §4 appears in the status table.
    for f in Fase::ALLE {
        let [(sv, _), (sa, _)] = f.statussen();
        assert!(doc.contains(&format!("| {} | {sv} |", f.naam())), "{f:?}");
        assert!(doc.contains(&sa.to_string()));
    }
}
