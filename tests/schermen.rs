//! The screens in a real browser: headless Chromium from the machine's
//! packages (`.ci/setup` installs `chromium` and `chromium-driver`),
//! driven over WebDriver (fantoccini) against a real `serve` on its
//! embedded default. A handler logs in, opens the work folders, sorts and
//! searches, opens a dossier, follows the link to the counter-claim, reads
//! Historie and Berichtenverkeer and a message's XML, logs out; another
//! participant's handler who types that claim's address sees "Niet
//! gevonden". A screenshot of each screen goes to `target/screens/` (the
//! current ones are kept in `docs/screens/`).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::web::{Web, antwoord, vrije_poort};
use fantoccini::{Client, ClientBuilder, Locator};

const P: &str = "CR-00820000"; // V of CL-00000001, whose counter-claim is CL-00000002
const Q: &str = "CR-00660000"; // no party of it

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver(poort: u16) -> Driver {
    let kind = Command::new("chromedriver")
        .arg(format!("--port={poort}"))
        // A Dutch user's browser: date fields as dd-mm-jjjj.
        .env("LANG", "nl_NL.UTF-8")
        .env("LANGUAGE", "nl")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (.ci/setup installs chromium-driver)");
    let begin = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", poort)).is_err() {
        assert!(
            begin.elapsed() < Duration::from_secs(20),
            "chromedriver does not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver(kind)
}

async fn browser(poort: u16, breed: u32, hoog: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=nl-NL",
                     format!("--window-size={breed},{hoog}")],
        }),
    );
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{poort}"))
        .await
        .expect("a browser session")
}

fn schermen_map() -> PathBuf {
    let m = common::root().join("target/screens");
    std::fs::create_dir_all(&m).expect("target/screens");
    m
}

async fn foto(c: &Client, naam: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(schermen_map().join(format!("{naam}.png")), png).expect("write");
}

