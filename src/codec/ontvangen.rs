//! What the hub received in a mailbox, read with a bound (operations.md
//! "Mailboxes": limits are checked before a message is read whole).
//!
//! A message is read up to the largest size any message may have plus one
//! byte, never further. One that is too large for its type keeps only its
//! first [`BEGIN_BIJ_TE_GROOT`] bytes, its size and a hash: enough to answer
//! it (`T03`, with its BerichtId when the start shows it) and to recognise it
//! after a crash, without holding or storing megabytes a participant chose to
//! send. A file the hub could not read at all keeps the reason instead.
//!
//! The same value is what the message log records (`xml` or `xml_base64`,
//! `size`, `sha256`, `unreadable`), so replay sees exactly what the hub saw.

use std::io::Read;

use super::scan::{self, MAX_BYTES, MAX_BYTES_AANLEVERING};

/// The first bytes kept of a message that is too large: the scan for its
/// BerichtId (for the Foutbericht) looks no further.
pub const BEGIN_BIJ_TE_GROOT: usize = 64 * 1024;

/// The most bytes ever read of one message: the largest allowed plus one,
/// which is how the hub knows it is larger.
pub const LEESGRENS: usize = MAX_BYTES_AANLEVERING + 1;

/// An inbound message as the hub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ontvangen {
    /// The whole message.
    Heel(Vec<u8>),
    /// A message larger than its type allows: its first bytes, its size and
    /// the SHA-256 of what was read (the message, or its first
    /// [`LEESGRENS`] bytes when it is larger still).
    TeGroot {
        begin: Vec<u8>,
        grootte: u64,
        hash: String,
    },
    /// A file the hub could not read: why (a link, a FIFO, no permission, …).
    Onleesbaar { reden: String },
}

/// The size limit of a message whose first bytes are `begin` (the whole
/// message or its first [`BEGIN_BIJ_TE_GROOT`] bytes) and whose size is
/// `grootte`, when it is over it: 10 MiB for an `InformatieAanlevering`,
/// 1 MiB for every other type. The type is read from the first bytes only,
/// so the hub and a replay of its log decide alike.
pub fn te_groot(begin: &[u8], grootte: u64) -> Option<usize> {
    if grootte <= MAX_BYTES as u64 {
        return None;
    }
    let kop = &begin[..begin.len().min(BEGIN_BIJ_TE_GROOT)];
    let grens =
        if scan::berichtsoort_bij_benadering(kop).as_deref() == Some("InformatieAanlevering") {
            MAX_BYTES_AANLEVERING
        } else {
            MAX_BYTES
        };
    (grootte > grens as u64).then_some(grens)
}

impl Ontvangen {
    /// A message that arrived whole in memory (an AMQP body): one that is
    /// too large keeps only its start.
    pub fn van_bytes(mut bytes: Vec<u8>) -> Ontvangen {
        let grootte = bytes.len() as u64;
        if te_groot(&bytes, grootte).is_none() {
            return Ontvangen::Heel(bytes);
        }
        let hash = crate::engine::inhoud_hash(&bytes[..bytes.len().min(LEESGRENS)]);
        bytes.truncate(BEGIN_BIJ_TE_GROOT);
        bytes.shrink_to_fit();
        Ontvangen::TeGroot {
            begin: bytes,
            grootte,
            hash,
        }
    }

    /// Reads a message from `bron`, at most [`LEESGRENS`] bytes.
    /// `grootte` is its size when known beforehand (a file's), so a file of
    /// gigabytes is reported as such; the hub never reads past the limit.
    pub fn lees(bron: impl Read, grootte: Option<u64>) -> std::io::Result<Ontvangen> {
        let mut bytes =
            Vec::with_capacity(grootte.map_or(8 * 1024, |g| g.min(LEESGRENS as u64) as usize));
        bron.take(LEESGRENS as u64).read_to_end(&mut bytes)?;
        let gelezen = bytes.len() as u64;
        let grootte = grootte.map_or(gelezen, |g| g.max(gelezen));
        if te_groot(&bytes, grootte).is_none() {
            return Ok(Ontvangen::Heel(bytes));
        }
        let hash = crate::engine::inhoud_hash(&bytes);
        bytes.truncate(BEGIN_BIJ_TE_GROOT);
        bytes.shrink_to_fit();
        Ok(Ontvangen::TeGroot {
            begin: bytes,
            grootte,
            hash,
        })
    }

