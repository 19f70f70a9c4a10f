//! Errors that cannot heal end `clearinghuis serve` at start, against the
//! real binary: a PostgreSQL database that does not exist, an unknown role,
//! a port nothing listens on (store and broker), a refused broker login and
//! a virtual host that does not exist. Each ends with a non-zero status
//! within a bounded time, before serving, with a message naming the
//! problem; the password in the URLs appears nowhere in what it printed.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{amqp, pg};

/// In every URL of these tests; must never be printed.
const GEHEIM: &str = "geheim-7f3a";
/// The start may try a service that refuses connections for about 10 s;
/// this leaves room for a slow machine.
const GRENS: Duration = Duration::from_secs(40);

struct Afloop {
    status: Option<std::process::ExitStatus>,
    duur: Duration,
    uitvoer: String,
}

/// Runs `serve` in a fresh folder with `omgeving`, until it exits (or is
/// killed after [`GRENS`] plus a margin); stdout and stderr together.
fn serve(naam: &str, omgeving: &[(&str, String)]) -> Afloop {
    let map = std::env::temp_dir().join(format!(
        "clearinghuis-opstart-{naam}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&map);
    std::fs::create_dir_all(&map).expect("folder");
    std::fs::copy(
        common::root().join("fixtures/conversations/participants.toml"),
        map.join("participants.toml"),
    )
    .expect("participants");
    let uit = std::fs::File::create(map.join("uit.log")).expect("log");
    let fout = uit.try_clone().expect("log");
    let begin = Instant::now();
    let mut kind = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .current_dir(&map)
        .args(["serve", "--participants", "participants.toml"])
        // Many hubs run at once: the web part only where a test asks for it.
        .env("CLEARINGHUIS_API_LISTEN", "")
        .env("RUST_LOG", "info")
        .envs(omgeving.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::from(uit))
        .stderr(Stdio::from(fout))
        .spawn()
        .expect("serve starts");
    let status = loop {
        if let Some(s) = kind.try_wait().expect("wait") {
            break Some(s);
        }
        if begin.elapsed() > GRENS + Duration::from_secs(20) {
            let _ = kind.kill();
            let _ = kind.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let duur = begin.elapsed();
    let uitvoer = std::fs::read_to_string(map.join("uit.log")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&map);
    Afloop {
        status,
        duur,
        uitvoer,
    }
}

/// Ended non-zero within [`GRENS`], before serving, naming `probleem`, and
/// without the password.
fn eindigt(naam: &str, a: &Afloop, probleem: &str) {
    eprintln!(
        "{naam}: exit {:?} after {:.1} s; {}",
        a.status.and_then(|s| s.code()),
        a.duur.as_secs_f64(),
        slotwoord(&a.uitvoer)
    );
    let status = a
        .status
        .unwrap_or_else(|| panic!("{naam}: still running after {GRENS:?}:\n{}", a.uitvoer));
    assert!(!status.success(), "{naam}: exit status 0:\n{}", a.uitvoer);
    assert!(a.duur < GRENS, "{naam}: took {:?}", a.duur);
    assert!(
        !a.uitvoer.contains("serving:"),
        "{naam}: it served:\n{}",
        a.uitvoer
    );
    // The hub's last word (a driver's own log line may come after it).
    let laatste = slotwoord(&a.uitvoer);
    assert!(
        laatste.contains(probleem),
        "{naam}: the last line does not name the problem ({probleem}):\n{}",
        a.uitvoer
    );
    assert!(
        !a.uitvoer.contains(GEHEIM),
        "{naam}: the password was printed:\n{}",
        a.uitvoer
    );
}

/// The hub's last line of its own.
fn slotwoord(uitvoer: &str) -> &str {
    uitvoer
        .lines()
        .rfind(|l| l.starts_with("clearinghuis serve: "))
        .unwrap_or_default()
}

/// The test server's user, host and port.
fn pg_server() -> (String, String, u16) {
    let beheer = pg::beheer_url();
    let authority = beheer
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("127.0.0.1:5432");
    let (gebruiker, host) = match authority.rsplit_once('@') {
        Some((g, h)) => (g.split(':').next().unwrap_or("postgres"), h),
        None => ("postgres", authority),
    };
    let (host, poort) = match host.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(5432)),
        None => (host, 5432),
    };
    (gebruiker.to_string(), host.to_string(), poort)
}

/// A URL on the test server's host with the password [`GEHEIM`] (this
/// server's trust authentication ignores it).
fn pg_url(gebruiker: &str, poort: u16, database: &str) -> String {
    let (_, host, _) = pg_server();
    format!("postgres://{gebruiker}:{GEHEIM}@{host}:{poort}/{database}")
}

/// A port on this machine where nothing listens.
fn vrije_poort() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    l.local_addr().expect("address").port()
}

#[test]
fn een_database_die_niet_bestaat() {
    let (gebruiker, _, poort) = pg_server();
    let url = pg_url(&gebruiker, poort, "ch_bestaat_niet_7f3a");
    let a = serve("geen-db", &[("CLEARINGHUIS_STORE_URL", url)]);
    eindigt(
        "missing database",
        &a,
        "\"ch_bestaat_niet_7f3a\" does not exist",
    );
}

#[test]
fn een_onbekende_rol() {
    let (_, _, poort) = pg_server();
    let url = pg_url("ch_onbekend_7f3a", poort, "test");
    let a = serve("geen-rol", &[("CLEARINGHUIS_STORE_URL", url)]);
    eindigt(
        "unknown role",
        &a,
        "role \"ch_onbekend_7f3a\" does not exist",
    );
}

#[test]
fn een_poort_waar_niets_luistert_voor_de_store() {
    let (gebruiker, _, _) = pg_server();
    let url = pg_url(&gebruiker, vrije_poort(), "test");
    let a = serve("pg-poort", &[("CLEARINGHUIS_STORE_URL", url)]);
    eindigt("store on a bad port", &a, "Connection refused");
}

/// The broker cases: the store is a fresh database (reached with the
/// password, which this server's trust authentication ignores), the broker
/// URL is wrong.
fn met_broker(naam: &str, broker: String) -> Afloop {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (_, guard) = rt.block_on(pg::verse_database());
    let (gebruiker, _, poort) = pg_server();
    let db = pg_url(&gebruiker, poort, &guard.naam);
    serve(
        naam,
        &[
            ("CLEARINGHUIS_STORE_URL", db),
            ("CLEARINGHUIS_MAILBOX_KIND", "amqp".to_string()),
            ("CLEARINGHUIS_MAILBOX_URL", broker),
        ],
    )
}

/// The test broker's URL with `gebruiker:wachtwoord`, `poort` and `vhost`.
fn amqp_url(wachtwoord: &str, poort: Option<u16>, vhost: &str) -> String {
    let basis = amqp::url();
    let na = basis.split("://").nth(1).unwrap_or("127.0.0.1:5672/%2f");
    let authority = na.split('/').next().unwrap_or("127.0.0.1:5672");
    let (gebruiker, host) = match authority.rsplit_once('@') {
        Some((g, h)) => (g.split(':').next().unwrap_or("guest"), h),
        None => ("guest", authority),
    };
    let host = match poort {
        Some(p) => format!("{}:{p}", host.split(':').next().unwrap_or("127.0.0.1")),
        None => host.to_string(),
    };
    format!("amqp://{gebruiker}:{wachtwoord}@{host}/{vhost}")
}

/// The broker's real password (the test broker's URL), to get past login.
fn amqp_wachtwoord() -> String {
    let basis = amqp::url();
    basis
        .split("://")
        .nth(1)
        .and_then(|r| r.split('@').next())
        .and_then(|g| g.split(':').nth(1))
        .unwrap_or("guest")
        .to_string()
}

#[test]
fn een_verkeerd_wachtwoord_bij_de_broker() {
    let a = met_broker("amqp-wachtwoord", amqp_url(GEHEIM, None, "%2f"));
    eindigt("wrong broker password", &a, "ACCESS_REFUSED");
}

#[test]
fn een_vhost_die_niet_bestaat() {
    let a = met_broker(
        "amqp-vhost",
        amqp_url(&amqp_wachtwoord(), None, "ch-bestaat-niet"),
    );
    // The hub's first contact with the broker is its check of the
    // permissions on that vhost (rabbitmqctl), which names the problem.
    eindigt(
        "missing vhost",
        &a,
        "Virtual host 'ch-bestaat-niet' does not exist",
    );
}

#[test]
fn een_poort_waar_niets_luistert_voor_de_broker() {
    let a = met_broker("amqp-poort", amqp_url(GEHEIM, Some(vrije_poort()), "%2f"));
    eindigt("broker on a bad port", &a, "Connection refused");
}

#[test]
fn de_hulpjes_maken_de_bedoelde_urls() {
    let u = amqp_url("x", Some(1), "v");
    assert!(u.starts_with("amqp://") && u.ends_with(":1/v"), "{u}");
    let p = pg_url("u", 2, "d");
    assert!(p.starts_with("postgres://u:") && p.ends_with(":2/d"), "{p}");
}