/// The page's text, once the page is there (a click does not wait for the
/// navigation it starts: the old body can go stale under the reader).
async fn tekst(c: &Client) -> String {
    for _ in 0..100 {
        if let Ok(b) = c.find(Locator::Css("body")).await
            && let Ok(t) = b.text().await
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no page text");
}

/// Presses Tab until the element `css` has the focus (at most 100 times).
async fn tab_tot(c: &Client, css: &str) -> fantoccini::elements::Element {
    let doel = c.find(Locator::Css(css)).await.expect("the element");
    for _ in 0..100 {
        let actief = c.active_element().await.expect("focus");
        if actief.element_id() == doel.element_id() {
            return doel;
        }
        actief.send_keys("\u{E004}").await.expect("Tab");
    }
    panic!("Tab never reaches {css}");
}

async fn wacht_op_adres(c: &Client, deel: &str) {
    let begin = Instant::now();
    while !c.current_url().await.expect("url").as_str().contains(deel) {
        assert!(
            begin.elapsed() < Duration::from_secs(10),
            "the address has {deel}"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// Every field a user fills in on this page has a label (or an
/// aria-label): a screen reader names it, a click on the label focuses it.
async fn velden_hebben_een_label(c: &Client) {
    let pad = c.current_url().await.expect("url").path().to_string();
    let velden = c
        .find_all(Locator::Css("input:not([type=hidden]), select, textarea"))
        .await
        .expect("fields");
    assert!(!velden.is_empty(), "{pad} has fields");
    for v in velden {
        if v.attr("aria-label").await.expect("attr").is_some() {
            continue;
        }
        let id = v
            .attr("id")
            .await
            .expect("attr")
            .unwrap_or_else(|| panic!("a field without id or aria-label on {pad}"));
        c.find(Locator::Css(&format!("label[for='{id}']")))
            .await
            .unwrap_or_else(|_| panic!("no label for #{id} on {pad}"));
    }
}

/// Types `tekst` into the field with id `id`.
async fn typ(c: &Client, id: &str, tekst: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("the field #{id}"))
        .send_keys(tekst)
        .await
        .expect("type");
}

/// A link's address.
async fn href_van(c: &Client, waar: Locator<'_>) -> String {
    c.find(waar)
        .await
        .expect("the link")
        .attr("href")
        .await
        .expect("href")
        .expect("an address")
}

/// Fetches an address as the browser's link would, with its session
/// cookie (a download is not a page the driver can read).
async fn met_sessie(c: &Client, basis: &str, href: &str) -> ureq::Response {
    let sessie = c
        .get_named_cookie("ch_sessie")
        .await
        .expect("the session cookie");
    ureq::get(&format!("{basis}{href}"))
        .set("Cookie", &format!("ch_sessie={}", sessie.value()))
        .call()
        .expect("the download")
}

/// Clicks and waits until the browser is on another address.
async fn klik(c: &Client, waar: Locator<'_>) {
    let voor = c.current_url().await.expect("url");
    c.find(waar)
        .await
        .expect("the element")
        .click()
        .await
        .expect("click");
    let begin = Instant::now();
    while c.current_url().await.expect("url") == voor {
        assert!(
            begin.elapsed() < Duration::from_secs(10),
            "the click went nowhere"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    c.wait()
        .for_element(Locator::Css("body"))
        .await
        .expect("a page");
}

async fn log_in(c: &Client, basis: &str, pad: &str, email: &str, wachtwoord: &str) {
    c.goto(&format!("{basis}{pad}")).await.expect("goto");
    // Not logged in: the screen sends the browser to the login page.
    assert!(
        c.current_url()
            .await
            .expect("url")
            .path()
            .starts_with("/inloggen")
    );
    typ(c, "email", email).await;
    typ(c, "wachtwoord", wachtwoord).await;
    klik(c, Locator::Css("form button[type=submit]")).await;
    // A one-time password: first the change form, then on to `pad`.
    let url = c.current_url().await.expect("url");
    assert_eq!(
        url.path(),
        "/wachtwoord",
        "a one-time password is changed first"
    );
    let t = tekst(c).await;
    assert!(t.contains("eenmalig wachtwoord"), "{t}");
    if email.starts_with("behandelaar@p") {
        foto(c, "01b-wachtwoord-wijzigen").await;
    }
    velden_hebben_een_label(c).await;
    for (veld, waarde) in [
        ("huidig", wachtwoord.to_string()),
        ("nieuw", format!("{wachtwoord}-eigen")),
        ("herhaling", format!("{wachtwoord}-eigen")),
    ] {
        typ(c, veld, &waarde).await;
    }
    klik(
        c,
        Locator::XPath("//button[normalize-space(.)='Wachtwoord opslaan']"),
    )
    .await;
    wacht_op_adres(c, pad).await;
}

#[test]
fn een_behandelaar_werkt_zijn_claims_in_de_browser() {
    let web = Web::start("schermen", None);
    let basis = web.basis.clone();
    web.speel("02-tegenvoorstel-50-tegenclaim.jsonl");
    // A claim of P with an information delivery and its attachment
    // (CL-00000003; its own accident: the fixture shares 02's plates).
    web.speel_aangepast("08-informatieverzoek.jsonl", |x| {
        x.replace("VS-2026-0042", "VS-2026-0808")
            .replace("12-ABC-3", "12-ABC-4")
            .replace("GB-123-X", "GB-456-X")
    });
    let wachtwoord_p = web.gebruiker(
        "behandelaar@p.example",
        P,
        "schadebehandeling,informatie,management",
    );
    let wachtwoord_operator = web.gebruiker("operator@hub.example", "hub", "operator");
    let wachtwoord_q = web.gebruiker("behandelaar@q.example", Q, "schadebehandeling");

    clearinghuis::kies_crypto();
    let driverpoort = vrije_poort();
    let _driver = chromedriver(driverpoort);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let c = browser(driverpoort, 1280, 800).await;
        c.goto(&format!("{basis}/inloggen")).await.expect("goto");
        foto(&c, "01-inloggen").await;
        velden_hebben_een_label(&c).await;

        // Log in from a deep link: back to the work folders afterwards.
        log_in(
            &c,
            &basis,
            "/werkmappen",
            "behandelaar@p.example",
            &wachtwoord_p,
        )
        .await;
        assert_eq!(c.current_url().await.expect("url").path(), "/werkmappen");
        let t = tekst(&c).await;
        for woord in [
            "Actie verwacht",
            "Wacht op",
            "Archief",
            "Schadedatum",
            "Verzekeraar tegenpartij",
        ] {
            assert!(t.contains(woord), "{woord} on the overview: {t}");
        }
        foto(&c, "02-werkmappen").await;

        // Each work folder; the claim is in one of them.
        let mut gevonden = false;
        for map in ["Actie verwacht", "Wacht op", "Archief"] {
            let tab = format!(
                "//nav[@aria-label='Werkmappen']/a[starts-with(normalize-space(.), '{map}')]"
            );
            if c.find(Locator::XPath(&format!("{tab}[@aria-current]")))
                .await
                .is_err()
            {
                klik(&c, Locator::XPath(&tab)).await;
            }
            let t = tekst(&c).await;
            if t.contains("CL-00000001") {
                gevonden = true;
                // Sort on Status, then search on the plate in another spelling.
                klik(
                    &c,
                    Locator::XPath("//th/a[starts-with(normalize-space(.), 'Status')]"),
                )
                .await;
                assert!(
                    c.current_url()
                        .await
                        .expect("url")
                        .query()
                        .unwrap_or_default()
                        .contains("sorteer=status")
                );
                let zoek = c.find(Locator::Id("zoek")).await.expect("search field");
                zoek.send_keys("gb123x").await.expect("type");
                klik(&c, Locator::Css("form.zoeken button[type=submit]")).await;
                let t = tekst(&c).await;
                assert!(t.contains("CL-00000001"), "found by plate: {t}");
                foto(&c, "03-werkmap-gezocht").await;
                break;
            }
        }
        assert!(gevonden, "P's claim is in one of its work folders");

        // The dossier, and the link to the counter-claim.
        klik(&c, Locator::LinkText("CL-00000001")).await;
        let t = tekst(&c).await;
        for woord in [
            "Dossier CL-00000001",
            "OngevalId",
            "Standpunten",
            "Historie",
            "Berichtenverkeer",
            "berichtenkoppeling",
        ] {
            assert!(t.contains(woord), "{woord} in the dossier: {t}");
        }
        assert!(t.contains("✓"), "a delivered message has a tick");
        foto(&c, "04-dossier").await;
        klik(&c, Locator::Css("a[href='/dossier/CL-00000002']")).await;
        assert!(tekst(&c).await.contains("Dossier CL-00000002"));
        assert!(tekst(&c).await.contains("CL-00000001"), "and back");

        // A message's XML on request.
        c.goto(&format!("{basis}/dossier/CL-00000001"))
            .await
            .expect("goto");
        klik(&c, Locator::Css("#berichtenverkeer tbody tr td a")).await;
        let t = tekst(&c).await;
        assert!(
            t.contains("<?xml") || t.contains("BerichtId"),
            "the XML: {t}"
        );
        foto(&c, "05-bericht").await;

        // An information delivery: its attachment, as a file to save.
        c.goto(&format!("{basis}/dossier/CL-00000003"))
            .await
            .expect("goto");
        let t = tekst(&c).await;
        assert!(
            t.contains("InformatieVerzoek") && t.contains("InformatieAanlevering"),
            "the information traffic in the dossier: {t}"
        );
        klik(
            &c,
            Locator::Css("a[href='/dossier/CL-00000003/berichten/VS-2026-080004']"),
        )
        .await;
        let t = tekst(&c).await;
        assert!(t.contains("Bijlagen") && t.contains("zijkant.jpg"), "{t}");
        let foto_bijlage = met_sessie(
            &c,
            &basis,
            &href_van(&c, Locator::LinkText("zijkant.jpg")).await,
        )
        .await;
        assert_eq!(foto_bijlage.content_type(), "image/jpeg");
        assert!(
            foto_bijlage
                .header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment; filename=\"zijkant.jpg\"")),
            "a download"
        );

        // CR Informatie by kenteken, in another spelling.
        c.goto(&format!("{basis}/informatie")).await.expect("goto");
        typ(&c, "kenteken", "12abc3").await;
        klik(&c, Locator::Css("form.zoeken button[type=submit]")).await;
        let t = tekst(&c).await;
        for woord in ["CL-00000001", "12-ABC-3", "Standpunten", "Verloop"] {
            assert!(t.contains(woord), "{woord} in CR Informatie: {t}");
        }
        velden_hebben_een_label(&c).await;
        foto(&c, "09-cr-informatie").await;

        // Management information, and its CSV (fetched as the browser's
        // link would, with the browser's session cookie).
        c.goto(&format!("{basis}/managementinformatie"))
            .await
            .expect("goto");
        let t = tekst(&c).await;
        for woord in [
            "Managementinformatie",
            "Als verhaler (V)",
            "Geregistreerd",
            "Geregistreerd per maand",
            "Doorlooptijden in dagen",
            "Verdeling van de doorlooptijden",
            "Overeenstemming per OVS-code",
            "Alle tabellen in één CSV",
        ] {
            assert!(t.contains(woord), "{woord} in MI: {t}");
        }
        // Charts drawn on the server as SVG: per month, three lead-time
        // histograms, match rate per OVS-code, open claims by age.
        let grafieken = c
            .find_all(Locator::Css("figure.grafiek svg"))
            .await
            .expect("charts");
        assert!(grafieken.len() >= 5, "{} charts", grafieken.len());
        velden_hebben_een_label(&c).await;
        foto(&c, "10-managementinformatie").await;
        c.goto(&format!("{basis}/managementinformatie#V-doorlooptijden"))
            .await
            .expect("goto");
        foto(&c, "10b-managementinformatie-grafieken").await;
        // Every table has its CSV; the lead times' is that table.
        let tabellen = c
            .find_all(Locator::Css("div.tabel table"))
            .await
            .expect("tables");
        let links = c
            .find_all(Locator::Css("p.csv a[download]"))
            .await
            .expect("CSV links");
        assert_eq!(tabellen.len(), links.len(), "a CSV per table");
        let csv = met_sessie(
            &c,
            &basis,
            &href_van(&c, Locator::Css("a[href*='tabel=V-doorlooptijden']")).await,
        )
        .await;
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(
            csv.header("content-disposition")
                .is_some_and(|d| d.contains("managementinformatie-V-doorlooptijden-")),
            "named after the table"
        );
        let csv = csv.into_string().expect("text");
        assert!(
            csv.starts_with(
                "Van – tot,Aantal,Mediaan,90e percentiel\nAanmelding tot overeenstemming,"
            ),
            "{csv}"
        );
        let alles = met_sessie(
            &c,
            &basis,
            &href_van(&c, Locator::LinkText("Alle tabellen in één CSV")).await,
        )
        .await
        .into_string()
        .expect("text");
        assert!(alles.starts_with("tabel,rol,sleutel,waarde"), "{alles}");
        assert!(alles.contains("geregistreerd"), "{alles}");

        // The start page, on a phone-sized screen too; with the keyboard:
        // the first Tab reaches "Naar de inhoud", Enter on a tile opens it.
        c.goto(&format!("{basis}/")).await.expect("goto");
        assert!(tekst(&c).await.contains("Schadebehandeling"));
        foto(&c, "06-start").await;
        let lichaam = c.find(Locator::Css("body")).await.expect("body");
        lichaam.send_keys("\u{E004}").await.expect("Tab");
        let actief = c.active_element().await.expect("focus");
        assert_eq!(actief.text().await.expect("text"), "Naar de inhoud");
        let tegel = c
            .find(Locator::Css("a.tegel[href='/werkmappen']"))
            .await
            .expect("tile");
        tegel.send_keys("\u{E007}").await.expect("Enter");
        let begin = Instant::now();
        while c.current_url().await.expect("url").path() != "/werkmappen" {
            assert!(
                begin.elapsed() < Duration::from_secs(10),
                "Enter on the tile opens it"
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        // With the keyboard alone: Tab to a column's sort link, Enter sorts;
        // Tab to the search field, type, Enter searches.
        tab_tot(&c, "a[href*='sorteer=schadedatum']").await;
        c.active_element()
            .await
            .expect("focus")
            .send_keys("\u{E007}")
            .await
            .expect("Enter");
        wacht_op_adres(&c, "sorteer=schadedatum").await;
        let zoek = tab_tot(&c, "input#zoek").await;
        zoek.send_keys("gb123x\u{E007}").await.expect("type, Enter");
        wacht_op_adres(&c, "zoek=gb123x").await;
        velden_hebben_een_label(&c).await;
        c.goto(&format!("{basis}/")).await.expect("goto");
        c.set_window_size(390, 844).await.expect("resize");
        c.goto(&format!("{basis}/werkmappen?werkmap=Archief"))
            .await
            .expect("goto");
        foto(&c, "07-werkmappen-telefoon").await;
        // On a phone no page is wider than the screen: wide tables scroll
        // inside their own box.
        for pad in [
            "/",
            "/werkmappen?werkmap=Archief",
            "/dossier/CL-00000001",
            "/informatie?kenteken=12abc3",
            "/managementinformatie",
        ] {
            c.goto(&format!("{basis}{pad}")).await.expect("goto");
            let maten = c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth, \
                     [...document.querySelectorAll('body *')] \
                       .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX == 'visible')) \
                       .filter(e => !e.parentElement.closest('.tabel')) \
                       .slice(0, 5).map(e => e.tagName + '.' + e.className).join(' ')]",
                    vec![],
                )
                .await
                .expect("widths");
            let (pagina, scherm) = (maten[0].as_i64(), maten[1].as_i64());
            assert!(
                pagina.is_some() && pagina <= scherm,
                "{pad} is {pagina:?} px wide on a {scherm:?} px screen: {}",
                maten[2]
            );
        }
        c.goto(&format!("{basis}/dossier/CL-00000001"))
            .await
            .expect("goto");
        foto(&c, "04b-dossier-telefoon").await;
        c.set_window_size(1280, 800).await.expect("resize");

        // Log out: the next screen asks for a login again.
        klik(
            &c,
            Locator::XPath("//button[normalize-space(.)='Uitloggen']"),
        )
        .await;
        c.goto(&format!("{basis}/werkmappen")).await.expect("goto");
        assert!(
            c.current_url()
                .await
                .expect("url")
                .path()
                .starts_with("/inloggen")
        );

        // Another participant's handler types P's claim: "Niet gevonden",
        // the same page as for a claim that does not exist.
        log_in(
            &c,
            &basis,
            "/dossier/CL-00000001",
            "behandelaar@q.example",
            &wachtwoord_q,
        )
        .await;
        let ander = tekst(&c).await;
        assert!(ander.contains("Niet gevonden"), "{ander}");
        assert!(
            !ander.contains("GB-123-X") && !ander.contains("Noordelijke"),
            "nothing of the claim: {ander}"
        );
        foto(&c, "08-niet-gevonden").await;
        c.goto(&format!("{basis}/dossier/CL-99999999"))
            .await
            .expect("goto");
        assert_eq!(
            tekst(&c).await,
            ander,
            "another's claim looks like a missing one"
        );

        // The operator: Beheer, the log of the claim, re-delivery of an
        // outbound message after a confirmation.
        c.goto(&format!("{basis}/")).await.expect("goto");
        klik(
            &c,
            Locator::XPath("//button[normalize-space(.)='Uitloggen']"),
        )
        .await;
        log_in(
            &c,
            &basis,
            "/beheer",
            "operator@hub.example",
            &wachtwoord_operator,
        )
        .await;
        let t = tekst(&c).await;
        for woord in [
            "Beheer",
            "Gezondheid",
            "bereikbaar",
            "Deelnemers",
            "Berichtenlog",
            "Geparkeerde berichten",
            "Laatste ronde",
            "bedient de postbussen",
            "Laatste bericht ontvangen",
            "actief",
        ] {
            assert!(t.contains(woord), "{woord} in Beheer: {t}");
        }
        let ronde = c
            .find(Locator::Id("laatste-ronde"))
            .await
            .expect("last round")
            .text()
            .await
            .expect("text");
        assert!(
            ronde.contains(" ms"),
            "the dispatcher's last round: {ronde}"
        );
        typ(&c, "claim_id", "CL-00000001").await;
        klik(&c, Locator::Css("form.zoeken button[type=submit]")).await;
        velden_hebben_een_label(&c).await;
        foto(&c, "11-beheer").await;
        klik(&c, Locator::LinkText("Opnieuw aanbieden")).await;
        assert!(tekst(&c).await.contains("Bericht opnieuw aanbieden"));
        foto(&c, "12-opnieuw-aanbieden").await;
        klik(
            &c,
            Locator::XPath("//button[normalize-space(.)='Ja, opnieuw aanbieden']"),
        )
        .await;
        let t = tekst(&c).await;
        assert!(
            t.contains("Opnieuw aangeboden") && t.contains("staat opnieuw in de outbox"),
            "{t}"
        );

        c.close().await.expect("close");
    });
    // The re-delivery is recorded with who asked.
    let db = format!(
        "sqlite://{}?mode=ro",
        web.hub
            .map
            .join("clearinghuis-data/clearinghuis.db")
            .display()
    );
    let door: Vec<String> = rt.block_on(async {
        let mut v = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db)
            .await
            .expect("store");
        sqlx::query_scalar("SELECT door FROM heraanbiedingen")
            .fetch_all(&mut v)
            .await
            .expect("query")
    });
    assert_eq!(door, vec!["gebruiker:operator@hub.example".to_string()]);
}

