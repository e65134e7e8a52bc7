-- 007-bzcc-parity.sql: issue 9 (faults found in review, and what the
-- community viewers do). Each part names what it is for.

-- Fault 1: lobby URLs were stored verbatim, credentials included; mask the
-- userinfo and credential-like query values of the rows written before
-- (the poller masks them on the way in now: core/http.h http_url_redact).
UPDATE bzcc.polls
   SET source_url = regexp_replace(
         regexp_replace(source_url, '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@', '\1***@'),
         '([?&;][^=&;#]*(key|token|secret|password|passwd|auth|signature|credential)=)[^&;#]*',
         '\1***', 'gi')
 WHERE source_url ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@'
    OR source_url ~* '[?&;][^=&;#]*(key|token|secret|password|passwd|auth|signature|credential)=';

-- Fault 9: the seed list's ".../undefined" pictures are no picture (the
-- decoder drops them now: modules/bzcc/domain/facts.h
-- bzcc_image_value_missing); forget the ones stored before so the mirror
-- never fetches them.
UPDATE bzcc.map_seed SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';
UPDATE bzcc.map_info SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';
UPDATE bzcc.mod_info SET image_url = NULL
 WHERE image_url ~* '/(undefined|null|none|nil)/?([?#].*)?$' OR btrim(image_url) = '';
