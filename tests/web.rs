//! The web part through real HTTP on a real `clearinghuis serve`, on both
//! stores: the authorisation matrix over every route × role × (own claim,
//! another's claim, a missing one), the OpenAPI document, and bad input.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::hub::Hub;
use common::web::{Web, antwoord, scherm};

const P: &str = "CR-00820000"; // V of CL-00000001
const Q: &str = "CR-00660000"; // no party of it
const EIGEN: &str = "CL-00000001";
const WEG: &str = "CL-99999999";
/// P's InformatieAanlevering in fixture 08, with one attachment.
const AANLEVERING: &str = "VS-2026-080004";

/// Who may use each route, written here apart from the code: a route the
/// code serves that is not in this table fails the test.
const VERWACHT: &[(&str, &str, &[&str])] = &[
    ("GET", "/healthz", &["*"]),
    ("GET", "/readyz", &["*"]),
    ("GET", "/metrics", &["*"]),
    ("GET", "/api/v1/openapi.json", &["*"]),
    ("POST", "/api/v1/sessie", &["*"]),
    ("GET", "/api/v1/sessie", &["*"]),
    ("DELETE", "/api/v1/sessie", &["*"]),
    (
        "POST",
        "/api/v1/sessie/wachtwoord",
        &["schadebehandeling", "informatie", "management", "audit"],
    ),
    ("GET", "/api/v1/claims", &["schadebehandeling"]),
    (
        "GET",
        "/api/v1/claims/{claimId}",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/api/v1/claims/{claimId}/historie",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/api/v1/claims/{claimId}/berichten",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/api/v1/claims/{claimId}/berichten/{berichtId}",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/api/v1/claims/{claimId}/berichten/{berichtId}/bijlagen/{nummer}",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/api/v1/claims/{claimId}/pdf",
        &["schadebehandeling", "audit"],
    ),
    ("GET", "/api/v1/claims/{claimId}/inzage", &["audit"]),
    ("GET", "/api/v1/informatie", &["informatie"]),
    ("GET", "/api/v1/mi", &["management"]),
    ("GET", "/api/v1/log", &[]),
    ("GET", "/api/v1/log/{seq}", &[]),
    ("GET", "/api/v1/geparkeerd", &[]),
    ("POST", "/api/v1/berichten/{berichtId}/opnieuw", &[]),
    // The screens.
    ("GET", "/stijl.css", &["*"]),
    ("GET", "/inloggen", &["*"]),
    ("POST", "/inloggen", &["*"]),
    (
        "POST",
        "/uitloggen",
        &["schadebehandeling", "informatie", "management", "audit"],
    ),
    (
        "GET",
        "/",
        &["schadebehandeling", "informatie", "management", "audit"],
    ),
    (
        "GET",
        "/wachtwoord",
        &["schadebehandeling", "informatie", "management", "audit"],
    ),
    (
        "POST",
        "/wachtwoord",
        &["schadebehandeling", "informatie", "management", "audit"],
    ),
    ("GET", "/werkmappen", &["schadebehandeling", "audit"]),
    ("GET", "/dossier/{claimId}", &["schadebehandeling", "audit"]),
    (
        "GET",
        "/dossier/{claimId}/berichten/{berichtId}",
        &["schadebehandeling", "audit"],
    ),
    (
        "GET",
        "/dossier/{claimId}/berichten/{berichtId}/bijlagen/{nummer}",
        &["schadebehandeling", "audit"],
    ),
    ("GET", "/informatie", &["informatie"]),
    ("GET", "/managementinformatie", &["management"]),
    ("GET", "/managementinformatie.csv", &["management"]),
    ("GET", "/beheer", &[]),
    ("GET", "/beheer/opnieuw/{berichtId}", &[]),
    ("POST", "/beheer/opnieuw/{berichtId}", &[]),
];

