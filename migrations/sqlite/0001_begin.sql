-- The store of the embedded hub (operations.md "Store"). Money and times are
-- text (a claim is JSON with amounts as decimal strings); nothing is deleted.

-- Every message in and out, in processing order: the source of truth.
CREATE TABLE berichtenlog (
    seq        INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,             -- RFC 3339 as logged
    richting   TEXT    NOT NULL CHECK (richting IN ('in', 'out')),
    mailbox    TEXT    NOT NULL,
    xml        BLOB    NOT NULL,             -- the raw bytes as received / sent
    hash       TEXT,                         -- inbound: SHA-256 of the bytes
    uitslag    TEXT,                         -- inbound: outcome
    bericht_id TEXT                          -- outbound: the hub's BerichtId
);
CREATE INDEX berichtenlog_bericht_id ON berichtenlog (bericht_id) WHERE richting = 'out';

-- Current state per claim (derivable from the log).
CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY,
    data     TEXT NOT NULL                   -- engine::Claim as JSON
);

-- The live timers of every claim, by due time (also inside the claim's JSON).
CREATE TABLE timers (
    volgorde INTEGER PRIMARY KEY,            -- set order (ties fire in it)
    tijd     TEXT    NOT NULL,
    tijd_us  INTEGER NOT NULL,               -- due time as UTC microseconds, for ordering
    claim_id TEXT    NOT NULL,
    soort    TEXT    NOT NULL
);
CREATE INDEX timers_tijd ON timers (tijd_us, volgorde);
CREATE INDEX timers_claim ON timers (claim_id);

-- Early messages held (rules.md §7), with the message as read.
CREATE TABLE vastgehouden (
    volgorde  INTEGER PRIMARY KEY,
    xml       TEXT    NOT NULL,
    mailbox   TEXT    NOT NULL,
    ontvangen TEXT    NOT NULL,
    tot       TEXT    NOT NULL,
    hash      TEXT    NOT NULL,
    wacht_op  TEXT    NOT NULL               -- engine::Wachtsleutel as JSON
);

-- Duplicate detection: (sender, BerichtId, hash) and the answer it got.
CREATE TABLE inbox (
    afzender   TEXT NOT NULL,
    bericht_id TEXT NOT NULL,
    hash       TEXT NOT NULL,
    antwoord   TEXT,                         -- the hub BerichtId of the response
    PRIMARY KEY (afzender, bericht_id)
);

-- Outbound messages committed with the change that made them; sent afterwards.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY REFERENCES berichtenlog (seq),
    mailbox   TEXT    NOT NULL,
    bericht_id TEXT   NOT NULL,
    verzonden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_open ON outbox (seq) WHERE verzonden = 0;

-- The counters behind the hub's identifiers, and the last log seq.
CREATE TABLE tellers (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    claim   INTEGER NOT NULL,
    ongeval INTEGER NOT NULL,
    bericht INTEGER NOT NULL,
    timer   INTEGER NOT NULL
);
INSERT INTO tellers (id, claim, ongeval, bericht, timer) VALUES (1, 0, 0, 0, 0);

-- Directory mailboxes: which file was committed as which log line, so a file
-- whose move to .done/ was cut off by a crash is moved, not processed again.
CREATE TABLE bestanden (
    mailbox    TEXT    NOT NULL,
    naam       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    verplaatst INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mailbox, naam)
);
