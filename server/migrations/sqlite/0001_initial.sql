-- atsbridge store, SQLite. Times are epoch milliseconds, ids are TEXT, JSON is TEXT.

CREATE TABLE connections (
    id                       TEXT PRIMARY KEY,
    kind                     TEXT NOT NULL,
    name                     TEXT NOT NULL UNIQUE,
    encrypted_key            BLOB NOT NULL,
    encrypted_webhook_secret BLOB,
    settings                 TEXT NOT NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    last_error               TEXT,
    last_checked_at          INTEGER
);

CREATE TABLE job_links (
    dover_job_id     TEXT PRIMARY KEY,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    ats_job_id       TEXT NOT NULL,
    post_as_user_id  TEXT,
    dover_stages     TEXT NOT NULL,
    stage_mapping    TEXT NOT NULL,
    reason_overrides TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX job_links_connection ON job_links (connection_id);

CREATE TABLE commands (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT NOT NULL UNIQUE,
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    dover_candidate_id TEXT NOT NULL,
    kind               TEXT NOT NULL,
    payload            TEXT NOT NULL,
    status             TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    max_attempts       INTEGER NOT NULL,
    next_attempt_at    INTEGER NOT NULL,
    lease_owner        TEXT,
    lease_until        INTEGER,
    epoch              INTEGER NOT NULL DEFAULT 0,
    idempotency_key    TEXT,
    request_hash       TEXT NOT NULL,
    steps              TEXT NOT NULL DEFAULT '{}',
    result             TEXT,
    last_error         TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (connection_id, idempotency_key)
);
CREATE INDEX commands_live ON commands (status, next_attempt_at) WHERE status IN ('pending', 'running');
CREATE INDEX commands_candidate ON commands (connection_id, dover_candidate_id, seq);

CREATE TABLE candidate_links (
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    dover_candidate_id TEXT NOT NULL,
    dover_job_id       TEXT NOT NULL,
    ats_candidate_id   TEXT,
    ats_application_id TEXT,
    ats_stage_id       TEXT,
    outcome            TEXT,
    adopted            INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (connection_id, dover_candidate_id)
);
CREATE INDEX candidate_links_application ON candidate_links (connection_id, ats_application_id);
CREATE INDEX candidate_links_ats_candidate ON candidate_links (connection_id, ats_candidate_id);
CREATE INDEX candidate_links_job ON candidate_links (dover_job_id);

CREATE TABLE sync_state (
    connection_id        TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    stream               TEXT NOT NULL,
    cursor               TEXT,
    in_full_pass         INTEGER NOT NULL,
    full_pass_started_at INTEGER,
    last_caught_up_at    INTEGER,
    last_error           TEXT,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (connection_id, stream)
);

CREATE TABLE ats_candidates (
    connection_id          TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    ats_candidate_id       TEXT NOT NULL,
    name                   TEXT NOT NULL,
    identity_keys          TEXT NOT NULL,
    company                TEXT,
    has_active_application INTEGER NOT NULL,
    last_seen_at           INTEGER NOT NULL,
    PRIMARY KEY (connection_id, ats_candidate_id)
);
CREATE INDEX ats_candidates_seen ON ats_candidates (connection_id, last_seen_at);

CREATE TABLE ats_applications (
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    ats_application_id TEXT NOT NULL,
    ats_candidate_id   TEXT NOT NULL,
    ats_job_id         TEXT NOT NULL,
    ats_stage_id       TEXT NOT NULL,
    status             TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    archive_reason     TEXT,
    ats_updated_at     INTEGER,
    last_seen_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, ats_application_id)
);

CREATE TABLE stage_transitions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    ats_job_id         TEXT NOT NULL,
    ats_application_id TEXT NOT NULL,
    ats_stage_id       TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    at                 INTEGER NOT NULL
);
CREATE INDEX stage_transitions_job ON stage_transitions (connection_id, ats_job_id, at);

CREATE TABLE events (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    event_key     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (connection_id, event_key)
);
CREATE INDEX events_connection ON events (connection_id, position);

CREATE TABLE webhook_deliveries (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    delivery_id   TEXT NOT NULL,
    seen_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, delivery_id)
);