/// A screen's form that changes something needs the session's CSRF token:
/// without it nothing changes (the session survives), with it the log out
/// works; a login never sends the browser to another host.
#[test]
fn een_formulier_zonder_csrf_verandert_niets() {
    let web = Web::start("schermen-csrf", None);
    let basis = web.basis.clone();
    let wachtwoord = web.gebruiker("b@p.example", P, "schadebehandeling");
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let r = antwoord(agent.post(&format!("{basis}/inloggen")).send_form(&[
        ("email", "b@p.example"),
        ("wachtwoord", &wachtwoord),
        ("terug", "//elders.example/"),
    ]));
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/"), "never to another host");
    let cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    // The one-time password: every screen sends the browser to the change
    // form first, whose form needs the CSRF token as well.
    let vraag = |pad: &str| {
        antwoord(
            agent
                .get(&format!("{basis}{pad}"))
                .set("Cookie", &cookie)
                .call(),
        )
    };
    let r = vraag("/werkmappen");
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/wachtwoord?terug=/werkmappen"));
    let formulier = vraag("/wachtwoord").into_string().expect("page");
    let csrf = formulier
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form's token")
        .to_string();
    let wijzig = |csrf: &str, huidig: &str, nieuw: &str, herhaling: &str| {
        let r = antwoord(
            agent
                .post(&format!("{basis}/wachtwoord"))
                .set("Cookie", &cookie)
                .send_form(&[
                    ("csrf", csrf),
                    ("huidig", huidig),
                    ("nieuw", nieuw),
                    ("herhaling", herhaling),
                    ("terug", "/werkmappen"),
                ]),
        );
        let status = r.status();
        let locatie = r.header("location").unwrap_or_default().to_string();
        (status, locatie, r.into_string().unwrap_or_default())
    };
    let nieuw = "mijn eigen wachtwoord";
    let lang = "x".repeat(201);
    let (s, _, p) = wijzig("verkeerd", &wachtwoord, nieuw, nieuw);
    assert_eq!(s, 403, "{p}");
    assert!(p.contains("Het formulier is verlopen"));
    for (huidig, nieuw, herhaling, melding) in [
        ("fout", nieuw, nieuw, "Het huidige wachtwoord klopt niet."),
        (wachtwoord.as_str(), nieuw, "iets anders", "niet gelijk"),
        (wachtwoord.as_str(), "kort", "kort", "minstens 12 tekens"),
        (wachtwoord.as_str(), &lang, &lang, "hoogstens 200 tekens"),
        (
            wachtwoord.as_str(),
            &wachtwoord,
            &wachtwoord,
            "ander wachtwoord",
        ),
    ] {
        let (s, _, p) = wijzig(&csrf, huidig, nieuw, herhaling);
        assert_eq!(s, 400, "{p}");
        assert!(p.contains(melding), "{melding}: {p}");
    }
    assert_eq!(vraag("/").status(), 303, "still the one-time password");
    let (s, locatie, _) = wijzig(&csrf, &wachtwoord, nieuw, nieuw);
    assert_eq!((s, locatie.as_str()), (303, "/werkmappen"));
    let start = vraag("/");
    assert_eq!(start.status(), 200);
    let pagina = start.into_string().expect("page");
    let csrf = pagina
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form's token")
        .to_string();
    for fout in ["", "verkeerd"] {
        let r = antwoord(
            agent
                .post(&format!("{basis}/uitloggen"))
                .set("Cookie", &cookie)
                .send_form(&[("csrf", fout)]),
        );
        assert_eq!(r.status(), 403, "token {fout:?}");
        assert!(
            r.into_string()
                .unwrap_or_default()
                .contains("Het formulier is verlopen")
        );
        let nog = antwoord(
            agent
                .get(&format!("{basis}/"))
                .set("Cookie", &cookie)
                .call(),
        );
        assert_eq!(nog.status(), 200, "the session survives");
    }
    let r = antwoord(
        agent
            .post(&format!("{basis}/uitloggen"))
            .set("Cookie", &cookie)
            .send_form(&[("csrf", &csrf)]),
    );
    assert_eq!(r.status(), 303);
    let na = antwoord(
        agent
            .get(&format!("{basis}/"))
            .set("Cookie", &cookie)
            .call(),
    );
    assert_eq!(na.status(), 303, "logged out: to the login page");
    assert!(
        na.header("location")
            .unwrap_or_default()
            .starts_with("/inloggen")
    );
}

