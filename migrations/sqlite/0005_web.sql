-- Issue 19: the hub's face (docs/api.md). The dispatcher keeps a row per
-- party of every claim for the overview, and links each log line to its
-- claim; the web part keeps its users, sessions, tokens and access records.

-- The claim a log line belongs to (an inbound message that reached one, the
-- answers about it, a timer's messages), and an inbound line's own BerichtId.
ALTER TABLE berichtenlog ADD COLUMN claim_id TEXT;
ALTER TABLE berichtenlog ADD COLUMN extern_id TEXT;
-- The message's kind (its body element; a reminder with its Rappelsoort).
ALTER TABLE berichtenlog ADD COLUMN soort TEXT;
CREATE INDEX berichtenlog_claim ON berichtenlog (claim_id, seq);
CREATE INDEX berichtenlog_extern ON berichtenlog (extern_id);
CREATE INDEX berichtenlog_soort ON berichtenlog (soort, mailbox, at) WHERE soort LIKE 'Rappel%';

-- One row per party of a claim, as that party sees it (rules.md §4): its
-- work folder and status, its own number and plate, the other party.
CREATE TABLE claim_partijen (
    deelnemer            TEXT NOT NULL,
    claim_id             TEXT NOT NULL,
    rol                  TEXT NOT NULL CHECK (rol IN ('V', 'A')),
    werkmap              TEXT NOT NULL,
    status               TEXT NOT NULL,
    status_tegenpartij   TEXT NOT NULL,
    tegenpartij          TEXT NOT NULL,
    schadenummer         TEXT,
    kenteken             TEXT NOT NULL,     -- own client's plate, as the engine keeps it
    kenteken_tegenpartij TEXT NOT NULL,
    schadedatum          TEXT NOT NULL,     -- YYYY-MM-DD
    ongeval_id           TEXT NOT NULL,
    aangemaakt           TEXT NOT NULL,     -- RFC 3339 UTC
    gewijzigd            TEXT NOT NULL,     -- RFC 3339 UTC, the last commit that changed it
    -- For management information (docs/managementinformatie.md):
    fase                 TEXT NOT NULL,     -- engine::Fase
    ovs_code             TEXT,
    afmeldreden          TEXT,
    overeenstemming      TEXT,              -- the date liability was matched
    afgerekend           TEXT,              -- the first settlement's date
    vervaldatum          TEXT,              -- its due date
    betaald              TEXT,              -- the date it was paid
    PRIMARY KEY (deelnemer, claim_id)
);
CREATE INDEX claim_partijen_map ON claim_partijen (deelnemer, werkmap, gewijzigd);
CREATE INDEX claim_partijen_claim ON claim_partijen (claim_id);
CREATE INDEX claim_partijen_kenteken ON claim_partijen (kenteken);
CREATE INDEX claim_partijen_kenteken_t ON claim_partijen (kenteken_tegenpartij);
CREATE INDEX claim_partijen_ongeval ON claim_partijen (ongeval_id);

CREATE TABLE gebruikers (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE,
    naam            TEXT    NOT NULL,
    deelnemer       TEXT,                   -- NULL: the hub's operator
    rollen          TEXT    NOT NULL,       -- comma-separated
    wachtwoord      TEXT,                   -- argon2id PHC string
    totp            TEXT,                   -- base32 secret of the second factor
    geblokkeerd     INTEGER NOT NULL DEFAULT 0,
    mislukt         INTEGER NOT NULL DEFAULT 0,
    vergrendeld_tot INTEGER,                -- unix seconds
    aangemaakt      TEXT    NOT NULL
);

-- Only the SHA-256 of a session's cookie and of a token is kept.
CREATE TABLE sessies (
    hash       TEXT    PRIMARY KEY,
    gebruiker  INTEGER NOT NULL REFERENCES gebruikers (id),
    csrf       TEXT    NOT NULL,
    aangemaakt INTEGER NOT NULL,            -- unix seconds
    laatst     INTEGER NOT NULL
);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    deelnemer    TEXT,
    rollen       TEXT    NOT NULL,
    omschrijving TEXT    NOT NULL,
    aangemaakt   TEXT    NOT NULL,
    verloopt     INTEGER,                   -- unix seconds; NULL: until revoked
    ingetrokken  TEXT
);

-- Who opened which dossier or message, when (web.md).
CREATE TABLE inzage (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    wie       TEXT NOT NULL,
    deelnemer TEXT,
    claim_id  TEXT NOT NULL,
    wat       TEXT NOT NULL
);
CREATE INDEX inzage_claim ON inzage (claim_id, id);

-- When a handler of a participant last opened a claim (the blue dot).
CREATE TABLE geopend (
    deelnemer TEXT NOT NULL,
    claim_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (deelnemer, claim_id)
);

-- Re-deliveries the operator asked for: who, when, which outbound line.
CREATE TABLE heraanbiedingen (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    bericht_id TEXT    NOT NULL,
    door       TEXT    NOT NULL
);
