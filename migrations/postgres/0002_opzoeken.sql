-- Lookups of the running hub, which keeps only a cache of the state in
-- memory (engine::Toestand partial): the engine's keys of a claim, as the
-- in-memory indexes keep them (a key once set keeps pointing at its claim).
CREATE TABLE sleutels (
    verhaler text NOT NULL,
    nummer   text NOT NULL,                  -- V's Schadenummer
    claim_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (verhaler, nummer)
);
CREATE TABLE voertuigen (
    sleutel  text PRIMARY KEY,               -- engine::Voertuigsleutel::als_tekst
    claim_id text COLLATE "C" NOT NULL
);
-- A redelivered AMQP message is recognised by its mailbox and content hash.
CREATE INDEX berichtenlog_in_hash ON berichtenlog (mailbox, hash) WHERE richting = 'in';
-- Inbound over AMQP: the user_id property the message carried (replay needs it).
ALTER TABLE berichtenlog ADD COLUMN user_id text;
