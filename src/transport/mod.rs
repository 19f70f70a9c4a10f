//! Mailboxes: where inbound messages come from and outbound ones go
//! (operations.md "Mailboxes"). [`directory`] is the embedded default,
//! [`amqp`] (RabbitMQ) the production one.

pub mod amqp;
pub mod directory;