/// What a permitted request answers: a changing one 202 (re-delivery) or
/// 303 (log out sends the browser on), a reading one 200.
fn gelukt(methode: &str, pad: &str) -> u16 {
    // The matrix asks with tokens, and a token has no password to change
    // (the API's form of it gets no body here: 415).
    match (methode, pad) {
        ("POST", "/wachtwoord") => return 400,
        ("POST", "/api/v1/sessie/wachtwoord") => return 415,
        _ => {}
    }
    match (methode, scherm(pad)) {
        ("POST", false) => 202,
        ("POST", true) => 303,
        _ => 200,
    }
}

const ROLLEN: [&str; 4] = ["schadebehandeling", "informatie", "management", "audit"];

fn matrix(web: &Web) {
    // The route table in the code is this test's table.
    let code: BTreeSet<(String, String)> = clearinghuis::web::routes()
        .iter()
        .map(|r| (r.methode.to_string(), r.pad.to_string()))
        .collect();
    let hier: BTreeSet<(String, String)> = VERWACHT
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        code, hier,
        "a route is served that the authorisation matrix does not know (or the other way round)"
    );

    // Every route is in the OpenAPI document.
    let (s, _, doc) = web.vraag("GET", "/api/v1/openapi.json", None);
    assert_eq!(s, 200);
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("json");
    for (m, p, _) in VERWACHT.iter().filter(|(_, p, _)| !scherm(p)) {
        assert!(
            doc["paths"][*p][m.to_lowercase()].is_object(),
            "{m} {p} is not in the OpenAPI document"
        );
    }

    // A serving hub on a reachable store is ready (PostgreSQL answered
    // `SELECT 1` as INT4, which the check once read as BIGINT: never ready).
    let (s, _, body) = web.vraag("GET", "/readyz", None);
    assert_eq!((s, body.contains("\"store\":true")), (200, true), "{body}");

    web.speel("02-tegenvoorstel-50-tegenclaim.jsonl");
    // P's claim with an information delivery and its attachment, for the
    // attachment routes.
    // (Its own accident: the fixture shares 02's plates and numbers.)
    web.speel_aangepast("08-informatieverzoek.jsonl", |x| {
        x.replace("VS-2026-0042", "VS-2026-0808")
            .replace("12-ABC-3", "12-ABC-4")
            .replace("GB-123-X", "GB-456-X")
    });
    let operator = web.token("hub", "operator");
    let (s, _, log) = web.vraag(
        "GET",
        &format!("/api/v1/log?bericht_id={AANLEVERING}"),
        Some(&operator),
    );
    assert_eq!(s, 200, "{log}");
    let log: serde_json::Value = serde_json::from_str(&log).expect("json");
    let met_bijlage = log["regels"][0]["claim_id"]
        .as_str()
        .expect("the delivery's claim")
        .to_string();
    assert_ne!(met_bijlage, EIGEN, "{log}");
    // Tokens per participant and role; P is a party of EIGEN, Q is not.
    let mut tokens = Vec::new();
    for rol in ROLLEN {
        tokens.push((P, rol, web.token(P, rol)));
        tokens.push((Q, rol, web.token(Q, rol)));
    }
    // The overview's total is the folder's count however it is paged (a
    // page that is not full counts itself; a full one or one past the end
    // asks the store).
    let p_token = &tokens[0].2;
    let (_, _, o) = web.vraag("GET", "/api/v1/claims", Some(p_token));
    let o: serde_json::Value = serde_json::from_str(&o).expect("json");
    let mut gezien = 0;
    for (map, n) in o["werkmappen"].as_object().expect("folders") {
        let n = n.as_i64().expect("count");
        gezien += n;
        for (vraag, op_pagina) in [
            ("per_page=1&page=1", n.min(1)),
            ("per_page=200", n),
            ("per_page=1&page=99", 0),
        ] {
            let (s, _, b) = web.vraag(
                "GET",
                &format!("/api/v1/claims?werkmap={map}&{vraag}"),
                Some(p_token),
            );
            assert_eq!(s, 200, "{b}");
            let b: serde_json::Value = serde_json::from_str(&b).expect("json");
            assert_eq!(b["totaal"], n, "{map} {vraag}");
            assert_eq!(
                b["claims"].as_array().map(Vec::len),
                Some(op_pagina as usize),
                "{map} {vraag}"
            );
        }
    }
    assert!(gezien >= 2, "P has the claim and its counter-claim: {o}");
    let (s, _, lijst) = web.vraag(
        "GET",
        &format!("/api/v1/claims/{EIGEN}/berichten"),
        Some(&operator),
    );
    assert_eq!(s, 200, "{lijst}");
    let lijst: serde_json::Value = serde_json::from_str(&lijst).expect("json");
    let bericht_id = lijst["regels"]
        .as_array()
        .expect("regels")
        .iter()
        .find(|r| r["richting"] == "uit" && r["deelnemer"] == P)
        .and_then(|r| r["bericht_id"].as_str())
        .expect("an answer to P")
        .to_string();

    let mut aantal = 0;
    for (methode, pad, rollen) in VERWACHT {
        let vul = |claim: &str, bericht: &str| {
            // An attachment: of P's delivery (the other cases as for any claim).
            let (claim, bericht) = if pad.contains("/bijlagen/") && claim == EIGEN {
                (met_bijlage.as_str(), AANLEVERING)
            } else {
                (claim, bericht)
            };
            pad.replace("{claimId}", claim)
                .replace("{berichtId}", bericht)
                .replace("{seq}", "1")
                .replace("{nummer}", "1")
                + match *pad {
                    "/api/v1/informatie" | "/informatie" => "?kenteken=12abc3",
                    _ => "",
                }
        };
        let publiek = rollen.contains(&"*");
        let over_claim = pad.contains("{claimId}") || pad.contains("{berichtId}");
        // Anonymous.
        let (s, soort, body) = web.vraag(methode, &vul(EIGEN, &bericht_id), None);
        aantal += 1;
        if !publiek && scherm(pad) {
            assert_eq!(s, 303, "anonymous {methode} {pad}: {body}");
        } else if !publiek {
            assert_eq!(s, 401, "anonymous {methode} {pad}: {body}");
            assert!(soort.starts_with("application/problem+json"), "{soort}");
        }
        if publiek {
            continue;
        }
        for (deelnemer, rol, token) in &tokens {
            let mag = rollen.contains(rol);
            let gevallen: Vec<(&str, String)> = if over_claim {
                vec![
                    ("eigen", vul(EIGEN, &bericht_id)),
                    ("weg", vul(WEG, "CR-HUB-9999999999")),
                ]
            } else {
                vec![("eigen", vul(EIGEN, &bericht_id))]
            };
            for (geval, pad_nu) in gevallen {
                let (s, soort, body) = web.vraag(methode, &pad_nu, Some(token));
                aantal += 1;
                let verwacht = match (mag, over_claim, *deelnemer == P, geval) {
                    (false, ..) => 403,
                    (true, true, true, "eigen") => 200,
                    // Another's claim answers exactly as a missing one.
                    (true, true, _, _) => 404,
                    (true, false, ..) => gelukt(methode, pad),
                };
                let verwacht = if verwacht == 200 {
                    gelukt(methode, pad)
                } else {
                    verwacht
                };
                assert_eq!(s, verwacht, "{deelnemer} {rol} {methode} {pad_nu}: {body}");
                if s >= 400 && scherm(pad) {
                    assert!(soort.starts_with("text/html"), "{pad}: {soort}");
                } else if s >= 400 {
                    assert!(soort.starts_with("application/problem+json"), "{soort}");
                }
                if s == 404 {
                    assert!(
                        !body.contains(EIGEN),
                        "a 404 tells nothing of the claim: {body}"
                    );
                }
                // Lists of another participant hold nothing of P's claim.
                if s == 200 && *deelnemer == Q {
                    assert!(
                        !body.contains(EIGEN),
                        "{rol} {pad_nu} shows P's claim to Q: {body}"
                    );
                }
            }
        }
        // The operator sees every claim; a missing one is 404.
        let (s, _, body) = web.vraag(methode, &vul(EIGEN, &bericht_id), Some(&operator));
        aantal += 1;
        assert_eq!(s, gelukt(methode, pad), "operator {methode} {pad}: {body}");
        if over_claim {
            let (s, _, _) = web.vraag(methode, &vul(WEG, "CR-HUB-9999999999"), Some(&operator));
            aantal += 1;
            assert_eq!(s, 404, "operator, missing: {methode} {pad}");
        }
    }
    // The same 404 for another's claim and a missing one, byte for byte.
    let q = &tokens
        .iter()
        .find(|(d, r, _)| *d == Q && *r == "schadebehandeling")
        .expect("Q")
        .2;
    let (_, _, ander) = web.vraag("GET", &format!("/api/v1/claims/{EIGEN}"), Some(q));
    let (_, _, weg) = web.vraag("GET", &format!("/api/v1/claims/{WEG}"), Some(q));
    assert_eq!(ander, weg);
    eprintln!(
        "authorisation matrix: {aantal} requests over {} routes",
        VERWACHT.len()
    );
    assert!(aantal > 150);

    // P's handler sees its claim in the overview, with the blue dot cleared once opened.
    let p = &tokens
        .iter()
        .find(|(d, r, _)| *d == P && *r == "schadebehandeling")
        .expect("P")
        .2;
    let (_, _, o) = web.vraag(
        "GET",
        "/api/v1/claims?werkmap=Archief&zoek=12-abc-3",
        Some(p),
    );
    let o: serde_json::Value = serde_json::from_str(&o).expect("json");
    let mut alle = o["claims"].as_array().cloned().unwrap_or_default();
    for map in ["ActieVerwacht", "WachtOp"] {
        let (_, _, x) = web.vraag("GET", &format!("/api/v1/claims?werkmap={map}"), Some(p));
        let x: serde_json::Value = serde_json::from_str(&x).expect("json");
        alle.extend(x["claims"].as_array().cloned().unwrap_or_default());
    }
    let regel = alle
        .iter()
        .find(|c| c["claim_id"] == EIGEN)
        .expect("P's claim in its overview");
    assert_eq!(
        regel["nieuw"], false,
        "opened above, so no blue dot: {regel}"
    );
    // The access records name who opened it.
    let audit = &tokens
        .iter()
        .find(|(d, r, _)| *d == P && *r == "audit")
        .expect("audit")
        .2;
    let (_, _, inzage) = web.vraag(
        "GET",
        &format!("/api/v1/claims/{EIGEN}/inzage"),
        Some(audit),
    );
    assert!(inzage.contains("\"wat\":\"dossier\""), "{inzage}");
}

