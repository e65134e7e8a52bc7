-- bzcc 005-polls-rejected-index.sql: the poll-status query asks for the latest
-- rejected poll and the number of rejected polls after every poll; without
-- this index both scan bzcc.polls (about 6 million rows a year at 5 s).
-- legacy: 006-polls-rejected-index.sql
CREATE INDEX polls_rejected_idx ON bzcc.polls (id) WHERE NOT ok;
CREATE INDEX polls_ok_taken_idx ON bzcc.polls (taken_at) WHERE ok;
