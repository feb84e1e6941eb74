-- The deal pipeline: engagements with their stage changes and notes, and the contracts they end in.

CREATE TABLE engagements (
    id BIGSERIAL PRIMARY KEY,
    listing_id BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    request_id BIGINT REFERENCES requests (id) ON DELETE SET NULL,
    organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    origin TEXT NOT NULL,
    match_id BIGINT REFERENCES matches (id) ON DELETE SET NULL,
    inquiry_id BIGINT REFERENCES inquiries (id) ON DELETE SET NULL,
    event_name TEXT,
    stage TEXT NOT NULL,
    held_stage TEXT,
    lost_reason TEXT,
    assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    next_action TEXT,
    next_action_on DATE,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX engagements_stage ON engagements (stage, id);
CREATE INDEX engagements_listing ON engagements (listing_id);

CREATE TABLE engagement_events (
    id BIGSERIAL PRIMARY KEY,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT,
    body TEXT,
    actor_id BIGINT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX engagement_events_engagement ON engagement_events (engagement_id, id);

CREATE TABLE contracts (
    id BIGSERIAL PRIMARY KEY,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    listing_id BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    request_id BIGINT REFERENCES requests (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    value_vnd BIGINT,
    signed_on DATE NOT NULL,
    transfer_form TEXT,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contracts_listing ON contracts (listing_id);