#[test]
fn autorisatiematrix_op_sqlite() {
    let web = Web::start("web-matrix-sqlite", None);
    matrix(&web);
}

#[test]
fn autorisatiematrix_op_postgresql() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (url, _guard) = rt.block_on(common::pg::verse_database());
    let web = Web::start("web-matrix-pg", Some(&url));
    matrix(&web);
}

fn probleem(web: &Web, methode: &str, pad: &str, token: Option<&str>, status: u16) {
    let (s, soort, body) = web.vraag(methode, pad, token);
    assert_eq!(s, status, "{methode} {pad}: {body}");
    assert!(
        soort.starts_with("application/problem+json"),
        "{pad}: {soort}"
    );
    let p: serde_json::Value = serde_json::from_str(&body).expect("a problem document");
    assert_eq!(p["status"], status);
    assert!(
        p["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problemen/")),
        "{body}"
    );
}

fn aantal(web: &Web, tabel: &str) -> i64 {
    let db = web.hub.map.join("clearinghuis-data/clearinghuis.db");
    let uit = Command::new("sqlite3")
        .arg(&db)
        .arg(format!("SELECT COUNT(*) FROM {tabel}"))
        .output();
    match uit {
        Ok(u) if u.status.success() => String::from_utf8_lossy(&u.stdout)
            .trim()
            .parse()
            .expect("count"),
        _ => {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                    .await
                    .expect("db");
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {tabel}"))
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            })
        }
    }
}

