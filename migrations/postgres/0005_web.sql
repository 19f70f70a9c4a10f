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
    deelnemer            text NOT NULL,
    claim_id             text COLLATE "C" NOT NULL,
    rol                  text NOT NULL CHECK (rol IN ('V', 'A')),
    werkmap              text NOT NULL,
    status               text NOT NULL,
    status_tegenpartij   text NOT NULL,
    tegenpartij          text NOT NULL,
    schadenummer         text,
    kenteken             text NOT NULL,     -- own client's plate, as the engine keeps it
    kenteken_tegenpartij text NOT NULL,
    schadedatum          text NOT NULL,     -- YYYY-MM-DD
    ongeval_id           text NOT NULL,
    aangemaakt           text NOT NULL,     -- RFC 3339 UTC
    gewijzigd            text NOT NULL,     -- RFC 3339 UTC, the last commit that changed it
    -- For management information (docs/managementinformatie.md):
    fase                 text NOT NULL,     -- engine::Fase
    ovs_code             text,
    afmeldreden          text,
    overeenstemming      text,              -- the date liability was matched
    afgerekend           text,              -- the first settlement's date
    vervaldatum          text,              -- its due date
    betaald              text,              -- the date it was paid
    PRIMARY KEY (deelnemer, claim_id)
);
CREATE INDEX claim_partijen_map ON claim_partijen (deelnemer, werkmap, gewijzigd);
CREATE INDEX claim_partijen_claim ON claim_partijen (claim_id);
CREATE INDEX claim_partijen_kenteken ON claim_partijen (kenteken);
CREATE INDEX claim_partijen_kenteken_t ON claim_partijen (kenteken_tegenpartij);
CREATE INDEX claim_partijen_ongeval ON claim_partijen (ongeval_id);

CREATE TABLE gebruikers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text    NOT NULL UNIQUE,
    naam            text    NOT NULL,
    deelnemer       text,                   -- NULL: the hub's operator
    rollen          text    NOT NULL,       -- comma-separated
    wachtwoord      text,                   -- argon2id PHC string
    totp            text,                   -- base32 secret of the second factor
    geblokkeerd     bigint  NOT NULL DEFAULT 0,
    mislukt         bigint  NOT NULL DEFAULT 0,
    vergrendeld_tot bigint,                -- unix seconds
    aangemaakt      text    NOT NULL
);

-- Only the SHA-256 of a session's cookie and of a token is kept.
CREATE TABLE sessies (
    hash       text    PRIMARY KEY,
    gebruiker  bigint  NOT NULL REFERENCES gebruikers (id),
    csrf       text    NOT NULL,
    aangemaakt bigint  NOT NULL,            -- unix seconds
    laatst     bigint  NOT NULL
);

CREATE TABLE tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         text    NOT NULL UNIQUE,
    deelnemer    text,
    rollen       text    NOT NULL,
    omschrijving text    NOT NULL,
    aangemaakt   text    NOT NULL,
    verloopt     bigint,                   -- unix seconds; NULL: until revoked
    ingetrokken  text
);

-- Who opened which dossier or message, when (web.md).
CREATE TABLE inzage (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        text NOT NULL,
    wie       text NOT NULL,
    deelnemer text,
    claim_id  text NOT NULL,
    wat       text NOT NULL
);
CREATE INDEX inzage_claim ON inzage (claim_id, id);

-- When a handler of a participant last opened a claim (the blue dot).
CREATE TABLE geopend (
    deelnemer text NOT NULL,
    claim_id  text NOT NULL,
    at        text NOT NULL,
    PRIMARY KEY (deelnemer, claim_id)
);

-- Re-deliveries the operator asked for: who, when, which outbound line.
CREATE TABLE heraanbiedingen (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         text    NOT NULL,
    seq        bigint  NOT NULL,
    bericht_id text    NOT NULL,
    door       text    NOT NULL
);
