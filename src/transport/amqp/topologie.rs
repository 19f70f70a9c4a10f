//! Queue and exchange names and their declaration: the one place that knows
//! them.
//!
//! A participant publishes through an exchange of its own, `cr.<code>.in`
//! (fanout), bound by the hub to the queue of the same name and to nothing
//! else. Its broker user may write to that name only, and not to the default
//! exchange: RabbitMQ authorises a publish on the exchange, and the default
//! exchange reaches every queue (docs/broker.md).

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};

use super::AmqpFout;
use crate::bericht::Deelnemercode;

/// Where a message that keeps failing is parked instead of dropped
/// (a quorum queue counts deliveries; see `x-delivery-limit`).
pub const GEPARKEERD: &str = "cr.geparkeerd";

/// Deliveries after which the broker parks an inbound message. Each delivery
/// the hub does not ack is a crash or a lost connection, so this is high.
pub const BEZORGLIMIET: i64 = 1000;

pub fn in_queue(code: &Deelnemercode) -> String {
    format!("cr.{code}.in")
}

/// The exchange a participant publishes into: it routes to [`in_queue`]
/// only, whatever the routing key. It has the queue's name, so one
/// permission (write on `cr.<code>.in`) covers both and nothing else.
pub fn in_exchange(code: &Deelnemercode) -> String {
    in_queue(code)
}

pub fn out_queue(code: &Deelnemercode) -> String {
    format!("cr.{code}.out")
}

fn quorum(dead_letter: bool) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        ShortString::from("x-queue-type"),
        AMQPValue::LongString("quorum".into()),
    );
    if dead_letter {
        args.insert(
            ShortString::from("x-dead-letter-exchange"),
            AMQPValue::LongString("".into()),
        );
        args.insert(
            ShortString::from("x-dead-letter-routing-key"),
            AMQPValue::LongString(GEPARKEERD.into()),
        );
        args.insert(
            ShortString::from("x-delivery-limit"),
            AMQPValue::LongLongInt(BEZORGLIMIET),
        );
    }
    args
}

async fn declareer_een(kanaal: &Channel, naam: &str, dead_letter: bool) -> Result<(), AmqpFout> {
    kanaal
        .queue_declare(
            naam.into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            quorum(dead_letter),
        )
        .await?;
    Ok(())
}

/// Declares the parking queue, every participant's two queues and its
/// exchange bound to its in queue; idempotent (the same arguments every
/// time), and an existing queue keeps its messages.
pub async fn declareer(kanaal: &Channel, codes: &[Deelnemercode]) -> Result<(), AmqpFout> {
    declareer_een(kanaal, GEPARKEERD, false).await?;
    for code in codes {
        declareer_een(kanaal, &in_queue(code), true).await?;
        declareer_een(kanaal, &out_queue(code), true).await?;
        let exchange = in_exchange(code);
        kanaal
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Fanout,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        kanaal
            .queue_bind(
                in_queue(code).as_str().into(),
                exchange.as_str().into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