    /// The content hash the inbox, the file bookkeeping and redelivery
    /// checks compare (SHA-256 of the bytes the hub read).
    pub fn hash(&self) -> String {
        match self {
            Ontvangen::Heel(b) => crate::engine::inhoud_hash(b),
            Ontvangen::TeGroot { hash, .. } => hash.clone(),
            Ontvangen::Onleesbaar { .. } => crate::engine::inhoud_hash(b""),
        }
    }

    /// The bytes the log keeps: the whole message, or its start.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Ontvangen::Heel(b) | Ontvangen::TeGroot { begin: b, .. } => b,
            Ontvangen::Onleesbaar { .. } => b"",
        }
    }

    /// How many bytes this holds in memory (for a round's budget).
    pub fn omvang(&self) -> usize {
        self.bytes().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bericht(soort: &str, lengte: usize) -> Vec<u8> {
        let mut x = format!(
            "<Bericht xmlns=\"urn:clearinghuis-regres:berichten:1\" versie=\"1\"><Kop><BerichtId>B-1</BerichtId></Kop><{soort}><T>"
        )
        .into_bytes();
        let staart = format!("</T></{soort}></Bericht>").into_bytes();
        x.resize(lengte - staart.len(), b'a');
        x.extend(staart);
        x
    }

    #[test]
    fn tot_de_grens_heel_daarboven_het_begin() {
        let klein = bericht("Aanmelding", MAX_BYTES);
        assert!(matches!(Ontvangen::van_bytes(klein.clone()), Ontvangen::Heel(b) if b == klein));
        let groot = bericht("Aanmelding", MAX_BYTES + 1);
        let hash = crate::engine::inhoud_hash(&groot);
        match Ontvangen::van_bytes(groot.clone()) {
            Ontvangen::TeGroot {
                begin,
                grootte,
                hash: h,
            } => {
                assert_eq!(begin, groot[..BEGIN_BIJ_TE_GROOT]);
                assert_eq!(grootte, MAX_BYTES as u64 + 1);
                assert_eq!(h, hash);
            }
            o => panic!("{o:?}"),
        }
        // An InformatieAanlevering may be 10 MiB.
        let aanlevering = bericht("InformatieAanlevering", 5 * MAX_BYTES);
        assert!(matches!(
            Ontvangen::van_bytes(aanlevering),
            Ontvangen::Heel(_)
        ));
    }

    #[test]
    fn lezen_stopt_bij_de_grens() {
        // An endless source: the reader must stop at the limit plus one.
        let eindeloos = std::io::repeat(b'x');
        match Ontvangen::lees(eindeloos, Some(300 * 1024 * 1024)).expect("read") {
            Ontvangen::TeGroot {
                begin,
                grootte,
                hash,
            } => {
                assert_eq!(begin.len(), BEGIN_BIJ_TE_GROOT);
                assert_eq!(grootte, 300 * 1024 * 1024);
                assert_eq!(hash, crate::engine::inhoud_hash(&vec![b'x'; LEESGRENS]));
            }
            o => panic!("{o:?}"),
        }
        // Without a size known beforehand the hub says what it read.
        match Ontvangen::lees(std::io::repeat(b'x'), None).expect("read") {
            Ontvangen::TeGroot { grootte, .. } => assert_eq!(grootte, LEESGRENS as u64),
            o => panic!("{o:?}"),
        }
    }
}
