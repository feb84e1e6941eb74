-- Alerts: a user saves a search or marks a request; newly published listings that match above
-- the subscription's threshold are recorded as alerts for that user.

CREATE TABLE alert_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    query TEXT,
    sci_fields TEXT NOT NULL,
    request_id BIGINT REFERENCES requests (id) ON DELETE CASCADE,
    threshold DOUBLE PRECISION NOT NULL,
    checked_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX alert_subscriptions_user ON alert_subscriptions (user_id);

CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    score DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subscription_id, listing_id)
);
CREATE INDEX alerts_user ON alerts (user_id, id);