#[test]
fn slechte_invoer_krijgt_een_probleem_en_verandert_niets() {
    let web = Web::start("web-invoer", None);
    let t = web.token(P, "schadebehandeling");
    for pad in [
        "/api/v1/claims?page=abc",
        "/api/v1/claims?page=0",
        "/api/v1/claims?per_page=500",
        "/api/v1/claims?onbekend=1",
        "/api/v1/claims?sorteer=wachtwoord",
        "/api/v1/claims?werkmap=Prullenbak",
        "/api/v1/claims?claimer=iedereen",
    ] {
        probleem(&web, "GET", pad, Some(&t), 400);
    }
    // Management information: a table only as CSV, and one that exists.
    let m = web.token(P, "management");
    for pad in [
        "/api/v1/mi?tabel=V-aantallen",
        "/api/v1/mi?van=2026-13-01",
        "/api/v1/mi?van=2026-03-01&tot=2026-02-01",
    ] {
        probleem(&web, "GET", pad, Some(&m), 400);
    }
    let r = antwoord(
        ureq::get(&format!("{}/api/v1/mi?tabel=wachtwoorden", web.basis))
            .set("Authorization", &format!("Bearer {m}"))
            .set("Accept", "text/csv")
            .call(),
    );
    assert_eq!(r.status(), 400);
    let uitleg = r.into_string().expect("text");
    assert!(
        uitleg.contains("V-aantallen") && uitleg.contains("rappels"),
        "{uitleg}"
    );
    probleem(&web, "GET", "/api/v1/claims", Some("chr_onbekend"), 401);
    probleem(&web, "GET", "/api/v1/nergens", Some(&t), 404);
    // A revoked token and an expired one.
    let lijst = web.cli(&["token", "lijst"]);
    let id = lijst
        .lines()
        .next()
        .and_then(|l| l.split('\t').next())
        .expect("a token")
        .to_string();
    web.cli(&["token", "intrekken", &id]);
    probleem(&web, "GET", "/api/v1/claims", Some(&t), 401);
    let verlopen = web.cli(&[
        "token",
        "nieuw",
        P,
        "--rollen",
        "schadebehandeling",
        "--dagen",
        "0",
    ]);
    probleem(&web, "GET", "/api/v1/claims", Some(&verlopen), 401);

    // Login, CSRF.
    // E-mail addresses are compared in lower case.
    let wachtwoord = web.gebruiker("Jan@Voorbeeld.nl", P, "schadebehandeling");
    let login = |w: &str| web.log_in("jan@voorbeeld.nl", w);
    let a = login(&wachtwoord);
    assert_eq!(a.status(), 200);
    let cookie = a.header("set-cookie").expect("a cookie").to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let sessie = cookie.split(';').next().expect("value").to_string();
    let info = a.into_json::<serde_json::Value>().expect("json");
    assert_eq!(
        info["wachtwoord_wijzigen"], true,
        "a one-time password: {info}"
    );
    let csrf = info["csrf"].as_str().expect("csrf").to_string();
    let met_cookie = |m: &str, csrf: Option<&str>| {
        let mut r =
            ureq::request(m, &format!("{}/api/v1/sessie", web.basis)).set("Cookie", &sessie);
        if let Some(c) = csrf {
            r = r.set("X-CSRF-Token", c);
        }
        antwoord(r.call()).status()
    };
    assert_eq!(met_cookie("GET", None), 200);
    assert_eq!(met_cookie("DELETE", None), 403, "no CSRF token");
    assert_eq!(
        met_cookie("DELETE", Some("fout")),
        403,
        "a wrong CSRF token"
    );
    assert_eq!(met_cookie("GET", None), 200, "the session survived both");

    // Logged in with the one-time password: nothing but the change until
    // it is changed; then the old password is gone.
    let claims = || {
        antwoord(
            ureq::get(&format!("{}/api/v1/claims", web.basis))
                .set("Cookie", &sessie)
                .call(),
        )
    };
    let r = claims();
    assert_eq!(r.status(), 403);
    assert!(
        r.into_string()
            .unwrap_or_default()
            .contains("/problemen/wachtwoord-wijzigen")
    );
    let wijzig = |huidig: &str, nieuw: &str, csrf: Option<&str>| {
        let mut r =
            ureq::post(&format!("{}/api/v1/sessie/wachtwoord", web.basis)).set("Cookie", &sessie);
        if let Some(c) = csrf {
            r = r.set("X-CSRF-Token", c);
        }
        antwoord(r.send_json(serde_json::json!({"huidig": huidig, "nieuw": nieuw}))).status()
    };
    let nieuw = "een eigen wachtwoord van Jan";
    assert_eq!(wijzig(&wachtwoord, nieuw, None), 403, "no CSRF token");
    assert_eq!(
        wijzig("verkeerd", nieuw, Some(&csrf)),
        400,
        "a wrong current one"
    );
    assert_eq!(wijzig(&wachtwoord, "kort", Some(&csrf)), 400, "too short");
    assert_eq!(
        wijzig(&wachtwoord, &wachtwoord, Some(&csrf)),
        400,
        "the same"
    );
    assert_eq!(claims().status(), 403, "still the one-time password");
    assert_eq!(wijzig(&wachtwoord, nieuw, Some(&csrf)), 204);
    assert_eq!(claims().status(), 200, "the session goes on");
    assert_eq!(
        login(&wachtwoord).status(),
        401,
        "the one-time password is gone"
    );
    let a = login(nieuw);
    assert_eq!(a.status(), 200);
    let info = a.into_json::<serde_json::Value>().expect("json");
    assert_eq!(info["wachtwoord_wijzigen"], false, "{info}");

    // Oversized and malformed bodies.
    let groot = "x".repeat(100 * 1024);
    let s = antwoord(
        ureq::post(&format!("{}/api/v1/sessie", web.basis))
            .set("Content-Type", "application/json")
            .send_string(&format!("{{\"email\":\"{groot}\",\"wachtwoord\":\"x\"}}")),
    )
    .status();
    assert_eq!(s, 413);
    let s = antwoord(
        ureq::post(&format!("{}/api/v1/sessie", web.basis))
            .send_json(serde_json::json!({"email": "jan@voorbeeld.nl", "wachtwoord": wachtwoord, "rol": "operator"})),
    )
    .status();
    assert!((400..500).contains(&s), "an unknown field: {s}");

    // 10,000 wrong logins in a row: none gets in, the account locks, the
    // address is told to wait, and no session is written.
    let sessies = aantal(&web, "sessies");
    let mut statussen = std::collections::BTreeMap::new();
    for _ in 0..10_000 {
        *statussen.entry(login("verkeerd").status()).or_insert(0) += 1;
    }
    eprintln!("10,000 wrong logins: {statussen:?}");
    assert!(!statussen.contains_key(&200));
    assert!(
        statussen.get(&429).copied().unwrap_or(0) > 9_000,
        "{statussen:?}"
    );
    // 20 failures a minute per address; one was the old password above.
    // A lock answers as any failure: it tells nobody that the account exists.
    assert_eq!(
        statussen.get(&401).copied().unwrap_or(0),
        19,
        "{statussen:?}"
    );
    assert!(!statussen.contains_key(&423), "{statussen:?}");
    assert_ne!(
        login(nieuw).status(),
        200,
        "locked: even the right password waits"
    );
    assert_eq!(aantal(&web, "sessies"), sessies, "nothing logged in");
}

