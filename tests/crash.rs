//! Crash safety of `clearinghuis serve` on its embedded default: 2,000
//! messages dropped into the mailboxes while the hub is killed with SIGKILL
//! at random moments and restarted each time. Afterwards every inbound
//! message was processed exactly once, every answer exists exactly once, and
//! the exported log verifies with `replay`.

mod common;

use std::time::{Duration, Instant};

use common::hub::Hub;
use common::last::{self, A, V};
use common::nagaan::tel;

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
    let dropper = last::laat_vallen(in_v, in_a, CLAIMS);

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

    let t = tel(&hub, &berichten, None);
    let sporen = std::fs::read_to_string(&hub.stderr).expect("hub log");
    let gelezen = sporen.matches("message processed").count();
    let al_vastgelegd = sporen.matches("committed before; confirmed").count();
    eprintln!(
        "crash test: {kills} kills, {t}, read again after a kill {}, \
         committed but moved after a restart {al_vastgelegd}, {:.1} s",
        gelezen.saturating_sub(berichten.len()),
        begin.elapsed().as_secs_f64()
    );
    assert!(kills >= 5, "only {kills} kills");
    assert_eq!(berichten.len(), 2 * CLAIMS);
    // Nothing lost, doubled or unknown among the inbound lines; every out
    // line one answer file with its bytes and no other; no id twice.
    assert!(t.heel(), "{t}");
    // Aanmelding: receipt + forward; Akkoord: receipt + Overeenstemming to both.
    assert_eq!(t.antwoorden, 5 * CLAIMS, "answers in the log");
    assert!(
        gelezen > berichten.len() || al_vastgelegd > 0,
        "no kill interrupted a round: recovery was not exercised"
    );
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = std::fs::remove_dir_all(&hub.map);
}
