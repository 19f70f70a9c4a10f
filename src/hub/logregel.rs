//! One line of the message-log file (operations.md "Replay and the
//! message-log file", docs/logformaat.md): what every driver of the hub
//! reads and writes, and what the store keeps.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::bericht::tijdstip;
use crate::codec::Ontvangen;

/// Direction of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Richting {
    In,
    Out,
}

/// How an inbound message reached the hub, as far as it decides who sent it.
///
/// A directory mailbox is its owner's by the file system's permissions. On
/// AMQP only the `user_id` property says who published, because the broker
/// compares it with the connection's user (operations.md "Mailboxes"): a
/// message without it, or with another user's, is refused A01.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Herkomst {
    Map,
    Amqp { user_id: Option<String> },
}

impl Herkomst {
    /// From a stored or logged line: `transport` (`"amqp"` or absent) and
    /// `user_id`. A `user_id` without `transport` is from a hub before
    /// `transport` was kept: only AMQP carries a user_id.
    pub fn van(transport: Option<&str>, user_id: Option<String>) -> Herkomst {
        if transport == Some("amqp") || user_id.is_some() {
            Herkomst::Amqp { user_id }
        } else {
            Herkomst::Map
        }
    }

    /// The `transport` a line records: `"amqp"`, or nothing for a directory.
    pub fn transport(&self) -> Option<&'static str> {
        match self {
            Herkomst::Map => None,
            Herkomst::Amqp { .. } => Some("amqp"),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            Herkomst::Map => None,
            Herkomst::Amqp { user_id } => user_id.as_deref(),
        }
    }
}

/// One line of the message-log file.
///
/// The message is `xml` when its bytes are UTF-8 (every outbound message is),
/// else `xml_base64`: the bytes exactly as received. A message that was too
/// large keeps only its start there, with `size` and `sha256`; a file the hub
/// could not read has no bytes and says why in `unreadable`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "LogregelVeld")]
pub struct Logregel {
    pub seq: Option<u64>,
    pub at: DateTime<FixedOffset>,
    pub direction: Richting,
    pub mailbox: String,
    /// Inbound: from a directory, or over AMQP with the message's `user_id`
    /// (written as `"transport":"amqp"` and `user_id` when it had one).
    pub herkomst: Herkomst,
    /// The message as text; empty when [`Logregel::ruw`] holds it.
    pub xml: String,
    /// Inbound bytes that are not UTF-8 (written as `xml_base64`).
    pub ruw: Option<Vec<u8>>,
    /// Inbound and too large: the message's size (the bytes are its start).
    pub size: Option<u64>,
    /// With `size`: the SHA-256 the hub computed of what it read.
    pub sha256: Option<String>,
    /// Inbound and not readable by the hub: why.
    pub unreadable: Option<String>,
}

/// A log line's fields as written; [`Logregel`] checks they fit together.
#[derive(Deserialize)]
struct LogregelVeld {
    #[serde(default)]
    seq: Option<u64>,
    #[serde(with = "at")]
    at: DateTime<FixedOffset>,
    direction: Richting,
    mailbox: String,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    xml: Option<String>,
    #[serde(default)]
    xml_base64: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    unreadable: Option<String>,
}

impl TryFrom<LogregelVeld> for Logregel {
    type Error = String;

    fn try_from(v: LogregelVeld) -> Result<Logregel, String> {
        use base64::Engine as _;
        let (xml, ruw) = match (v.xml, v.xml_base64) {
            (Some(x), None) => (x, None),
            (None, Some(b)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|e| format!("xml_base64: {e}"))?;
                (String::new(), Some(bytes))
            }
            (None, None) => return Err("a line needs xml or xml_base64".into()),
            (Some(_), Some(_)) => return Err("a line has xml or xml_base64, not both".into()),
        };
        if let Some(t) = v.transport.as_deref().filter(|t| *t != "amqp") {
            return Err(format!("transport `{t}`: only \"amqp\" is written"));
        }
        if v.size.is_some() != v.sha256.is_some() {
            return Err("size and sha256 come together".into());
        }
        if v.direction == Richting::Out
            && (ruw.is_some() || v.size.is_some() || v.unreadable.is_some())
        {
            return Err("an out line has xml only".into());
        }
        let herkomst = Herkomst::van(v.transport.as_deref(), v.user_id);
        if v.direction == Richting::Out && herkomst != Herkomst::Map {
            return Err("an out line has no transport or user_id".into());
        }
        Ok(Logregel {
            seq: v.seq,
            at: v.at,
            direction: v.direction,
            mailbox: v.mailbox,
            herkomst,
            xml,
            ruw,
            size: v.size,
            sha256: v.sha256,
            unreadable: v.unreadable,
        })
    }
}