#[test]
fn buiten_loopback_zonder_tls_start_de_hub_niet() {
    let hub = Hub::nieuw("web-geen-tls");
    let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .current_dir(&hub.map)
        .args(["serve", "--participants", "participants.toml"])
        .env("CLEARINGHUIS_API_LISTEN", "0.0.0.0:0")
        .output()
        .expect("runs");
    assert_eq!(uit.status.code(), Some(2));
    let fout = String::from_utf8_lossy(&uit.stderr);
    assert!(
        fout.contains("plain HTTP is only served on a loopback address"),
        "{fout}"
    );
    assert!(
        !hub.map.join("clearinghuis-data/clearinghuis.db").exists(),
        "nothing opened"
    );
}

/// An attachment comes out as the file that went in: the bytes of its
/// base64, for V (its own delivery) and for A (the forwarded one), always
/// as a download. A participant's declared type that a browser would run
/// (HTML) is sent as bytes under a sandbox, and its name is only a name.
#[test]
fn een_bijlage_is_een_bestand_en_nooit_een_pagina() {
    use base64::Engine as _;
    let web = Web::start("web-bijlage", None);
    const FOTO: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";
    let html = base64::engine::general_purpose::STANDARD.encode("<script>alert(1)</script>");
    // A second attachment: HTML, with a name full of quotes and an entity.
    web.speel_aangepast("08-informatieverzoek.jsonl", |x| {
        x.replacen(
            "</Bijlage>",
            &format!(
                "</Bijlage>\n    <Bijlage>\n      <Bestandsnaam>a&amp;b \"x\"; y.html</Bestandsnaam>\n      <MimeType>text/html</MimeType>\n      <Inhoud>{html}</Inhoud>\n    </Bijlage>"
            ),
            1,
        )
    });
    let v = web.token(P, "schadebehandeling");
    let a = web.token("CR-00510000", "schadebehandeling");
    let q = web.token(Q, "schadebehandeling");
    let haal = |pad: &str, token: &str| {
        let r = antwoord(
            ureq::get(&format!("{}{pad}", web.basis))
                .set("Authorization", &format!("Bearer {token}"))
                .call(),
        );
        let kop = |k: &str| r.header(k).unwrap_or_default().to_string();
        let koppen = (
            r.status(),
            kop("content-type"),
            kop("content-disposition"),
            kop("content-security-policy"),
            kop("x-content-type-options"),
        );
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).expect("body");
        (koppen, bytes)
    };
    let claim = "CL-00000001";
    let foto = base64::engine::general_purpose::STANDARD
        .decode(FOTO)
        .expect("base64");
    // V, its own delivery.
    let ((s, soort, naam, csp, nosniff), bytes) = haal(
        &format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/1"),
        &v,
    );
    assert_eq!((s, soort.as_str()), (200, "image/jpeg"));
    assert_eq!(bytes, foto, "the bytes of the base64 as sent");
    assert!(
        naam.starts_with("attachment; filename=\"zijkant.jpg\""),
        "{naam}"
    );
    assert!(csp.contains("sandbox"), "{csp}");
    assert_eq!(nosniff, "nosniff");
    // The HTML one: bytes to save, never a page on the hub's origin.
    let ((s, soort, naam, csp, _), bytes) = haal(
        &format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/2"),
        &v,
    );
    assert_eq!((s, soort.as_str()), (200, "application/octet-stream"));
    assert_eq!(bytes, b"<script>alert(1)</script>");
    assert_eq!(
        naam,
        "attachment; filename=\"a_b _x__ y.html\"; filename*=UTF-8''a%26b%20%22x%22%3B%20y.html"
    );
    assert!(csp.contains("sandbox"), "{csp}");
    // A, through the message the hub forwarded to it.
    let (_, _, lijst) = web.vraag(
        "GET",
        &format!("/api/v1/claims/{claim}/berichten"),
        Some(&a),
    );
    let lijst: serde_json::Value = serde_json::from_str(&lijst).expect("json");
    let doorgestuurd = lijst["regels"]
        .as_array()
        .expect("regels")
        .iter()
        .find(|r| r["soort"] == "InformatieAanlevering" && r["deelnemer"] == "CR-00510000")
        .and_then(|r| r["bericht_id"].as_str())
        .unwrap_or_else(|| panic!("the forwarded delivery: {lijst}"))
        .to_string();
    let ((s, _, _, _, _), bytes) = haal(
        &format!("/api/v1/claims/{claim}/berichten/{doorgestuurd}/bijlagen/1"),
        &a,
    );
    assert_eq!((s, bytes), (200, foto));
    // No third attachment, no attachment 0, no number; Q sees none of it.
    for (pad, token) in [
        (
            format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/3"),
            &v,
        ),
        (
            format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/0"),
            &v,
        ),
        (
            format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/x"),
            &v,
        ),
        (
            format!("/api/v1/claims/{claim}/berichten/VS-2026-080004/bijlagen/1"),
            &q,
        ),
    ] {
        assert_eq!(haal(&pad, token).0.0, 404, "{pad}");
    }
    // The dossier lists the information traffic (not a refused request),
    // with the delivery whose attachment it is.
    let (_, _, d) = web.vraag("GET", &format!("/api/v1/claims/{claim}"), Some(&v));
    let d: serde_json::Value = serde_json::from_str(&d).expect("json");
    let info: Vec<(String, String)> = d["informatie"]
        .as_array()
        .unwrap_or_else(|| panic!("informatie: {d}"))
        .iter()
        .map(|b| {
            (
                b["soort"].as_str().unwrap_or_default().to_string(),
                b["bericht_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        info.contains(&("InformatieAanlevering".into(), "VS-2026-080004".into())),
        "{info:?}"
    );
    assert!(
        info.iter().any(|(s, _)| s == "InformatieVerzoek"),
        "{info:?}"
    );
    assert!(
        !info.iter().any(|(_, b)| b == "VS-2026-080003"),
        "V's own refused request is no information request: {info:?}"
    );
    // Opening the dossier screen or its PDF is one access record each.
    let audit = web.token(P, "audit");
    let inzage = || -> Vec<String> {
        let (_, _, l) = web.vraag(
            "GET",
            &format!("/api/v1/claims/{claim}/inzage?per_page=200"),
            Some(&audit),
        );
        let l: serde_json::Value = serde_json::from_str(&l).expect("json");
        l["regels"]
            .as_array()
            .expect("regels")
            .iter()
            .map(|r| r["wat"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let gezien = inzage();
    assert!(
        gezien.contains(&"bijlage 1 van VS-2026-080004".to_string()),
        "{gezien:?}"
    );
    assert!(
        !gezien
            .iter()
            .any(|w| w.starts_with("bijlage 3") || w.starts_with("bijlage 0")),
        "no record for an attachment that is not there: {gezien:?}"
    );
    let voor = gezien.len();
    assert_eq!(
        web.vraag("GET", &format!("/dossier/{claim}"), Some(&v)).0,
        200
    );
    assert_eq!(
        web.vraag("GET", &format!("/api/v1/claims/{claim}/pdf"), Some(&v))
            .0,
        200
    );
    let na = inzage();
    assert_eq!(na[voor..], ["dossier", "afdruk"], "{na:?}");

    // Every page forbids scripts and other hosts.
    let (_, soort, _, csp, nosniff) = haal("/inloggen", &v).0;
    assert!(soort.starts_with("text/html"), "{soort}");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(nosniff, "nosniff");
}

/// A session cannot guess its user's password through the change form:
/// five wrong current passwords lock the account like five failed logins,
/// and a locked account checks no password there either.
#[test]
fn een_sessie_raadt_geen_wachtwoorden() {
    let web = Web::start("web-raden", None);
    let wachtwoord = web.gebruiker("r@p.example", P, "schadebehandeling");
    let login = |w: &str| web.log_in("r@p.example", w);
    let a = login(&wachtwoord);
    assert_eq!(a.status(), 200);
    let sessie = a
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a cookie")
        .to_string();
    let csrf = a.into_json::<serde_json::Value>().expect("json")["csrf"]
        .as_str()
        .expect("csrf")
        .to_string();
    let wijzig = |huidig: &str| {
        let r = antwoord(
            ureq::post(&format!("{}/api/v1/sessie/wachtwoord", web.basis))
                .set("Cookie", &sessie)
                .set("X-CSRF-Token", &csrf)
                .send_json(
                    serde_json::json!({"huidig": huidig, "nieuw": "een heel nieuw wachtwoord"}),
                ),
        );
        (r.status(), r.into_string().unwrap_or_default())
    };
    for i in 0..5 {
        let (s, body) = wijzig(&format!("gok {i}"));
        assert_eq!(s, 400, "{body}");
        assert!(body.contains("klopt niet"), "{body}");
    }
    // Locked: even the right one is not checked, and the login waits too.
    let (s, body) = wijzig(&wachtwoord);
    assert_eq!(s, 400, "{body}");
    assert!(body.contains("geblokkeerd"), "{body}");
    assert_eq!(login(&wachtwoord).status(), 401);
}
