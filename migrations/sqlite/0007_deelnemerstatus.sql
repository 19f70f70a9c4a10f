-- Beheer shows per participant when its last message came in
-- (docs/schermen.md, "Beheer"): one index probe per participant instead
-- of a scan of the log for one that has been quiet for long.
CREATE INDEX berichtenlog_laatst_in ON berichtenlog (mailbox, seq) WHERE richting = 'in';
