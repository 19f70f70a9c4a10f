//! The figures every fault test of `serve` ends with: of the messages a
//! test sent, how many the store lost or logged twice, whether every answer
//! file is its log line exactly once, and whether an identifier (a CR-HUB
//! BerichtId, a ClaimId) was handed out twice. A [`Waarnemer`] watches the
//! `out` folders while the hub runs, as a participant would, and notices an
//! answer file that was replaced by a different one (a reused BerichtId
//! overwrites an earlier answer; the final files alone would not show it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearinghuis::bericht::{ClaimBlok, xml};
use clearinghuis::engine::inhoud_hash;
use clearinghuis::hub::Richting;

use super::hub::Hub;

/// What a fault test counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Telling {
    /// Inbound messages the test put into the mailboxes.
    pub verzonden: usize,
    /// Of those, not in the store's log.
    pub verloren: usize,
    /// Of those, in the log more than once.
    pub dubbel: usize,
    /// Inbound messages in the log that the test did not send.
    pub onbekend: usize,
    /// `out` lines in the log.
    pub antwoorden: usize,
    /// `out` lines without an answer file holding exactly their bytes.
    pub antwoord_ontbreekt: usize,
    /// Answer files that are no `out` line of the log.
    pub antwoord_zonder_log: usize,
    /// CR-HUB BerichtIds on more than one `out` line.
    pub bericht_id_hergebruikt: usize,
    /// ClaimIds given to more than one claim (by V's claim number).
    pub claim_id_hergebruikt: usize,
    /// Answer files the watcher saw replaced by different bytes.
    pub overschreven: usize,
}

impl Telling {
    /// Nothing lost, nothing doubled, no identifier reused, every answer
    /// exactly once.
    pub fn heel(&self) -> bool {
        let Telling {
            verzonden: _,
            antwoorden: _,
            verloren,
            dubbel,
            onbekend,
            antwoord_ontbreekt,
            antwoord_zonder_log,
            bericht_id_hergebruikt,
            claim_id_hergebruikt,
            overschreven,
        } = self;
        [
            verloren,
            dubbel,
            onbekend,
            antwoord_ontbreekt,
            antwoord_zonder_log,
            bericht_id_hergebruikt,
            claim_id_hergebruikt,
            overschreven,
        ]
        .iter()
        .all(|n| **n == 0)
    }
}

impl std::fmt::Display for Telling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sent {}, lost {}, doubled {}, not sent {}, answers {}, answers missing or different {}, \
             answer files not in the log {}, BerichtIds reused {}, ClaimIds reused {}, \
             answer files overwritten {}",
            self.verzonden,
            self.verloren,
            self.dubbel,
            self.onbekend,
            self.antwoorden,
            self.antwoord_ontbreekt,
            self.antwoord_zonder_log,
            self.bericht_id_hergebruikt,
            self.claim_id_hergebruikt,
            self.overschreven
        )
    }
}

/// Exports the hub's log and counts (see [`Telling`]).
pub fn tel(hub: &Hub, berichten: &[String], waarnemer: Option<&Waarnemer>) -> Telling {
    let log = hub.export();
    let mut per_hash: BTreeMap<String, usize> = BTreeMap::new();
    for r in log.iter().filter(|r| r.direction == Richting::In) {
        *per_hash.entry(inhoud_hash(r.xml.as_bytes())).or_default() += 1;
    }
    let gezonden: BTreeSet<String> = berichten
        .iter()
        .map(|b| inhoud_hash(b.as_bytes()))
        .collect();
    let verloren = gezonden
        .iter()
        .filter(|h| !per_hash.contains_key(*h))
        .count();
    let dubbel = per_hash.values().filter(|n| **n > 1).count();
    let onbekend = per_hash.keys().filter(|h| !gezonden.contains(*h)).count();

    let bestanden: BTreeMap<(String, String), String> = hub
        .antwoorden()
        .into_iter()
        .map(|(m, n, x)| ((m, n), x))
        .collect();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut claims: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut antwoorden = 0;
    let mut ontbreekt = 0;
    let mut in_log = BTreeSet::new();
    for r in log.iter().filter(|r| r.direction == Richting::Out) {
        antwoorden += 1;
        let b = xml::lees(&r.xml).expect("an answer");
        *ids.entry(b.kop.bericht_id.to_string()).or_default() += 1;
        if let Some(ClaimBlok::Volledig(c)) = &b.kop.claim
            && let Some(n) = &c.schadenummer_verhaler
        {
            claims
                .entry(c.claim_id.to_string())
                .or_default()
                .insert(format!("{}/{n}", c.verhaler));
        }
        let sleutel = (r.mailbox.clone(), format!("{}.xml", b.kop.bericht_id));
        if bestanden.get(&sleutel) != Some(&r.xml) {
            ontbreekt += 1;
        }
        in_log.insert(sleutel);
    }
    Telling {
        verzonden: berichten.len(),
        verloren,
        dubbel,
        onbekend,
        antwoorden,
        antwoord_ontbreekt: ontbreekt,
        antwoord_zonder_log: bestanden.keys().filter(|k| !in_log.contains(*k)).count(),
        bericht_id_hergebruikt: ids.values().filter(|n| **n > 1).count(),
        claim_id_hergebruikt: claims.values().filter(|s| s.len() > 1).count(),
        overschreven: waarnemer.map_or(0, Waarnemer::overschreven),
    }
}

/// Watches every `out` folder under a mailbox root (every 50 ms) and
/// remembers each answer file's first bytes.
pub struct Waarnemer {
    stop: Arc<AtomicBool>,
    draad: Option<std::thread::JoinHandle<()>>,
    gezien: Arc<Mutex<(BTreeMap<PathBuf, String>, usize)>>,
}

impl Waarnemer {
    pub fn start(mailboxes: PathBuf) -> Waarnemer {
        let stop = Arc::new(AtomicBool::new(false));
        let gezien = Arc::new(Mutex::new((BTreeMap::new(), 0)));
        let (s, g) = (stop.clone(), gezien.clone());
        let draad = std::thread::spawn(move || {
            loop {
                let laatste = s.load(Ordering::Relaxed);
                kijk(&mailboxes, &g);
                if laatste {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Waarnemer {
            stop,
            draad: Some(draad),
            gezien,
        }
    }

    /// Stops watching (after one last look) and counts the replaced files.
    pub fn overschreven(&self) -> usize {
        self.gezien.lock().expect("lock").1
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(d) = self.draad.take() {
            let _ = d.join();
        }
    }
}

impl Drop for Waarnemer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn kijk(mailboxes: &std::path::Path, gezien: &Mutex<(BTreeMap<PathBuf, String>, usize)>) {
    let Ok(mappen) = std::fs::read_dir(mailboxes) else {
        return;
    };
    for m in mappen.flatten() {
        let Ok(bestanden) = std::fs::read_dir(m.path().join("out")) else {
            continue;
        };
        for e in bestanden.flatten() {
            let naam = e.file_name().to_string_lossy().into_owned();
            if naam.starts_with('.') || !naam.ends_with(".xml") {
                continue;
            }
            let Ok(tekst) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let mut g = gezien.lock().expect("lock");
            let (bekend, overschreven) = &mut *g;
            match bekend.get(&e.path()) {
                None => {
                    bekend.insert(e.path(), tekst);
                }
                Some(eerder) if *eerder != tekst => {
                    *overschreven += 1;
                    bekend.insert(e.path(), tekst);
                }
                Some(_) => {}
            }
        }
    }
}