impl Serialize for Logregel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Logregel", 10)?;
        if let Some(seq) = self.seq {
            m.serialize_field("seq", &seq)?;
        }
        m.serialize_field("at", &tijdstip::format(&self.at))?;
        m.serialize_field("direction", &self.direction)?;
        m.serialize_field("mailbox", &self.mailbox)?;
        if let Some(t) = self.herkomst.transport() {
            m.serialize_field("transport", t)?;
        }
        if let Some(u) = self.herkomst.user_id() {
            m.serialize_field("user_id", u)?;
        }
        match &self.ruw {
            Some(b) => m.serialize_field(
                "xml_base64",
                &base64::engine::general_purpose::STANDARD.encode(b),
            )?,
            None => m.serialize_field("xml", &self.xml)?,
        }
        if let (Some(size), Some(sha)) = (self.size, &self.sha256) {
            m.serialize_field("size", &size)?;
            m.serialize_field("sha256", sha)?;
        }
        if let Some(r) = &self.unreadable {
            m.serialize_field("unreadable", r)?;
        }
        m.end()
    }
}

mod at {
    use super::*;
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = String::deserialize(d)?;
        tijdstip::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Logregel {
    /// The line as written: one JSON object, fields in a fixed order.
    pub fn als_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| unreachable!("a log line always serialises: {e}"))
    }

    /// An outbound message.
    pub fn uit(seq: u64, at: DateTime<FixedOffset>, mailbox: String, xml: String) -> Logregel {
        Logregel {
            seq: Some(seq),
            at,
            direction: Richting::Out,
            mailbox,
            herkomst: Herkomst::Map,
            xml,
            ruw: None,
            size: None,
            sha256: None,
            unreadable: None,
        }
    }

    /// An inbound message as the hub received it (its bytes move into the line).
    pub fn binnen(
        seq: Option<u64>,
        at: DateTime<FixedOffset>,
        mailbox: String,
        herkomst: Herkomst,
        ontvangen: Ontvangen,
    ) -> Logregel {
        let (bytes, size, sha256, unreadable) = match ontvangen {
            Ontvangen::Heel(b) => (b, None, None, None),
            Ontvangen::TeGroot {
                begin,
                grootte,
                hash,
            } => (begin, Some(grootte), Some(hash), None),
            Ontvangen::Onleesbaar { reden } => (Vec::new(), None, None, Some(reden)),
        };
        let (xml, ruw) = match String::from_utf8(bytes) {
            Ok(x) => (x, None),
            Err(e) => (String::new(), Some(e.into_bytes())),
        };
        Logregel {
            seq,
            at,
            direction: Richting::In,
            mailbox,
            herkomst,
            xml,
            ruw,
            size,
            sha256,
            unreadable,
        }
    }

    /// The message's bytes as logged (for a message too large, its start).
    pub fn bytes(&self) -> &[u8] {
        self.ruw.as_deref().unwrap_or(self.xml.as_bytes())
    }

    /// An inbound line as the hub received it, for replay.
    pub fn ontvangen(&self) -> Ontvangen {
        if let Some(reden) = &self.unreadable {
            return Ontvangen::Onleesbaar {
                reden: reden.clone(),
            };
        }
        match (self.size, &self.sha256) {
            (Some(grootte), Some(hash)) => Ontvangen::TeGroot {
                begin: self.bytes().to_vec(),
                grootte,
                hash: hash.clone(),
            },
            _ => Ontvangen::Heel(self.bytes().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lees(json: &str) -> Result<Logregel, serde_json::Error> {
        serde_json::from_str(json)
    }

    const BEGIN: &str =
        r#"{"seq":1,"at":"2026-03-02T09:15:00+01:00","direction":"in","mailbox":"CR-00820000""#;

    #[test]
    fn herkomst_heen_en_terug() {
        for (h, verwacht) in [
            (Herkomst::Map, r#""mailbox":"CR-00820000","xml""#),
            (
                Herkomst::Amqp { user_id: None },
                r#""mailbox":"CR-00820000","transport":"amqp","xml""#,
            ),
            (
                Herkomst::Amqp {
                    user_id: Some("CR-00770000".into()),
                },
                r#""transport":"amqp","user_id":"CR-00770000","xml""#,
            ),
        ] {
            let r = lees(&format!(r#"{BEGIN},"xml":"<a/>"}}"#)).expect("a line");
            let r = Logregel {
                herkomst: h.clone(),
                ..r
            };
            let json = r.als_json();
            assert!(json.contains(verwacht), "{json}");
            assert_eq!(lees(&json).expect("reads back").herkomst, h);
        }
    }

    /// Lines exported before `transport` was written: a `user_id` came over
    /// AMQP, a line without one from a directory (as that hub treated it).
    #[test]
    fn oude_regels() {
        let r = lees(&format!(r#"{BEGIN},"user_id":"guest","xml":"<a/>"}}"#)).expect("a line");
        assert_eq!(
            r.herkomst,
            Herkomst::Amqp {
                user_id: Some("guest".into())
            }
        );
        let r = lees(&format!(r#"{BEGIN},"xml":"<a/>"}}"#)).expect("a line");
        assert_eq!(r.herkomst, Herkomst::Map);
    }

    #[test]
    fn onbekend_transport_en_uit_met_herkomst_geweigerd() {
        assert!(lees(&format!(r#"{BEGIN},"transport":"smtp","xml":"<a/>"}}"#)).is_err());
        let uit = BEGIN.replace(r#""direction":"in""#, r#""direction":"out""#);
        assert!(lees(&format!(r#"{uit},"transport":"amqp","xml":"<a/>"}}"#)).is_err());
    }
}
