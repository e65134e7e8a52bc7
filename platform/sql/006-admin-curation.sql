-- platform 006-admin-curation.sql: what curators and admins change through
-- the admin pages (docs/accounts.md): proposals of corrections to a
-- module's entities (text fields and a candidate picture), the curated
-- values that approved proposals leave (modules read them in their own
-- SQL), feature flags the jobs read, and the audit log of every admin and
-- curator action. Recorded as (platform, 006). New in the module layout.

-- A user's proposed correction of one entity of a module (a map, a mod).
-- fields: {"title": "...", ...} only the fields the module lets people
-- change; image_sha256: a candidate picture, validated and stored like a
-- mirrored one (assets), linked only once approved.
CREATE TABLE curation_proposals (
	id             bigserial PRIMARY KEY,
	module         text NOT NULL,
	entity_kind    text NOT NULL,
	entity_key     text NOT NULL,
	fields         jsonb NOT NULL DEFAULT '{}',
	image_sha256   text REFERENCES assets (sha256),
	note           text CHECK (length(note) <= 2000),
	status         text NOT NULL DEFAULT 'pending'
	               CHECK (status IN ('pending', 'approved', 'rejected')),
	proposed_by    bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	reviewed_by    bigint REFERENCES users (id) ON DELETE SET NULL,
	reviewed_at    timestamptz,
	review_note    text CHECK (length(review_note) <= 2000),
	CHECK (fields <> '{}'::jsonb OR image_sha256 IS NOT NULL)
);
CREATE INDEX curation_proposals_pending_idx ON curation_proposals (created_at) WHERE status = 'pending';
CREATE INDEX curation_proposals_entity_idx ON curation_proposals (module, entity_kind, entity_key);

-- The values curators approved, per entity: they take precedence over what
-- the enrichment found. Pictures go through asset_registry/asset_links.
CREATE TABLE curated_facts (
	module         text NOT NULL,
	entity_kind    text NOT NULL,
	entity_key     text NOT NULL,
	fields         jsonb NOT NULL,
	proposal_id    bigint REFERENCES curation_proposals (id),
	updated_by     bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_at     timestamptz NOT NULL,
	PRIMARY KEY (module, entity_kind, entity_key)
);

-- Feature flags set by admins (a name without a row has its default, or
-- the environment variable of the same name).
CREATE TABLE feature_flags (
	name           text PRIMARY KEY CHECK (name ~ '^[A-Z][A-Z0-9_]{0,63}$'),
	enabled        boolean NOT NULL,
	updated_by     bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_at     timestamptz NOT NULL
);

-- Every admin and curator action: who, what, on what, before and after.
-- actor_name is kept as it was when the account is deleted later.
CREATE TABLE audit_log (
	id             bigserial PRIMARY KEY,
	at             timestamptz NOT NULL DEFAULT now(),
	actor_id       bigint REFERENCES users (id) ON DELETE SET NULL,
	actor_name     text NOT NULL,
	actor_role     text NOT NULL,
	action         text NOT NULL,           -- "curation.approve", "user.role", "flag.set", ...
	target         text NOT NULL,           -- "proposal:12", "user:3", "flag:ENRICHMENT_ENABLED"
	before         jsonb,
	after          jsonb,
	remote_addr    text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
