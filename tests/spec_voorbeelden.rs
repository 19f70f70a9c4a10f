//! The project stands alone (issue 18): the spec's normative examples speak
//! the message version the hub speaks, their README says so, `docs/spec/`
//! holds the whole spec, and no file of the project points outside the
//! repository. Plain file reads: no hub, no services.

use std::fs;
use std::path::{Path, PathBuf};

use clearinghuis::bericht::{NAMESPACE, VERSIE};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lees(pad: &Path) -> String {
    fs::read_to_string(pad).unwrap_or_else(|e| panic!("{}: {e}", pad.display()))
}

/// The start tag of the document element: the first tag that is not the XML
/// declaration, a processing instruction, a comment or a doctype.
fn wortel(xml: &str) -> Option<&str> {
    let mut rest = xml;
    loop {
        rest = &rest[rest.find('<')?..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            return Some(&rest[..=rest.find('>')?]);
        }
    }
}

/// The element name of a start tag.
fn naam(tag: &str) -> &str {
    let na = &tag[1..];
    let eind = na
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(na.len());
    &na[..eind]
}

/// An attribute's value in a start tag (either quote, spaces around `=`).
fn attribuut<'a>(tag: &'a str, naam: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(i) = rest.find(naam) {
        let ervoor = rest[..i].chars().last();
        let erna = &rest[i + naam.len()..];
        rest = erna;
        if !ervoor.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(waarde) = erna.trim_start().strip_prefix('=') else {
            continue;
        };
        let waarde = waarde.trim_start();
        let quote = waarde.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let waarde = &waarde[1..];
        return waarde.find(quote).map(|eind| &waarde[..eind]);
    }
    None
}

