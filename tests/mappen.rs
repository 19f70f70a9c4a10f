//! Directory mailboxes against a hostile participant and an unlucky
//! operator (issue 15, items 2 and 3), with the real `clearinghuis serve`:
//! one participant's bad file or folder must not stop anyone else's mail,
//! and nothing a participant puts in its folder makes the hub read or
//! write outside it.
//!
//! The hub runs without root's power over file permissions (CAP_DAC_OVERRIDE
//! dropped through `setpriv`) where a test needs permissions to bind it, as
//! they bind a hub running under its own user.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use clearinghuis::hub::Richting;
use common::hub::{Hub, zet_neer};
use common::last::{A, V, aanmelding, akkoord};

/// The answers in one participant's `out` folder.
fn antwoorden_van(hub: &Hub, code: &str) -> Vec<String> {
    hub.antwoorden()
        .into_iter()
        .filter(|(m, _, _)| m == code)
        .map(|(_, _, x)| x)
        .collect()
}

/// Whether V has a receipt for claim `i`'s Aanmelding.
fn ontvangen(hub: &Hub, i: usize) -> bool {
    antwoorden_van(hub, V).iter().any(|x| {
        x.contains("<Ontvangstbevestiging")
            && x.contains(&format!("<InAntwoordOp>VS-C-{i}</InAntwoordOp>"))
    })
}

fn foutberichten(hub: &Hub, code: &str) -> Vec<String> {
    antwoorden_van(hub, code)
        .into_iter()
        .filter(|x| x.contains("<Foutbericht"))
        .collect()
}

fn leeg(map: &Path) -> bool {
    std::fs::read_dir(map)
        .map(|d| d.flatten().count() == 0)
        .unwrap_or(false)
}

