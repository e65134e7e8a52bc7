-- demo 001-notes.sql: the demo module's one table (tests/modules/demo).
-- Written by `gamewatch-job demo-note`, read by GET /api/v1/demo/notes.
CREATE SCHEMA demo;
CREATE TABLE demo.notes (
	id             bigserial PRIMARY KEY,
	body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 200),
	created_at     timestamptz NOT NULL DEFAULT now()
);
