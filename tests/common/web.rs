//! The web part's test helpers: a real `serve` with its API on a free
//! port, requests that take every status as an answer, fixtures played
//! into the mailboxes, the CLI on the same store.

use std::process::Command;
use std::time::{Duration, Instant};

use clearinghuis::hub::{Logregel, Richting};

use super::hub::Hub;

/// A screen answers in HTML and sends an anonymous browser to the login
/// (the tests' own rule, written apart from `clearinghuis::web::is_scherm`).
pub fn scherm(pad: &str) -> bool {
    !pad.starts_with("/api/") && !matches!(pad, "/healthz" | "/readyz" | "/metrics")
}

/// The response, whatever its status (ureq reports 4xx and 5xx as errors).
pub fn antwoord(r: Result<ureq::Response, ureq::Error>) -> ureq::Response {
    match r {
        Ok(a) | Err(ureq::Error::Status(_, a)) => a,
        Err(e) => panic!("no answer: {e}"),
    }
}

pub fn vrije_poort() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    l.local_addr().expect("address").port()
}

pub struct Web {
    pub hub: Hub,
    pub basis: String,
}

impl Web {
    pub fn start(naam: &str, store: Option<&str>) -> Web {
        let mut hub = Hub::nieuw(naam);
        let poort = vrije_poort();
        hub.omgeving.push((
            "CLEARINGHUIS_API_LISTEN".into(),
            format!("127.0.0.1:{poort}"),
        ));
        if let Some(url) = store {
            hub.omgeving
                .push(("CLEARINGHUIS_STORE_URL".into(), url.to_string()));
        }
        hub.start();
        let basis = format!("http://127.0.0.1:{poort}");
        let begin = Instant::now();
        while ureq::get(&format!("{basis}/healthz")).call().is_err() {
            assert!(
                begin.elapsed() < Duration::from_secs(30),
                "no web part: {}",
                hub.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Web { hub, basis }
    }

    /// Plays the in lines of a conversation fixture into the mailboxes.
    pub fn speel(&self, fixture: &str) {
        self.speel_aangepast(fixture, |x| x.to_string());
    }

    /// Plays a fixture's in lines, each message's XML changed by `pas_aan`.
    pub fn speel_aangepast(&self, fixture: &str, pas_aan: impl Fn(&str) -> String) {
        let tekst =
            std::fs::read_to_string(super::root().join("fixtures/conversations").join(fixture))
                .expect("fixture");
        for (i, regel) in tekst.lines().enumerate() {
            let r: Logregel = serde_json::from_str(regel).expect("log line");
            if r.direction != Richting::In {
                continue;
            }
            let map = self.hub.in_map(&r.mailbox);
            std::fs::write(map.join(format!(".t{i}")), pas_aan(&r.xml).as_bytes()).expect("write");
            std::fs::rename(map.join(format!(".t{i}")), map.join(format!("m{i:03}.xml")))
                .expect("rename");
            let begin = Instant::now();
            while self.hub.wachtend() > 0 {
                assert!(
                    begin.elapsed() < Duration::from_secs(30),
                    "not taken: {}",
                    self.hub.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }

    pub fn cli(&self, args: &[&str]) -> String {
        let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
            .current_dir(&self.hub.map)
            .args(args)
            .envs(
                self.hub
                    .omgeving
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .output()
            .expect("runs");
        assert!(
            uit.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&uit.stderr)
        );
        String::from_utf8_lossy(&uit.stdout).trim().to_string()
    }

    /// Adds a user through the CLI; its one-time password.
    pub fn gebruiker(&self, email: &str, deelnemer: &str, rollen: &str) -> String {
        let uit = self.cli(&[
            "gebruiker",
            "toevoegen",
            "--email",
            email,
            "--naam",
            "Test Behandelaar",
            "--deelnemer",
            deelnemer,
            "--rollen",
            rollen,
        ]);
        uit.rsplit("one-time password: ")
            .next()
            .expect("a password")
            .trim()
            .to_string()
    }

    /// Logs in through the API (`POST /api/v1/sessie`), whatever the answer.
    pub fn log_in(&self, email: &str, wachtwoord: &str) -> ureq::Response {
        antwoord(
            ureq::post(&format!("{}/api/v1/sessie", self.basis))
                .send_json(serde_json::json!({"email": email, "wachtwoord": wachtwoord})),
        )
    }

    pub fn token(&self, deelnemer: &str, rollen: &str) -> String {
        self.cli(&["token", "nieuw", deelnemer, "--rollen", rollen])
    }

    /// (status, content type, body) of a request.
    pub fn vraag(&self, methode: &str, pad: &str, token: Option<&str>) -> (u16, String, String) {
        // Redirects are answers here (a screen sends a browser to the login).
        let mut r = ureq::AgentBuilder::new()
            .redirects(0)
            .build()
            .request(methode, &format!("{}{pad}", self.basis));
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        // A screen's form is sent as a browser sends it.
        let antwoord = antwoord(if methode == "POST" && scherm(pad) {
            r.send_form(&[])
        } else {
            r.call()
        });
        let status = antwoord.status();
        let soort = antwoord.content_type().to_string();
        (status, soort, antwoord.into_string().unwrap_or_default())
    }
}
