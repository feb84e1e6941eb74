-- Outcomes other than contracts: spin-off companies, startup support and commercialisation of
-- research results, linked to an engagement and/or a listing when they come from one.

CREATE TABLE outcomes (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    engagement_id BIGINT REFERENCES engagements (id) ON DELETE SET NULL,
    listing_id BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    company_name TEXT,
    parent_organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL,
    ip_contributed TEXT,
    support_kind TEXT,
    channel TEXT,
    value_vnd BIGINT,
    occurred_on DATE NOT NULL,
    note TEXT,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outcomes_kind ON outcomes (kind, occurred_on);
CREATE INDEX outcomes_listing ON outcomes (listing_id);
