-- bzcc 004-history-api.sql: indexes for the history API and pages (issue 3).
-- legacy: 005-history-api.sql
-- The recent sessions of a map or mod are read newest first; the analytics
-- histogram reads the sessions that ended in a window.
CREATE INDEX sessions_map_first_seen_idx ON bzcc.sessions (map_key, first_seen_at DESC, id DESC);
CREATE INDEX sessions_mod_first_seen_idx ON bzcc.sessions (mod_id, first_seen_at DESC, id DESC);
CREATE INDEX sessions_ended_idx ON bzcc.sessions (ended_at) WHERE ended_at IS NOT NULL;
