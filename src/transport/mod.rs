//! Mailboxes: where inbound messages come from and outbound ones go
//! (operations.md "Mailboxes"). [`directory`] is the embedded default.

pub mod directory;
