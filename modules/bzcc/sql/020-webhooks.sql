-- 020-webhooks.sql: Discord webhooks announcing BZCC sessions (gamewatch-job
-- notify; docs/realtime.md). Numbered apart from the lobby migrations.

CREATE TABLE bzcc.webhooks (
    id          bigserial PRIMARY KEY,
    url         text NOT NULL UNIQUE,             -- the webhook URL (its token is a secret: never shown whole)
    hosts       text[] NOT NULL DEFAULT '{}',     -- "steam:<id>"/"gog:<id>" of hosts to announce; empty: all
    enabled     boolean NOT NULL DEFAULT true,
    last_error  text,                             -- the last refusal from the receiver, for the admin list
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One message per webhook and session: created when the session appeared,
-- edited while it changes, marked ended when it left the lobby.
CREATE TABLE bzcc.webhook_messages (
    webhook_id  bigint NOT NULL REFERENCES bzcc.webhooks (id) ON DELETE CASCADE,
    session_id  text NOT NULL,
    message_id  text,                             -- the receiver's message id
    state       text NOT NULL CHECK (state IN ('live', 'ended', 'gone', 'failed')),
    payload     text NOT NULL,                    -- the body last delivered (an edit only when it changes)
    session     jsonb NOT NULL,                   -- the session as last announced (for the "ended" edit)
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (webhook_id, session_id)
);
CREATE INDEX webhook_messages_live ON bzcc.webhook_messages (webhook_id) WHERE state = 'live';
