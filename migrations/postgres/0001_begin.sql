-- The store on PostgreSQL (operations.md "Store"): the same tables as
-- migrations/sqlite/0001_begin.sql. Money and times stay text (a claim is JSON
-- with amounts as decimal strings; a logged time keeps the sender's UTC offset
-- byte for byte); nothing is deleted.
--
-- Identifiers that are ordered on (claim_id) use the "C" collation, so rows
-- come back in byte order as in SQLite, whatever the database's locale.

-- Every message in and out, in processing order: the source of truth.
CREATE TABLE berichtenlog (
    seq        bigint      PRIMARY KEY,
    at         text        NOT NULL,         -- RFC 3339 as logged
    at_utc     timestamptz NOT NULL,         -- the same instant, for operator queries
    richting   text        NOT NULL CHECK (richting IN ('in', 'out')),
    mailbox    text        NOT NULL,
    xml        bytea       NOT NULL,         -- the raw bytes as received / sent
    hash       text,                         -- inbound: SHA-256 of the bytes
    uitslag    text,                         -- inbound: outcome
    bericht_id text                          -- outbound: the hub's BerichtId
);
CREATE INDEX berichtenlog_bericht_id ON berichtenlog (bericht_id) WHERE richting = 'out';

-- Current state per claim (derivable from the log).
CREATE TABLE claims (
    claim_id text COLLATE "C" PRIMARY KEY,
    data     text NOT NULL                   -- engine::Claim as JSON
);

-- The live timers of every claim, by due time (also inside the claim's JSON).
CREATE TABLE timers (
    volgorde bigint PRIMARY KEY,             -- set order (ties fire in it)
    tijd     text   NOT NULL,
    tijd_us  bigint NOT NULL,                -- due time as UTC microseconds, for ordering
    claim_id text   COLLATE "C" NOT NULL,
    soort    text   NOT NULL
);
CREATE INDEX timers_tijd ON timers (tijd_us, volgorde);
CREATE INDEX timers_claim ON timers (claim_id);

-- Early messages held (rules.md §7), with the message as read.
CREATE TABLE vastgehouden (
    volgorde  bigint PRIMARY KEY,
    xml       text   NOT NULL,
    mailbox   text   NOT NULL,
    ontvangen text   NOT NULL,
    tot       text   NOT NULL,
    hash      text   NOT NULL,
    wacht_op  text   NOT NULL                -- engine::Wachtsleutel as JSON
);

-- Duplicate detection: (sender, BerichtId, hash) and the answer it got.
CREATE TABLE inbox (
    afzender   text NOT NULL,
    bericht_id text NOT NULL,
    hash       text NOT NULL,
    antwoord   text,                         -- the hub BerichtId of the response
    PRIMARY KEY (afzender, bericht_id)
);

-- Outbound messages committed with the change that made them; sent afterwards.
CREATE TABLE outbox (
    seq        bigint  PRIMARY KEY REFERENCES berichtenlog (seq),
    mailbox    text    NOT NULL,
    bericht_id text    NOT NULL,
    verzonden  boolean NOT NULL DEFAULT false
);
CREATE INDEX outbox_open ON outbox (seq) WHERE NOT verzonden;

-- The counters behind the hub's identifiers, and the last log seq.
CREATE TABLE tellers (
    id      integer PRIMARY KEY CHECK (id = 1),
    claim   bigint  NOT NULL,
    ongeval bigint  NOT NULL,
    bericht bigint  NOT NULL,
    timer   bigint  NOT NULL
);
INSERT INTO tellers (id, claim, ongeval, bericht, timer) VALUES (1, 0, 0, 0, 0);

-- Directory mailboxes: which file was committed as which log line, so a file
-- whose move to .done/ was cut off by a crash is moved, not processed again.
CREATE TABLE bestanden (
    mailbox    text    NOT NULL,
    naam       text    NOT NULL,
    hash       text    NOT NULL,
    seq        bigint  NOT NULL,
    verplaatst boolean NOT NULL DEFAULT false,
    PRIMARY KEY (mailbox, naam)
);
