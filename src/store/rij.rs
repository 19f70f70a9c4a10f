//! Reading and writing the values both stores keep the same way: the
//! engine's values as text or JSON, and errors for what does not read back.

use crate::bericht::xml;
use crate::bericht::{BerichtId, ClaimId, Deelnemercode, tijdstip};
use crate::codec::Ontvangen;
use crate::engine::{Claim, Inboxregel, Vastgehouden, Wachtsleutel};
use crate::hub::{Herkomst, Logregel, Richting};

use super::StoreFout;

pub(super) fn onleesbaar(wat: impl Into<String>, reden: impl std::fmt::Display) -> StoreFout {
    StoreFout::Onleesbaar {
        wat: wat.into(),
        reden: reden.to_string(),
    }
}

pub(super) fn json<T: serde::Serialize>(w: &T) -> Result<String, StoreFout> {
    serde_json::to_string(w).map_err(|e| onleesbaar("a value to store", e))
}

pub(super) fn tijd(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, StoreFout> {
    tijdstip::parse(s).map_err(|e| onleesbaar(format!("time {s}"), e))
}

pub(super) fn claim_id(s: &str) -> Result<ClaimId, StoreFout> {
    ClaimId::new(s).map_err(|e| onleesbaar(format!("ClaimId {s}"), e))
}

pub(super) fn lees_claim(id: &str, data: &str) -> Result<Box<Claim>, StoreFout> {
    serde_json::from_str(data).map_err(|e| onleesbaar(format!("claim {id}"), e))
}

/// An inbox entry with the answer it got (joined from the log by BerichtId).
pub(super) fn inboxregel(
    hash: String,
    antwoord: Option<&str>,
    mailbox: Option<&str>,
    xml: Option<Vec<u8>>,
) -> Result<Inboxregel, StoreFout> {
    let antwoord = match (antwoord, mailbox, xml) {
        (Some(id), Some(mailbox), Some(xml)) => Some((
            code(mailbox)?,
            BerichtId::new(id).map_err(|e| onleesbaar(format!("BerichtId {id}"), e))?,
            String::from_utf8(xml).map_err(|e| onleesbaar("an answer", e))?,
        )),
        _ => None,
    };
    Ok(Inboxregel { hash, antwoord })
}

pub(super) fn code(s: &str) -> Result<Deelnemercode, StoreFout> {
    Deelnemercode::new(s).map_err(|e| onleesbaar(format!("participant {s}"), e))
}

/// A held message's row: (volgorde, xml, mailbox, ontvangen, tot, hash, wacht_op).
pub(super) fn vastgehouden(
    volgorde: i64,
    tekst: &str,
    mailbox: &str,
    ontvangen: &str,
    tot: &str,
    hash: String,
    wacht_op: &str,
) -> Result<Box<Vastgehouden>, StoreFout> {
    let bericht = xml::lees(tekst).map_err(|e| onleesbaar("a held message", e))?;
    let wacht_op: Wachtsleutel =
        serde_json::from_str(wacht_op).map_err(|e| onleesbaar("a held message's key", e))?;
    Ok(Box::new(Vastgehouden {
        volgorde: volgorde as u64,
        mailbox: code(mailbox)?,
        ontvangen: tijd(ontvangen)?,
        tot: tijd(tot)?,
        hash,
        bericht,
        wacht_op,
    }))
}

/// A message-log row: (seq, at, richting, mailbox, xml, transport, user_id,
/// grootte, hash, onleesbaar). The bytes come back exactly as stored: as text when
/// they are UTF-8, else as they are (the export writes `xml_base64`).
#[allow(clippy::too_many_arguments)]
pub(super) fn logregel(
    seq: i64,
    at: &str,
    richting: &str,
    mailbox: String,
    xml: Vec<u8>,
    transport: Option<String>,
    user_id: Option<String>,
    grootte: Option<i64>,
    hash: Option<String>,
    reden: Option<String>,
) -> Result<Logregel, StoreFout> {
    let richting = if richting == "in" {
        Richting::In
    } else {
        Richting::Out
    };
    let at = tijd(at)?;
    let seq = seq as u64;
    if richting == Richting::Out {
        let xml = String::from_utf8(xml).map_err(|e| onleesbaar("an outbound message", e))?;
        return Ok(Logregel::uit(seq, at, mailbox, xml));
    }
    let ontvangen = match (reden, grootte) {
        (Some(reden), _) => Ontvangen::Onleesbaar { reden },
        (None, Some(g)) => Ontvangen::TeGroot {
            begin: xml,
            grootte: g as u64,
            hash: hash.unwrap_or_default(),
        },
        (None, None) => Ontvangen::Heel(xml),
    };
    Ok(Logregel::binnen(
        Some(seq),
        at,
        mailbox,
        Herkomst::van(transport.as_deref(), user_id),
        ontvangen,
    ))
}