fn spec_voorbeelden() -> Vec<PathBuf> {
    let map = root().join("fixtures/spec");
    let mut xml: Vec<PathBuf> = fs::read_dir(&map)
        .unwrap_or_else(|e| panic!("{}: {e}", map.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    xml.sort();
    xml
}

/// The code's version must be the schemas' only one, or the examples could
/// agree with one and not the other.
#[test]
fn de_schemas_kennen_alleen_de_versie_van_de_code() {
    let typen = lees(&root().join("schemas/typen.xsd"));
    let begin = typen
        .find(r#"<xs:simpleType name="Versie">"#)
        .expect("schemas/typen.xsd defines the simple type Versie");
    let eind = begin
        + typen[begin..]
            .find("</xs:simpleType>")
            .expect("the Versie type ends");
    let waarden: Vec<&str> = typen[begin..eind]
        .split(r#"value=""#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        waarden,
        [VERSIE],
        "schemas/typen.xsd allows versie {waarden:?}; the code (bericht::VERSIE) speaks {VERSIE}"
    );
}

#[test]
fn elk_voorbeeld_draagt_de_versie_van_de_hub() {
    let voorbeelden = spec_voorbeelden();
    assert!(
        voorbeelden.len() >= 13,
        "fixtures/spec/ should hold one example of every inbound type, found {}",
        voorbeelden.len()
    );
    let mut fouten = Vec::new();
    for pad in &voorbeelden {
        let tekst = lees(pad);
        let bestand = pad.file_name().unwrap_or_default().to_string_lossy();
        let Some(tag) = wortel(&tekst) else {
            fouten.push(format!("{bestand}: no root element"));
            continue;
        };
        if naam(tag) != "Bericht" {
            fouten.push(format!(
                "{bestand}: root element {}, not Bericht",
                naam(tag)
            ));
        }
        match attribuut(tag, "versie") {
            Some(v) if v == VERSIE => {}
            v => fouten.push(format!(
                "{bestand}: versie {v:?}, the hub speaks {VERSIE:?}"
            )),
        }
        match attribuut(tag, "xmlns") {
            Some(ns) if ns == NAMESPACE => {}
            ns => fouten.push(format!(
                "{bestand}: namespace {ns:?}, the hub's is {NAMESPACE:?}"
            )),
        }
    }
    assert!(
        fouten.is_empty(),
        "spec examples not in the hub's version:\n{}",
        fouten.join("\n")
    );
}

#[test]
fn de_readme_noemt_dezelfde_versie() {
    let readme = lees(&root().join("fixtures/spec/README.md"));
    let versie = format!(r#"versie="{VERSIE}""#);
    assert!(
        readme.contains(&versie) && readme.contains(NAMESPACE),
        "fixtures/spec/README.md must name the version its examples follow ({versie}, {NAMESPACE})"
    );
    assert!(
        readme.contains("docs/spec/"),
        "fixtures/spec/README.md must say which spec copy the examples follow (docs/spec/)"
    );
}

#[test]
fn docs_spec_houdt_de_hele_spec() {
    for deel in ["operations.md", "messages.md", "rules.md", "web.md"] {
        let pad = root().join("docs/spec").join(deel);
        let tekst = fs::read_to_string(&pad)
            .unwrap_or_else(|e| panic!("the spec copy lacks docs/spec/{deel}: {e}"));
        assert!(
            tekst.trim_start().starts_with('#'),
            "docs/spec/{deel} is empty or has no title"
        );
    }
    // The catalogue in the copy is the one the hub and the examples speak.
    let berichten = lees(&root().join("docs/spec/messages.md"));
    assert!(
        berichten.contains(NAMESPACE) && berichten.contains(&format!(r#"versie="{VERSIE}""#)),
        "docs/spec/messages.md does not describe version {VERSIE} in {NAMESPACE}"
    );
}

/// What the walk covers: the project's own files (`target/` is skipped).
const BEREIK: [&str; 7] = [
    "src",
    "tests",
    "benches",
    "docs",
    ".ci",
    "README.md",
    "Cargo.toml",
];

/// Places outside the repository that files once named: the spec's old
/// sibling folder and the author's checkout. Built from parts so that this
/// file does not name them itself.
const BUITEN: [&str; 2] = [concat!("..", "/shared"), concat!("/wo", "rk/")];

fn verzamel(pad: &Path, uit: &mut Vec<PathBuf>) {
    let Ok(meta) = fs::symlink_metadata(pad) else {
        return;
    };
    if meta.is_dir() {
        if pad.file_name().is_some_and(|n| n == "target") {
            return;
        }
        let mut kinderen: Vec<PathBuf> = fs::read_dir(pad)
            .unwrap_or_else(|e| panic!("{}: {e}", pad.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        kinderen.sort();
        for k in kinderen {
            verzamel(&k, uit);
        }
    } else if meta.is_file() {
        uit.push(pad.to_owned());
    }
}

/// Whether a relative path, read from `diepte` folders below the root,
/// climbs out of the repository.
fn klimt_eruit(diepte: usize, pad: &str) -> bool {
    if pad.starts_with('/') || pad.contains("://") {
        return false;
    }
    let mut diepte = diepte as i64;
    for deel in pad.split('/') {
        match deel {
            "" | "." => {}
            ".." => {
                diepte -= 1;
                if diepte < 0 {
                    return true;
                }
            }
            _ => diepte += 1,
        }
    }
    false
}

#[test]
fn niets_verwijst_buiten_de_repository() {
    let mut bestanden = Vec::new();
    for deel in BEREIK {
        let pad = root().join(deel);
        assert!(pad.exists(), "{deel} is missing from the repository");
        verzamel(&pad, &mut bestanden);
    }
    assert!(
        bestanden.len() > 50,
        "the walk found only {} files",
        bestanden.len()
    );
    let mut fouten = Vec::new();
    for pad in &bestanden {
        // Binary files name no paths worth checking.
        let Ok(tekst) = fs::read_to_string(pad) else {
            continue;
        };
        let relatief = pad.strip_prefix(root()).unwrap_or(pad);
        let map_diepte = relatief.components().count() - 1;
        let rust = pad.extension().is_some_and(|x| x == "rs");
        for (i, regel) in tekst.lines().enumerate() {
            let plek = format!("{}:{}", relatief.display(), i + 1);
            for b in BUITEN {
                if regel.contains(b) {
                    fouten.push(format!("{plek}: names {b}"));
                }
            }
            // include_str!, #[path] and Markdown links are relative to their
            // file; a path joined to the manifest dir is relative to the root.
            let diepte = if rust && regel.contains("CARGO_MANIFEST_DIR") {
                0
            } else {
                map_diepte
            };
            for woord in regel.split(|c: char| c.is_whitespace() || "\"'`()[]{}<>,;=|".contains(c))
            {
                if woord.split('/').any(|d| d == "..") && klimt_eruit(diepte, woord) {
                    fouten.push(format!("{plek}: {woord} leads outside the repository"));
                }
            }
        }
    }
    assert!(
        fouten.is_empty(),
        "files refer to paths outside the repository (a clone has only the repository):\n{}",
        fouten.join("\n")
    );
}

#[test]
fn het_klimmen_wordt_herkend() {
    // The check above is only as good as this: a sanity test of its parts.
    // Built, so that this file holds no path that climbs out itself.
    let omhoog = |n: usize, staart: &str| format!("{}/{staart}", vec![".."; n].join("/"));
    assert!(!klimt_eruit(2, &omhoog(2, "fixtures/x.toml")));
    assert!(klimt_eruit(2, &omhoog(3, "x")));
    assert!(klimt_eruit(0, ".."));
    assert!(!klimt_eruit(0, "/etc/x"));
    let tag = wortel("<?xml version=\"1.0\"?>\n<!-- c -->\n<Bericht xmlns='u' versie = \"1\">")
        .expect("a root");
    assert_eq!(naam(tag), "Bericht");
    assert_eq!(attribuut(tag, "versie"), Some("1"));
    assert_eq!(attribuut(tag, "xmlns"), Some("u"));
}
