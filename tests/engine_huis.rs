//! The engine's house stays as ARCHITECTURE.md draws it: the engine is pure
//! (no file of `src/engine/` names tokio, sqlx, lapin, `std::fs`, `std::net`
//! or a clock), and the data modules at the bottom import no rule module, so
//! `src/engine/` has no import cycle.

use std::path::Path;

const ENGINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine");

fn bron(naam: &str) -> String {
    std::fs::read_to_string(Path::new(ENGINE).join(naam))
        .unwrap_or_else(|e| panic!("src/engine/{naam}: {e}"))
}

/// The `super::x` / `crate::engine::x` modules a file uses (not in tests).
fn gebruikt(tekst: &str) -> Vec<String> {
    let code = tekst.split("#[cfg(test)]").next().unwrap_or_default();
    let mut uit = Vec::new();
    for (i, _) in code.match_indices("super::") {
        let rest = &code[i + 7..];
        let naam: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !naam.is_empty() {
            uit.push(naam);
        }
    }
    uit.sort();
    uit.dedup();
    uit
}

#[test]
fn de_engine_raakt_de_wereld_niet() {
    let verboden = [
        "tokio",
        "sqlx",
        "lapin",
        "std::fs",
        "std::net",
        "SystemTime",
        "Utc::now",
        "Local::now",
        "rand::",
    ];
    let mut fouten = Vec::new();
    for e in std::fs::read_dir(ENGINE).expect("src/engine") {
        let pad = e.expect("entry").path();
        if pad.extension().is_some_and(|x| x == "rs") {
            let tekst = std::fs::read_to_string(&pad).expect("readable");
            // Code only: the comments may say what the engine does not do.
            let code: String = tekst
                .lines()
                .filter(|r| !r.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for v in verboden {
                if code.contains(v) {
                    fouten.push(format!("{} names {v}", pad.display()));
                }
            }
        }
    }
    assert!(fouten.is_empty(), "{}", fouten.join("\n"));
}

#[test]
fn de_gegevens_onderaan_kennen_geen_regels() {
    // Floors from the bottom: what each module may use of the engine.
    let onderaan = [
        ("kenteken.rs", vec![]),
        ("levenscyclus.rs", vec![]),
        ("referentie.rs", vec![]),
        ("wettelijke_rente.rs", vec!["referentie"]),
        ("bgk.rs", vec!["referentie", "wettelijke_rente"]),
        ("claim.rs", vec!["kenteken", "levenscyclus"]),
        ("toestand.rs", vec!["claim"]),
        (
            "instellingen.rs",
            vec!["bgk", "referentie", "wettelijke_rente"],
        ),
        (
            "termijn.rs",
            vec!["claim", "instellingen", "levenscyclus", "toestand"],
        ),
        (
            "verwerking.rs",
            vec![
                "claim",
                "instellingen",
                "levenscyclus",
                "termijn",
                "toestand",
            ],
        ),
    ];
    for (bestand, mag) in onderaan {
        for m in gebruikt(&bron(bestand)) {
            assert!(
                mag.contains(&m.as_str()),
                "src/engine/{bestand} uses {m}: the engine's lower floors import no module above them"
            );
        }
    }
}

#[test]
fn geen_regelmodule_gebruikt_de_top() {
    // mod.rs is the table of contents above every rule: nothing takes an
    // item from it; `super::` names only sibling modules.
    let modules: Vec<String> = std::fs::read_dir(ENGINE)
        .expect("src/engine")
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.strip_suffix(".rs").map(str::to_string)
        })
        .filter(|n| n != "mod")
        .collect();
    for naam in &modules {
        let tekst = bron(&format!("{naam}.rs"));
        let code = tekst.split("#[cfg(test)]").next().unwrap_or_default();
        assert!(
            !code.contains("crate::engine::"),
            "src/engine/{naam}.rs names crate::engine::; import the module that defines the item"
        );
        for (i, _) in code.match_indices("super::") {
            let rest = &code[i + 7..];
            let namen: Vec<&str> = match rest.strip_prefix('{') {
                Some(r) => r
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or_default())
                    .collect(),
                None => vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or_default(),
                ],
            };
            for n in namen.into_iter().filter(|n| !n.is_empty()) {
                assert!(
                    modules.iter().any(|m| m == n),
                    "src/engine/{naam}.rs takes `{n}` from engine/mod.rs; import the module that defines it"
                );
            }
        }
    }
}
