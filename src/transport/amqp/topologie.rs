//! Queue names and their declaration: the one place that knows them.

use lapin::Channel;
use lapin::options::QueueDeclareOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};

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

/// Declares the parking queue and every participant's two queues;
/// idempotent (the same arguments every time).
pub async fn declareer(kanaal: &Channel, codes: &[Deelnemercode]) -> Result<(), AmqpFout> {
    declareer_een(kanaal, GEPARKEERD, false).await?;
    for code in codes {
        declareer_een(kanaal, &in_queue(code), true).await?;
        declareer_een(kanaal, &out_queue(code), true).await?;
    }
    Ok(())
}
