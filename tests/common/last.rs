//! Synthetic load: claim `i` is an Aanmelding with liability from V and A's
//! Akkoord (5 answers in all). Shared by the crash test and `benches/serve.rs`.

pub const V: &str = "CR-00820000";
pub const A: &str = "CR-00510000";

/// A distinct plate (sidecode 99-XXX-9) for each of the first 10,000 claims.
pub fn kenteken(i: usize) -> String {
    const LETTERS: [&str; 10] = [
        "ABC", "ABD", "ABF", "ABG", "ABH", "ABJ", "ABK", "ABL", "ABN", "ABP",
    ];
    format!(
        "{:02}-{}-{}",
        i % 100,
        LETTERS[(i / 1000) % 10],
        (i / 100) % 10
    )
}

pub fn aanmelding(i: usize) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Bericht xmlns="urn:clearinghuis-regres:berichten:1" versie="1"><Kop><BerichtId>VS-C-{i}</BerichtId><Afzender>{V}</Afzender><Ontvanger>CR-HUB</Ontvanger><Tijdstip>2026-11-20T09:00:00+01:00</Tijdstip></Kop><Aanmelding><Voorval><Schadedatum>2026-11-02</Schadedatum><Schadeformulier>BeidePartijenOndertekend</Schadeformulier></Voorval><VerhalendePartij><Kenteken>{}</Kenteken><Schadenummer>VS-C-{i}</Schadenummer><Dekking>CASCO</Dekking></VerhalendePartij><AansprakelijkePartij><Deelnemer>{A}</Deelnemer><Kenteken>GB-123-X</Kenteken></AansprakelijkePartij><Aansprakelijkstelling><Toedracht><Code>KopStaart</Code></Toedracht><OvsCode>1</OvsCode><Verhaalpercentage>100</Verhaalpercentage></Aansprakelijkstelling></Aanmelding></Bericht>
"#,
        kenteken(i)
    )
}

pub fn akkoord(i: usize) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Bericht xmlns="urn:clearinghuis-regres:berichten:1" versie="1"><Kop><BerichtId>NV-C-{i}</BerichtId><Afzender>{A}</Afzender><Ontvanger>CR-HUB</Ontvanger><Tijdstip>2026-11-20T09:00:00+01:00</Tijdstip><Claim><Verhaler>{V}</Verhaler><SchadenummerVerhaler>VS-C-{i}</SchadenummerVerhaler></Claim></Kop><ReactieAansprakelijkheid><Akkoord><OvsCode>1</OvsCode></Akkoord></ReactieAansprakelijkheid></Bericht>
"#
    )
}

/// Drops claims `0..claims` (V's Aanmelding, then A's Akkoord) into the two
/// `in` folders the way a participant must, pausing 15 ms every 20 claims,
/// on a thread of its own; gives back every message it dropped.
pub fn laat_vallen(
    in_v: std::path::PathBuf,
    in_a: std::path::PathBuf,
    claims: usize,
) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut berichten = Vec::new();
        for i in 0..claims {
            let a = aanmelding(i);
            clearinghuis::transport::directory::zet_neer(
                &in_v,
                &format!("{i:04}-aanmelding.xml"),
                a.as_bytes(),
            )
            .expect("dropped");
            let b = akkoord(i);
            clearinghuis::transport::directory::zet_neer(
                &in_a,
                &format!("{i:04}-akkoord.xml"),
                b.as_bytes(),
            )
            .expect("dropped");
            berichten.push(a);
            berichten.push(b);
            if i % 20 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(15));
            }
        }
        berichten
    })
}
