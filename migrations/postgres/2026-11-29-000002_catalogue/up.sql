-- Catalogue: technology offers (listings) and needs (requests), their history, the access log
-- of the confidential tier, access grants and idempotency keys.

CREATE TABLE listings (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT,
    confidential_details TEXT,
    title_en TEXT,
    summary_en TEXT,
    trl INTEGER,
    pricing_model TEXT NOT NULL,
    price_min_vnd BIGINT,
    price_max_vnd BIGINT,
    funding_origin TEXT,
    research_task_code TEXT,
    tech_category TEXT NOT NULL,
    province_code TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL,
    valid_until TIMESTAMP,
    last_confirmed_at TIMESTAMP,
    published_at TIMESTAMP,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX listings_status_updated ON listings (status, updated_at, id);
CREATE INDEX listings_status_published ON listings (status, published_at, id);
CREATE INDEX listings_status_title ON listings (status, title, id);
CREATE INDEX listings_status_valid_until ON listings (status, valid_until);
CREATE INDEX listings_organization ON listings (organization_id, status);
CREATE INDEX listings_province ON listings (province_code, status);
-- Sorted pages of callers who also see their own unpublished records (live OR own).
CREATE INDEX listings_updated ON listings (updated_at, id);
CREATE INDEX listings_published ON listings (published_at, id);
CREATE INDEX listings_title ON listings (title, id);

-- Code-list values of a listing: sci_field, transfer_form, transfer_method, cooperation_type.
CREATE TABLE listing_codes (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (listing_id, list, code)
);
CREATE INDEX listing_codes_lookup ON listing_codes (list, code, listing_id);

CREATE TABLE listing_keywords (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    keyword TEXT NOT NULL,
    PRIMARY KEY (listing_id, position)
);

CREATE TABLE listing_ip_assets (
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    ip_type TEXT NOT NULL,
    legal_status TEXT NOT NULL,
    number TEXT,
    jurisdiction TEXT,
    expires_on TEXT,
    PRIMARY KEY (listing_id, position)
);

CREATE TABLE requests (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    requirements TEXT,
    confidential_details TEXT,
    trl_min INTEGER,
    budget_min_vnd BIGINT,
    budget_max_vnd BIGINT,
    deadline TEXT,
    ip_expectation TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    origin TEXT NOT NULL,
    province_code TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL,
    valid_until TIMESTAMP,
    last_confirmed_at TIMESTAMP,
    published_at TIMESTAMP,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX requests_status_updated ON requests (status, updated_at, id);
CREATE INDEX requests_status_published ON requests (status, published_at, id);
CREATE INDEX requests_status_title ON requests (status, title, id);
CREATE INDEX requests_status_valid_until ON requests (status, valid_until);
CREATE INDEX requests_organization ON requests (organization_id, status);
CREATE INDEX requests_province ON requests (province_code, status);
-- Sorted pages of callers who also see their own unpublished records (live OR own).
CREATE INDEX requests_updated ON requests (updated_at, id);
CREATE INDEX requests_published ON requests (published_at, id);
CREATE INDEX requests_title ON requests (title, id);

-- Code-list values of a request: sci_field, cooperation_type (accepted).
CREATE TABLE request_codes (
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (request_id, list, code)
);
CREATE INDEX request_codes_lookup ON request_codes (list, code, request_id);

CREATE TABLE request_keywords (
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    keyword TEXT NOT NULL,
    PRIMARY KEY (request_id, position)
);

-- Append-only history of listings and requests: field diffs and transitions.
CREATE TABLE record_history (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    changes TEXT NOT NULL,
    note TEXT,
    actor_user_id BIGINT,
    actor_api_key_id BIGINT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX record_history_entity ON record_history (entity, entity_id, id);

-- Every read of the confidential tier by someone outside the owner organization.
CREATE TABLE confidential_reads (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    reader_user_id BIGINT,
    reader_api_key_id BIGINT,
    reader_organization_id BIGINT,
    road TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX confidential_reads_entity ON confidential_reads (entity, entity_id, id);

-- Grants of the confidential tier of one record to one organization (brokerage fills these).
CREATE TABLE access_grants (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    granted_by BIGINT,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX access_grants_lookup ON access_grants (entity, entity_id, organization_id);

-- Idempotency keys of creates: the first response is replayed for 24 hours.
CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    principal TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    location TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (principal, idempotency_key)
);
