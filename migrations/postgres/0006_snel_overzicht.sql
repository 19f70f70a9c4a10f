-- The overview, search and management information read only indexes
-- (docs/PERFORMANCE.md, "The API on 100,000 claims"): a participant's work
-- folder of 20,000 claims was read row by row from a table where its rows
-- lie scattered; the rappels of a year were read from the log's heap.

-- Every column the overview shows or searches, in the folder's index.
DROP INDEX claim_partijen_map;
CREATE INDEX claim_partijen_map ON claim_partijen (deelnemer, werkmap, gewijzigd)
    INCLUDE (claim_id, rol, status, schadedatum, schadenummer, kenteken,
             kenteken_tegenpartij, tegenpartij, ongeval_id);

-- Management information: a participant's claims registered in a period.
CREATE INDEX claim_partijen_mi ON claim_partijen (deelnemer, aangemaakt)
    INCLUDE (rol, werkmap, afmeldreden, ovs_code, overeenstemming, afgerekend,
             vervaldatum, betaald);
-- The same for the whole sector (the operator without a participant).
CREATE INDEX claim_partijen_mi_v ON claim_partijen (aangemaakt)
    INCLUDE (werkmap, afmeldreden, ovs_code, overeenstemming, afgerekend,
             vervaldatum, betaald)
    WHERE rol = 'V';

-- Rappels sent, per mailbox and time.
DROP INDEX berichtenlog_soort;
CREATE INDEX berichtenlog_rappel ON berichtenlog (mailbox, at, soort)
    WHERE soort LIKE 'Rappel%' AND richting = 'out';
