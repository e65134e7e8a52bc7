-- platform 005-accounts.sql: site accounts (docs/accounts.md). A user is a
-- person who signs in to GameWatch; identities say how (a Steam account
-- through OpenID 2.0, a local name and password for the first admin, and
-- later other single sign-on providers: the provider is a name, so a new
-- one needs no schema change). Server-side web sessions, single-use OpenID nonces, and
-- what a user keeps here: a watchlist, saved filters. Recorded as
-- (platform, 005). New in the module layout: no legacy file.

CREATE TABLE users (
	id             bigserial PRIMARY KEY,
	name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
	role           text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'curator', 'admin')),
	password_hash  text,                    -- local accounts: an Argon2id PHC string, else NULL
	created_at     timestamptz NOT NULL DEFAULT now(),
	last_login_at  timestamptz,
	banned_at      timestamptz,             -- soft delete by an admin: no sign-in, sessions revoked
	ban_reason     text
);
CREATE INDEX users_name_idx ON users (lower(name));

-- How a user signs in. provider: steam, local (external_id = the lower-case
-- login name), later others. profile: what the provider said
-- about the account ({"name", "avatar_url", "profile_url"}), public data only.
CREATE TABLE user_identities (
	id             bigserial PRIMARY KEY,
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider       text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$'),
	external_id    text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 128),
	profile        jsonb NOT NULL DEFAULT '{}',
	linked_at      timestamptz NOT NULL DEFAULT now(),
	last_login_at  timestamptz,
	UNIQUE (provider, external_id)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Web sessions. The browser holds a 256-bit random token (cookie gw_session);
-- only its SHA-256 is stored, so a copy of this table signs no one in.
CREATE TABLE web_sessions (
	token_sha256   text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at     timestamptz NOT NULL DEFAULT now(),
	expires_at     timestamptz NOT NULL,
	revoked_at     timestamptz,             -- sign-out, rotation, ban, "sign out everywhere"
	provider       text NOT NULL,           -- how this session signed in
	remote_addr    text,
	user_agent     text
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id) WHERE revoked_at IS NULL;

-- OpenID 2.0 response nonces already accepted, per OP endpoint (OpenID
-- Authentication 2.0 §11.3): an assertion is taken once. Rows older than the
-- accepted clock window are useless and deleted as new ones arrive.
CREATE TABLE openid_nonces (
	endpoint       text NOT NULL,
	nonce          text NOT NULL,
	used_at        timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (endpoint, nonce)
);
CREATE INDEX openid_nonces_used_idx ON openid_nonces (used_at);

-- Favourites / watchlist, generic over modules: (module, kind, key) names a
-- thing of a module (a game session, a host, a map, a mod).
CREATE TABLE user_watchlist (
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	module         text NOT NULL,
	kind           text NOT NULL,
	key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
	label          text NOT NULL CHECK (length(label) <= 200),
	created_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, module, kind, key)
);

-- Saved filters: a page of a module with its query string.
CREATE TABLE user_filters (
	id             bigserial PRIMARY KEY,
	user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	module         text NOT NULL,
	name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
	path           text NOT NULL CHECK (length(path) <= 1000),  -- "/<module>/...?..."
	created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_filters_user_idx ON user_filters (user_id);
