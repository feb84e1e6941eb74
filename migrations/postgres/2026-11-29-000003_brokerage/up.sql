-- Brokerage: saved matches between a listing and a request, and inquiries with their threads.

CREATE TABLE matches (
    id BIGSERIAL PRIMARY KEY,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    listing_answer TEXT,
    listing_reason TEXT,
    listing_note TEXT,
    listing_answered_at TIMESTAMP,
    request_answer TEXT,
    request_reason TEXT,
    request_note TEXT,
    request_answered_at TIMESTAMP,
    created_by BIGINT,
    introduced_by BIGINT,
    introduced_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (listing_id, request_id)
);
CREATE INDEX matches_request ON matches (request_id);
CREATE INDEX matches_status ON matches (status, id);

CREATE TABLE inquiries (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    cooperation_sought TEXT NOT NULL,
    missing TEXT,
    about_us TEXT,
    message TEXT NOT NULL,
    routed_to TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX inquiries_entity ON inquiries (entity, entity_id);
CREATE INDEX inquiries_organization ON inquiries (organization_id);

CREATE TABLE inquiry_messages (
    id BIGSERIAL PRIMARY KEY,
    inquiry_id BIGINT NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    side TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX inquiry_messages_inquiry ON inquiry_messages (inquiry_id, id);
