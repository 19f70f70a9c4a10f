-- Lookups of the running hub, which keeps only a cache of the state in
-- memory (engine::Toestand partial): the engine's keys of a claim, as the
-- in-memory indexes keep them (a key once set keeps pointing at its claim).
CREATE TABLE sleutels (
    verhaler TEXT NOT NULL,
    nummer   TEXT NOT NULL,                  -- V's Schadenummer
    claim_id TEXT NOT NULL,
    PRIMARY KEY (verhaler, nummer)
);
CREATE TABLE voertuigen (
    sleutel  TEXT PRIMARY KEY,               -- engine::Voertuigsleutel::als_tekst
    claim_id TEXT NOT NULL
);
-- A redelivered AMQP message is recognised by its mailbox and content hash.
CREATE INDEX berichtenlog_in_hash ON berichtenlog (mailbox, hash) WHERE richting = 'in';
-- Inbound over AMQP: the user_id property the message carried (replay needs it).
ALTER TABLE berichtenlog ADD COLUMN user_id TEXT;
