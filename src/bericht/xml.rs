//! Typed messages to and from XML text (serde + quick-xml).
//!
//! Output is deterministic: the XML declaration, two-space indentation, element
//! order as in the schemas, amounts with two decimals. Replay compares outbound
//! messages byte for byte, so nothing here may depend on anything but the value.

use serde::Serialize;

use super::Bericht;

#[derive(Debug, thiserror::Error)]
pub enum XmlFout {
    #[error("cannot read the message as typed values: {0}")]
    Lezen(#[from] quick_xml::DeError),
    #[error("cannot write the message: {0}")]
    Schrijven(#[from] quick_xml::SeError),
}

const DECLARATIE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Writes a message as a UTF-8 XML document.
pub fn schrijf(bericht: &Bericht) -> Result<String, XmlFout> {
    let mut uit = String::with_capacity(2048);
    uit.push_str(DECLARATIE);
    let mut ser = quick_xml::se::Serializer::new(&mut uit);
    ser.indent(' ', 2);
    bericht.serialize(ser)?;
    uit.push('\n');
    Ok(uit)
}

/// Reads a message that has already passed the inbound checks (codec).
/// On unchecked input this may fail where the schema would have said why.
pub fn lees(tekst: &str) -> Result<Bericht, XmlFout> {
    Ok(quick_xml::de::from_str(tekst)?)
}