/// Afdrukken: the dossier as a PDF made by the hub; its text (read by
/// poppler's pdftotext, as a reader would) holds the ClaimId and the
/// settlement's total as on screen.
#[test]
fn het_dossier_als_pdf() {
    let web = Web::start("schermen-pdf", None);
    let basis = web.basis.clone();
    web.speel("22-eindafrekening-rente-bgk.jsonl");
    let token = web.cli(&["token", "nieuw", "hub", "--rollen", "operator"]);
    // The total as the hub computed it (interest runs to the day it was made).
    let dossier: serde_json::Value = ureq::get(&format!("{basis}/api/v1/claims/CL-00000001"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the dossier")
        .into_json()
        .expect("json");
    let totaal = dossier["afrekeningen"][0]["Totaal"]
        .as_str()
        .expect("a settlement's total")
        .to_string();
    let op_scherm = clearinghuis::web::schermen::bedrag(&totaal);
    assert!(
        op_scherm.starts_with("€ ") && op_scherm.contains(','),
        "{op_scherm}"
    );
    let r = ureq::get(&format!("{basis}/api/v1/claims/CL-00000001/pdf"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the PDF");
    assert_eq!(r.content_type(), "application/pdf");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).expect("read");
    assert!(bytes.starts_with(b"%PDF-"));
    let pad = web.hub.map.join("dossier.pdf");
    std::fs::write(&pad, &bytes).expect("write");
    let uit = Command::new("pdftotext")
        .arg(&pad)
        .arg("-")
        .output()
        .expect("pdftotext runs (.ci/setup installs poppler-utils)");
    assert!(uit.status.success());
    let tekst = String::from_utf8_lossy(&uit.stdout);
    assert!(tekst.contains("Dossier CL-00000001"), "{tekst}");
    assert!(
        tekst.contains(&format!("Totaal: {op_scherm}")),
        "the settlement's total {op_scherm}: {tekst}"
    );
    // The position's date, the specification's components and each
    // interest stretch, as the dossier has them (these were once empty).
    let standpunt_datum = clearinghuis::web::schermen::datum(
        dossier["standpunten"][0]["Tijdstip"]
            .as_str()
            .expect("a position's time"),
    );
    let component = dossier["specificatie"][0]["Code"]
        .as_str()
        .expect("a specified component")
        .to_string();
    let periode_van = clearinghuis::web::schermen::datum(
        dossier["afrekeningen"][0]["WettelijkeRente"]["Periode"][0]["Van"]
            .as_str()
            .expect("an interest stretch"),
    );
    assert!(
        tekst.contains(&format!("1. {standpunt_datum} – ")),
        "{tekst}"
    );
    assert!(
        tekst
            .lines()
            .any(|l| l.starts_with(&component) && l.contains(": € ")),
        "{tekst}"
    );
    assert!(
        tekst.contains(&format!("Wettelijke rente van {periode_van} tot ")),
        "{tekst}"
    );
    // The dossier screen lays the settlement out the same way.
    let scherm = ureq::get(&format!("{basis}/dossier/CL-00000001"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the dossier screen")
        .into_string()
        .expect("html");
    for stuk in [
        "Wettelijke rente per periode".to_string(),
        format!("<dt>Totaal</dt><dd>{op_scherm}</dd>"),
        format!("<th scope=\"row\">{periode_van}</th>"),
        format!("<td>{standpunt_datum}</td>"),
        format!("<th scope=\"row\">{component}</th>"),
    ] {
        assert!(scherm.contains(&stuk), "{stuk} on the screen: {scherm}");
    }
    for woord in [
        "Partijen",
        "Standpunten",
        "Schadespecificatie",
        "Eindafrekeningen",
        "Historie",
    ] {
        assert!(tekst.contains(woord), "{woord}: {tekst}");
    }
    std::fs::write(schermen_map().join("dossier.pdf"), &bytes).expect("keep");
    // Its first page as a picture beside the screenshots (poppler's pdftoppm).
    let plaatje = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pad)
        .arg(schermen_map().join("13-afdruk"))
        .status()
        .expect("pdftoppm runs (.ci/setup installs poppler-utils)");
    assert!(plaatje.success());
}

/// The second factor on the login screen: password first, then the screen
/// asks for the code; a wrong code is refused in words, the right one logs
/// in.
#[test]
fn inloggen_met_de_tweede_factor() {
    let web = Web::start("schermen-totp", None);
    let basis = web.basis.clone();
    let uit = web.cli(&[
        "gebruiker",
        "toevoegen",
        "--email",
        "t@p.example",
        "--naam",
        "T",
        "--deelnemer",
        P,
        "--rollen",
        "schadebehandeling",
        "--totp",
    ]);
    let wachtwoord = uit
        .lines()
        .find_map(|r| r.split("one-time password: ").nth(1))
        .expect("a password")
        .trim()
        .to_string();
    let geheim = uit
        .lines()
        .find_map(|r| r.strip_prefix("second factor (TOTP) secret: "))
        .expect("the secret")
        .trim()
        .to_string();
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let stap = |code: &str| {
        antwoord(agent.post(&format!("{basis}/inloggen")).send_form(&[
            ("email", "t@p.example"),
            ("wachtwoord", &wachtwoord),
            ("code", code),
        ]))
    };
    // Without the code: the screen asks for it (no failure counted).
    let r = stap("");
    assert_eq!(r.status(), 401);
    let pagina = r.into_string().expect("page");
    assert!(
        pagina.contains("Voer de code in") && pagina.contains("id=\"code\""),
        "{pagina}"
    );
    // A wrong code.
    let r = stap("000000");
    assert_eq!(r.status(), 401);
    assert!(r.into_string().expect("page").contains("niet juist"));
    // The right one.
    let sleutel = clearinghuis::web::geheim::van_base32(&geheim).expect("base32");
    let nu = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let code = format!(
        "{:06}",
        clearinghuis::web::geheim::totp_code(&sleutel, nu / 30)
    );
    let r = stap(&code);
    assert_eq!(r.status(), 303, "logged in with the code");
    assert!(
        r.header("set-cookie")
            .is_some_and(|c| c.starts_with("ch_sessie="))
    );
    // A code is good once (RFC 6238 §5.2): the same code again is refused.
    let r = stap(&code);
    assert_eq!(r.status(), 401, "a code used once");
    assert!(r.into_string().expect("page").contains("niet juist"));
    // The next step's code (one step of clock drift is allowed) for the browser.
    let code = format!(
        "{:06}",
        clearinghuis::web::geheim::totp_code(&sleutel, nu / 30 + 1)
    );

    // The same in a real browser: the code field appears after the
    // password, and the code logs in (then the one-time password's change).
    clearinghuis::kies_crypto();
    let driverpoort = vrije_poort();
    let _driver = chromedriver(driverpoort);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let c = browser(driverpoort, 1280, 800).await;
        c.goto(&format!("{basis}/inloggen")).await.expect("goto");
        for (veld, waarde) in [
            ("email", "t@p.example"),
            ("wachtwoord", wachtwoord.as_str()),
        ] {
            typ(&c, veld, waarde).await;
        }
        c.find(Locator::Css("form button[type=submit]"))
            .await
            .expect("the button")
            .click()
            .await
            .expect("click");
        let veld = c
            .wait()
            .for_element(Locator::Id("code"))
            .await
            .expect("the code field");
        assert!(tekst(&c).await.contains("Voer de code in"));
        foto(&c, "01c-inloggen-code").await;
        // The password again (the page does not keep it), then the code.
        typ(&c, "wachtwoord", &wachtwoord).await;
        veld.send_keys(&format!("{code}\u{E007}"))
            .await
            .expect("type the code, Enter");
        wacht_op_adres(&c, "/wachtwoord").await;
        c.close().await.expect("close");
    });
}
