-- The overview, search and management information read only indexes
-- (docs/PERFORMANCE.md, "The API on 100,000 claims"). SQLite has no
-- INCLUDE: the columns are part of the key, which covers the same reads.

DROP INDEX claim_partijen_map;
CREATE INDEX claim_partijen_map ON claim_partijen (deelnemer, werkmap, gewijzigd,
    claim_id, rol, status, schadedatum, schadenummer, kenteken,
    kenteken_tegenpartij, tegenpartij, ongeval_id);

CREATE INDEX claim_partijen_mi ON claim_partijen (deelnemer, aangemaakt, rol, werkmap,
    afmeldreden, ovs_code, overeenstemming, afgerekend, vervaldatum, betaald);
CREATE INDEX claim_partijen_mi_v ON claim_partijen (aangemaakt, werkmap, afmeldreden,
    ovs_code, overeenstemming, afgerekend, vervaldatum, betaald)
    WHERE rol = 'V';

DROP INDEX berichtenlog_soort;
CREATE INDEX berichtenlog_rappel ON berichtenlog (mailbox, at, soort)
    WHERE soort LIKE 'Rappel%' AND richting = 'out';
