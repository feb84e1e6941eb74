-- Requests for the confidential tier of a listing or request, and their decisions. A granted
-- request points to the access grant it created.

CREATE TABLE access_requests (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by BIGINT NOT NULL REFERENCES users (id),
    message TEXT NOT NULL,
    routed_to TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by BIGINT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    grant_id BIGINT REFERENCES access_grants (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX access_requests_entity ON access_requests (entity, entity_id);
CREATE INDEX access_requests_organization ON access_requests (organization_id);
