-- A published record's sentence vector, computed once from its public text (title, summary,
-- keywords) by the multilingual embedding model, when the model is installed. Stored so that a
-- restart or a reindex does not recompute it; `text_sha256` says which text it was computed
-- from, so an edit computes it again. `model` keeps vectors of different models apart.
CREATE TABLE record_vectors (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    model TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    -- The language detected in that text (`vi`, `en`; NULL: no words to tell).
    lang TEXT,
    dim INTEGER NOT NULL,
    vector BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entity, entity_id, model)
);
