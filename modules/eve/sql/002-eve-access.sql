-- 002-eve-access.sql: the eve module's feature roles and its ruleset
-- (docs/eve.md, "Access" and "Rulesets"). Accounts are the platform's
-- users (platform 005); deleting one deletes its grants.

-- Feature-scoped roles (BattleScope's battle-reports and battle-intel):
-- one role per account and feature, ranked user < fc < director < admin.
-- superadmin is not stored: it is the platform's admin role.
CREATE TABLE eve.feature_roles (
	user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	feature     text NOT NULL CHECK (feature IN ('battle-reports', 'battle-intel')),
	role        text NOT NULL CHECK (role IN ('user', 'fc', 'director', 'admin')),
	granted_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	granted_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, feature)
);

-- The ruleset directors edit: which battles the lists show. One row (id 1)
-- once someone saved it; until then the defaults apply (EVE_MIN_PILOTS,
-- nothing tracked). Changes are in the platform's audit_log.
CREATE TABLE eve.rulesets (
	id          smallint PRIMARY KEY CHECK (id = 1),
	min_pilots  int NOT NULL DEFAULT 0 CHECK (min_pilots BETWEEN 0 AND 10000),
	tracked_alliance_ids bigint[] NOT NULL DEFAULT '{}'
		CHECK (cardinality(tracked_alliance_ids) <= 100),
	tracked_corp_ids bigint[] NOT NULL DEFAULT '{}'
		CHECK (cardinality(tracked_corp_ids) <= 100),
	ignore_unlisted boolean NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	updated_by  bigint REFERENCES users (id) ON DELETE SET NULL,
	updated_by_name text                 -- as it was when saved
);