fn verwerkt(hub: &Hub, code: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(hub.mailboxes().join("verwerkt").join(code))
        .expect("verwerkt")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every out line of the store is an answer file, and the export verifies.
fn alles_geleverd_en_verifieerbaar(hub: &Hub) {
    let log = hub.export();
    let uit = log.iter().filter(|r| r.direction == Richting::Out).count();
    assert_eq!(hub.antwoorden().len(), uit, "every out line is delivered");
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
}

/// A file the hub may not read (uploaded with a tight umask) is refused T01
/// with the reason and cleared away; everyone else's mail flows, also after
/// a restart.
#[test]
fn een_onleesbaar_bestand_stopt_niemand() {
    let mut hub = Hub::nieuw("onleesbaar");
    hub.zonder_root_rechten = true;
    hub.start();
    let in_a = hub.in_map(A);
    zet_neer(&in_a, "geheim.xml", akkoord(1).as_bytes());
    std::fs::set_permissions(
        in_a.join("geheim.xml"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    zet_neer(&hub.in_map(V), "a1.xml", aanmelding(1).as_bytes());
    assert!(
        hub.wacht(Duration::from_secs(20), |h| ontvangen(h, 1)),
        "V's message waited behind A's unreadable file"
    );
    assert!(
        hub.wacht(Duration::from_secs(20), |h| !foutberichten(h, A).is_empty()),
        "A was not told"
    );
    let fout = foutberichten(&hub, A).remove(0);
    assert!(fout.contains("<Code>T01</Code>"), "{fout}");
    assert!(fout.contains("permission denied"), "{fout}");
    assert!(hub.wacht(Duration::from_secs(5), |h| leeg(&h.in_map(A))));
    assert!(verwerkt(&hub, A).iter().any(|n| n.ends_with("-geheim.xml")));
    // After a restart nothing is stuck either.
    assert!(hub.stop().success());
    hub.start();
    zet_neer(&hub.in_map(V), "a2.xml", aanmelding(2).as_bytes());
    assert!(hub.wacht(Duration::from_secs(20), |h| ontvangen(h, 2)));
    assert!(hub.stop().success());
    let log = hub.export();
    assert!(
        log.iter().any(|r| r
            .unreadable
            .as_deref()
            .is_some_and(|u| u.contains("permission denied"))),
        "the log keeps why the file was not read"
    );
    alles_geleverd_en_verifieerbaar(&hub);
}

/// The same 255-byte file name dropped again and again: every copy is
/// processed and moved (the hub names processed files itself), and others'
/// mail flows. (Before, the second copy's move to `.done/<name>.1` failed
/// with ENAMETOOLONG, every round after failed and restarted, and once a
/// batch's worth of such files waited nothing new was taken: `--batch 2`
/// makes that two.)
#[test]
fn dezelfde_lange_naam_steeds_opnieuw() {
    let mut hub = Hub::nieuw("langenaam");
    hub.args = vec!["--batch".into(), "2".into()];
    hub.start();
    let naam = format!("{}.xml", "n".repeat(251));
    assert_eq!(naam.len(), 255);
    for i in 1..=4 {
        let tijdelijk = hub.in_map(V).join(".t");
        std::fs::write(&tijdelijk, aanmelding(i)).expect("writes");
        std::fs::rename(&tijdelijk, hub.in_map(V).join(&naam)).expect("renames");
        assert!(
            hub.wacht(Duration::from_secs(20), |h| ontvangen(h, i)
                && leeg(&h.in_map(V))),
            "copy {i} of the long name was not processed and moved"
        );
    }
    zet_neer(&hub.in_map(A), "reactie.xml", akkoord(1).as_bytes());
    zet_neer(&hub.in_map(V), "kort.xml", aanmelding(5).as_bytes());
    assert!(hub.wacht(Duration::from_secs(20), |h| leeg(&h.in_map(A))
        && ontvangen(h, 5)));
    let namen = verwerkt(&hub, V);
    assert_eq!(namen.len(), 5, "{namen:?}");
    assert!(namen.iter().all(|n| n.len() <= 255));
    assert!(hub.stop().success());
    let sporen = std::fs::read_to_string(&hub.stderr).expect("log");
    assert!(
        !sporen.contains("starting again"),
        "a round failed: {sporen}"
    );
    alles_geleverd_en_verifieerbaar(&hub);
}

/// An `out` folder that takes no answers holds back that participant's
/// answers only: the others get theirs, also at a restart (when unsent
/// answers are delivered first), and the held ones follow once the folder
/// is writable again.
#[test]
fn een_alleen_lezen_out_map_houdt_alleen_die_deelnemer_op() {
    let mut hub = Hub::nieuw("outalleenlezen");
    hub.zonder_root_rechten = true;
    hub.start();
    let out_a = hub.out_map(A);
    std::fs::set_permissions(&out_a, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // V's Aanmelding: a receipt for V, the claim forwarded to A.
    zet_neer(&hub.in_map(V), "a1.xml", aanmelding(1).as_bytes());
    assert!(hub.wacht(Duration::from_secs(20), |h| ontvangen(h, 1)));
    assert!(antwoorden_van(&hub, A).is_empty());
    let logbestand = hub.stderr.clone();
    let sporen = || std::fs::read_to_string(&logbestand).unwrap_or_default();
    assert!(
        hub.wacht(Duration::from_secs(5), |_| sporen()
            .contains("mailbox fault")),
        "the failing out folder is reported"
    );
    // A restart delivers unsent answers first: A's must not stop V's.
    hub.kill();
    hub.start();
    zet_neer(&hub.in_map(V), "a2.xml", aanmelding(2).as_bytes());
    assert!(
        hub.wacht(Duration::from_secs(20), |h| ontvangen(h, 2)),
        "after a restart V's mail waited behind A's out folder"
    );
    assert!(antwoorden_van(&hub, A).is_empty());
    // Writable again: A's answers follow without a restart.
    std::fs::set_permissions(&out_a, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(
        hub.wacht(Duration::from_secs(30), |h| antwoorden_van(h, A).len() == 2),
        "A's held answers were not delivered: {:?}",
        antwoorden_van(&hub, A).len()
    );
    assert!(
        hub.wacht(Duration::from_secs(5), |_| sporen()
            .contains("mailbox fault over")),
        "the end of the fault is reported"
    );
    assert!(hub.stop().success());
    alles_geleverd_en_verifieerbaar(&hub);
}

/// What a participant can make of a name in its `in` folder: a link to a
/// file it may not see, a FIFO, a second hard link, a folder. None is read
/// or followed, none blocks the hub: each is refused with its reason and
/// cleared away, and the hub still stops at once on SIGTERM.
#[test]
fn links_fifo_harde_link_en_map_worden_niet_gelezen() {
    let mut hub = Hub::nieuw("links");
    hub.start();
    let geheim = hub.map.join("geheim.txt");
    std::fs::write(&geheim, format!("GEHEIM-7f3a {}", akkoord(1))).expect("secret");
    let in_a = hub.in_map(A);
    // Made beside the mailbox and moved in, as a participant would.
    let werk = hub.map.join("werk");
    std::fs::create_dir_all(&werk).expect("work");
    std::os::unix::fs::symlink(&geheim, werk.join("link.xml")).expect("symlink");
    let status = std::process::Command::new("mkfifo")
        .arg(werk.join("pijp.xml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    std::fs::create_dir(werk.join("map.xml")).expect("folder");
    for n in ["link.xml", "pijp.xml", "map.xml"] {
        std::fs::rename(werk.join(n), in_a.join(n)).expect("moved in");
    }
    std::fs::hard_link(&geheim, in_a.join("hard.xml")).expect("hard link");
    zet_neer(&hub.in_map(V), "a1.xml", aanmelding(1).as_bytes());
    assert!(
        hub.wacht(Duration::from_secs(20), |h| ontvangen(h, 1)),
        "V's mail waited"
    );
    assert!(
        hub.wacht(Duration::from_secs(20), |h| foutberichten(h, A).len() == 4),
        "A gets a Foutbericht for each: {:?}",
        foutberichten(&hub, A)
    );
    let fouten = foutberichten(&hub, A).join("\n");
    for reden in [
        "symbolic link",
        "FIFO",
        "hard links",
        "a folder, not a regular file",
    ] {
        assert!(fouten.contains(reden), "no refusal names {reden}: {fouten}");
    }
    assert!(hub.wacht(Duration::from_secs(5), |h| leeg(&h.in_map(A))));
    let begin = Instant::now();
    assert!(hub.stop().success());
    assert!(begin.elapsed() < Duration::from_secs(10), "slow to stop");
    // The secret was never read: not into the log, not into an answer.
    let log = hub.export();
    assert!(
        log.iter().all(|r| !r.xml.contains("GEHEIM")),
        "the hub read a file outside the mailbox"
    );
    assert!(
        hub.antwoorden()
            .iter()
            .all(|(_, _, x)| !x.contains("GEHEIM"))
    );
    assert!(
        std::fs::read_to_string(&geheim)
            .expect("still there")
            .starts_with("GEHEIM")
    );
    alles_geleverd_en_verifieerbaar(&hub);
}

/// A file swapped for a link to a secret, or for a FIFO, right after the
/// hub may have listed it: the hub reads the file or refuses the link or
/// FIFO, never reads the secret and never blocks. And `in/.done` made a link
/// into another participant's `out` carries nothing there: the hub keeps
/// processed files in its own folder.
#[test]
fn verwisselen_na_de_lijst_en_een_done_link_baten_niet() {
    let mut hub = Hub::nieuw("verwissel");
    hub.start();
    let geheim = hub.map.join("geheim.txt");
    std::fs::write(&geheim, "GEHEIM-7f3a").expect("secret");
    let in_a = hub.in_map(A);
    std::os::unix::fs::symlink(hub.out_map(V), in_a.join(".done")).expect("symlink");
    let vals = aanmelding(9)
        .replace(
            "<Afzender>CR-00820000</Afzender>",
            "<Afzender>CR-HUB</Afzender>",
        )
        .replace("VS-C-9", "VALS-1");
    zet_neer(&in_a, "vals.xml", vals.as_bytes());
    let mut zaad = 0x2545F4914F6CDD1Du64;
    for i in 0..40 {
        let naam = format!("r{i}.xml");
        zet_neer(&in_a, &naam, akkoord(100 + i).as_bytes());
        zaad ^= zaad << 13;
        zaad ^= zaad >> 7;
        zaad ^= zaad << 17;
        std::thread::sleep(Duration::from_micros(zaad % 3000));
        let link = in_a.join(format!(".l{i}"));
        if i % 2 == 0 {
            std::os::unix::fs::symlink(&geheim, &link).expect("symlink");
        } else {
            let status = std::process::Command::new("mkfifo")
                .arg(&link)
                .status()
                .expect("mkfifo");
            assert!(status.success());
        }
        std::fs::rename(&link, in_a.join(&naam)).expect("swap");
    }
    assert!(
        hub.wacht(Duration::from_secs(30), |h| std::fs::read_dir(h.in_map(A))
            .expect("in")
            .flatten()
            .all(|e| e.file_name() == ".done")),
        "not everything was cleared"
    );
    let begin = Instant::now();
    assert!(hub.stop().success());
    assert!(begin.elapsed() < Duration::from_secs(10), "slow to stop");
    let log = hub.export();
    assert!(log.iter().all(|r| !r.xml.contains("GEHEIM")));
    assert!(
        antwoorden_van(&hub, V)
            .iter()
            .all(|x| !x.contains("VALS-1")),
        "a participant's file reached another participant's out folder"
    );
    assert!(
        std::fs::read_dir(hub.out_map(V))
            .expect("out")
            .flatten()
            .all(|e| e.file_name().to_string_lossy().starts_with("CR-HUB-")),
        "only the hub's answers are in V's out folder"
    );
    alles_geleverd_en_verifieerbaar(&hub);
}
