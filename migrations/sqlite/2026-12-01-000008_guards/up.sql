-- "At most one" rules held by the database itself, so that concurrent identical calls cannot
-- break them: one pending access request per organization and record, one contract per
-- engagement, one engagement per match and per inquiry. Rows that broke a rule before it was
-- enforced are resolved first (the oldest one stands).

UPDATE access_requests SET status = 'refused', decision_note = 'duplicate of an earlier pending request'
WHERE status = 'pending' AND id NOT IN (
    SELECT MIN(id) FROM access_requests WHERE status = 'pending'
    GROUP BY entity, entity_id, organization_id
);
CREATE UNIQUE INDEX access_requests_one_pending
    ON access_requests (entity, entity_id, organization_id) WHERE status = 'pending';

DELETE FROM contracts WHERE id NOT IN (SELECT MIN(id) FROM contracts GROUP BY engagement_id);
CREATE UNIQUE INDEX contracts_one_per_engagement ON contracts (engagement_id);

UPDATE engagements SET match_id = NULL WHERE match_id IS NOT NULL AND id NOT IN (
    SELECT MIN(id) FROM engagements WHERE match_id IS NOT NULL GROUP BY match_id
);
CREATE UNIQUE INDEX engagements_one_per_match ON engagements (match_id) WHERE match_id IS NOT NULL;

UPDATE engagements SET inquiry_id = NULL WHERE inquiry_id IS NOT NULL AND id NOT IN (
    SELECT MIN(id) FROM engagements WHERE inquiry_id IS NOT NULL GROUP BY inquiry_id
);
CREATE UNIQUE INDEX engagements_one_per_inquiry ON engagements (inquiry_id) WHERE inquiry_id IS NOT NULL;
