-- Issue 15: inbound messages are read with a bound. One that is too large
-- for its type keeps only its first bytes in `xml`, with its size here and
-- the hash of what was read in `hash`; a file the hub could not read keeps
-- no bytes and the reason here. Both are exported (`size`/`sha256`,
-- `unreadable`) so replay refuses them as the hub did.
ALTER TABLE berichtenlog ADD COLUMN grootte INTEGER;
ALTER TABLE berichtenlog ADD COLUMN onleesbaar TEXT;
