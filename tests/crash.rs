//! Crash safety of `clearinghuis serve` on its embedded default: 2,000
//! messages dropped into the mailboxes while the hub is killed with SIGKILL
//! at random moments and restarted each time. Afterwards every inbound
//! message was processed exactly once, every answer exists exactly once, and
//! the exported log verifies with `replay`.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clearinghuis::bericht::xml;
use clearinghuis::engine::inhoud_hash;
use clearinghuis::replay::Richting;
use common::hub::Hub;
use common::last::{A, V, aanmelding, akkoord};

const CLAIMS: usize = 1000;
/// A small deterministic generator for the kill moments.
struct Lcg(u64);
impl Lcg {
    fn tussen(&mut self, van: u64, tot: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        van + (self.0 >> 33) % (tot - van)
    }
}

#[test]
fn sigkill_onder_last_verliest_en_verdubbelt_niets() {
    let mut hub = Hub::nieuw("crash");
    hub.start();
    let (in_v, in_a) = (hub.in_map(V), hub.in_map(A));

    // The dropper writes every message the way a participant must, while the
    // test kills and restarts the hub.
    let dropper = std::thread::spawn(move || {
        let mut berichten = Vec::new();
        for i in 0..CLAIMS {
            let a = aanmelding(i);
            common::hub::zet_neer(&in_v, &format!("{i:04}-aanmelding.xml"), a.as_bytes());
            let b = akkoord(i);
            common::hub::zet_neer(&in_a, &format!("{i:04}-akkoord.xml"), b.as_bytes());
            berichten.push(a);
            berichten.push(b);
            if i % 20 == 0 {
                std::thread::sleep(Duration::from_millis(15));
            }
        }
        berichten
    });

    let mut lcg = Lcg(0x5eed);
    let mut kills = 0;
    let begin = Instant::now();
    while !dropper.is_finished() || hub.wachtend() > 0 {
        assert!(
            begin.elapsed() < Duration::from_secs(600),
            "the hub did not catch up"
        );
        std::thread::sleep(Duration::from_millis(lcg.tussen(50, 700)));
        if kills < 40 && (hub.wachtend() > 0 || !dropper.is_finished()) {
            hub.kill();
            kills += 1;
            hub.start();
        }
    }
    let berichten = dropper.join().expect("dropper");
    // Let the relay deliver what the last round committed.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(hub.stop().success());

    let log = hub.export();
    let mut per_hash: BTreeMap<String, usize> = BTreeMap::new();
    for r in log.iter().filter(|r| r.direction == Richting::In) {
        *per_hash.entry(inhoud_hash(r.xml.as_bytes())).or_default() += 1;
    }
    let verloren = berichten
        .iter()
        .filter(|b| !per_hash.contains_key(&inhoud_hash(b.as_bytes())))
        .count();
    let dubbel = per_hash.values().filter(|n| **n > 1).count();

    // Every out line of the log is one answer file with the same bytes, and
    // no answer file is not in the log.
    let bestanden: BTreeMap<(String, String), String> = hub
        .antwoorden()
        .into_iter()
        .map(|(m, n, x)| ((m, n), x))
        .collect();
    let uit: Vec<_> = log
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .collect();
    let mut ontbreekt = 0;
    let mut ids = std::collections::BTreeSet::new();
    for r in &uit {
        let b = xml::lees(&r.xml).expect("an answer");
        ids.insert(b.kop.bericht_id.to_string());
        let sleutel = (r.mailbox.clone(), format!("{}.xml", b.kop.bericht_id));
        if bestanden.get(&sleutel) != Some(&r.xml) {
            ontbreekt += 1;
        }
    }
    let sporen = std::fs::read_to_string(&hub.stderr).expect("hub log");
    let gelezen = sporen.matches("message processed").count();
    let al_vastgelegd = sporen.matches("already committed").count();
    eprintln!(
        "crash test: {kills} kills, {} messages, {} in lines, {} answers, lost {verloren}, doubled {dubbel}, \
         read again after a kill {}, committed but moved after a restart {al_vastgelegd}, {:.1} s",
        berichten.len(),
        per_hash.values().sum::<usize>(),
        uit.len(),
        gelezen.saturating_sub(berichten.len()),
        begin.elapsed().as_secs_f64()
    );
    assert!(kills >= 5, "only {kills} kills");
    assert_eq!(berichten.len(), 2 * CLAIMS);
    assert_eq!(verloren, 0, "inbound messages lost");
    assert_eq!(dubbel, 0, "inbound messages processed twice");
    assert_eq!(per_hash.len(), berichten.len());
    // Aanmelding: receipt + forward; Akkoord: receipt + Overeenstemming to both.
    assert_eq!(uit.len(), 5 * CLAIMS, "answers in the log");
    assert_eq!(ids.len(), uit.len(), "a BerichtId logged twice");
    assert_eq!(ontbreekt, 0, "answers missing from the out folders");
    assert_eq!(bestanden.len(), uit.len(), "answer files not in the log");
    assert!(
        gelezen > berichten.len() || al_vastgelegd > 0,
        "no kill interrupted a round: recovery was not exercised"
    );
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = std::fs::remove_dir_all(&hub.map);
}
