"""t99: the eve module's feature-scoped roles and the directors' ruleset,
on real killmails (the Jorund fight and the 30-minute all-systems window of
tests/data/eve, imported and clustered by the module's jobs).

* Defaults: battle reports are public; intel needs the battle-intel
  feature: 401 without an account, 403 for an account without the grant,
  200 with it (and for a site admin, a superadmin).
* Roles are granted on /eve/admin/roles (CSRF, audited "eve.role"): by a
  superadmin (any role), by a feature admin (user, fc, director in their
  feature only; never admin, never another feature); nobody else reaches
  the page.
* The ruleset (/eve/rulesets, CSRF, audited "eve.ruleset"): an fc cannot
  save it (403, nothing changes), a director can; bad input is a 400. The
  battle list (JSON and page) then shows exactly the battles that an
  independent query over eve.battles and eve.battle_participants says the
  ruleset keeps (minimum pilots; tracked alliance with ignore_unlisted).
* With EVE_BATTLE_REPORTS_ACCESS=granted (a worker started here), battle
  reports need a grant too, and the killmail stream refuses (the stream
  server cannot see accounts)."""
import json
import os
import re
import subprocess
import tempfile
import time

from gwtest import (BUILD_DIR, SRCDIR, Browser, done, get_json, http, job, make_user, ok, psql, scalar,
                    session_token)

EVE = os.path.join(SRCDIR, "tests", "data", "eve")
KM = os.path.join(EVE, "killmails")
PANDEMIC_HORDE = "99005338"


def eve_tables():
    return [r[0] for r in psql("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                               " WHERE schemaname = 'eve' ORDER BY 1")]


def person(name, role="user", eve_roles=(), character=None):
    uid = make_user(name, role, identities=[("eve", character)] if character else ())
    for feature, r in eve_roles:
        psql("INSERT INTO eve.feature_roles (user_id, feature, role) VALUES (:'v1', :'v2', :'v3')",
             str(uid), feature, r)
    b = Browser(session=session_token(uid))
    return uid, b


def all_battles(b=None, query=""):
    """Every battle id the list shows (following next_url)."""
    ids, url, ruleset = [], "/api/v1/battles?limit=100" + query, None
    while url:
        if b:
            st, _, body = b.get(url, headers={"Accept": "application/json"})
            d = json.loads(body) if st == 200 else None
        else:
            st, _, d = get_json(os.environ["BASE_URL"] + url)
        if st != 200 or not d:
            return None, st
        ids += [x["id"] for x in d["battles"]]
        ruleset = d["ruleset"]
        url = d["next_url"]
    return ids, ruleset


AUDIT_FROM = scalar("SELECT coalesce(max(id), 0) FROM audit_log")


def audit(action):
    """This test's audit entries of `action`: actor, target, before, after."""
    return psql("SELECT actor_name, target, coalesce(before::text, ''), after::text FROM audit_log"
                " WHERE action = :'v1' AND id > :'v2'::bigint ORDER BY id", action, AUDIT_FROM)


empty = scalar("SELECT NOT EXISTS (SELECT 1 FROM eve.killmail_ids) AND NOT EXISTS (SELECT 1 FROM eve.systems)") == "t"
try:
    rc, out = job("eve-static")
    ok(rc == 0, "eve-static", out[-300:])
    rc, out = job("eve-import", os.path.join(KM, "esi_2021-11-28_window_1200-1229_all-systems.jsonl"),
                  os.path.join(KM, "esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz"))
    ok(rc == 0, "eve-import the window and the Jorund fight", out[-300:])
    rc, out = job("eve-cluster")
    ok(rc == 0, "eve-cluster", out[-300:])
    n_battles = int(scalar("SELECT count(*) FROM eve.battles WHERE is_battle"))
    ok(n_battles > 20, "real battles to list (%d)" % n_battles)
    psql("DELETE FROM eve.rulesets")

    # ---- people ---------------------------------------------------------------
    site_admin, sa = person("t99-site-admin", "admin")
    _, nobody = person("t99-no-grants")
    _, analyst = person("t99-analyst", eve_roles=[("battle-intel", "user")])
    fc_id, fc = person("t99-fc", character="2112990101")
    dir_id, director = person("t99-director")
    fa_id, feature_admin = person("t99-reports-admin")
    anon = Browser()
    U = "until=2021-11-29T00:00:00Z&days=2"

    # ---- defaults ----------------------------------------------------------------
    st, _, d = get_json(os.environ["BASE_URL"] + "/api/v1/battles?limit=1")
    ok(st == 200 and d["count"] == 1, "battle reports are public by default", st)
    st, h, body = anon.get("/api/v1/intel/summary?" + U)
    ok(st == 401 and json.loads(body)["error"], "intel without an account: 401 JSON", st, body[:200])
    st, h, body = anon.get("/eve/intel?" + U)
    ok(st == 401 and b"<html" in body.lower(), "the intel page without an account: 401 page", st)
    for who, b in (("an account without battle-intel", nobody), ("a director of battle-reports", None)):
        if b is None:
            psql("INSERT INTO eve.feature_roles (user_id, feature, role) VALUES (:'v1', 'battle-reports', 'director')",
                 str(dir_id))
            b = director
        st, h, body = b.get("/api/v1/intel/alliances/%s?%s" % (PANDEMIC_HORDE, U))
        ok(st == 403 and "role" in json.loads(body)["detail"], "intel for %s: 403" % who, st, body[:200])
    st, h, body = analyst.get("/api/v1/intel/alliances/%s?%s" % (PANDEMIC_HORDE, U))
    ok(st == 200 and json.loads(body)["entity_id"] == PANDEMIC_HORDE and h.get("cache-control") == "no-store",
       "intel with battle-intel: 200, not for shared caches", st, h.get("cache-control"))
    st, _, body = sa.get("/api/v1/intel/summary?" + U)
    ok(st == 200, "a site admin (superadmin) passes every check", st)
    st, _, body = analyst.get("/eve/intel/alliances/%s?%s" % (PANDEMIC_HORDE, U))
    ok(st == 200 and b"Heatmap by region" in body, "the intel page for the analyst", st)

    # ---- granting roles --------------------------------------------------------------
    for who, b, want in (("nobody signed in", anon, 401), ("an account without a feature admin role", nobody, 403),
                         ("a director", director, 403)):
        st, _, _ = b.get("/eve/admin/roles")
        ok(st == want, "/eve/admin/roles for %s: %d" % (who, want), st)
    st, _, body = sa.get("/eve/admin/roles")
    ok(st == 200 and b"t99-analyst" in body and b"battle-intel" in body, "/eve/admin/roles lists the grants", st)
    tok = sa.csrf("/eve/admin/roles")
    st, _, body = sa.post("/eve/admin/roles", {"user_id": str(fa_id), "feature": "battle-reports", "role": "admin"})
    ok(st == 403 and scalar("SELECT count(*) FROM eve.feature_roles WHERE user_id = :'v1'", str(fa_id)) == "0",
       "a grant without the CSRF token: 403, nothing granted", st)
    st, h, _ = sa.post("/eve/admin/roles", {"csrf_token": tok, "user_id": str(fa_id), "feature": "battle-reports",
                                            "role": "admin"})
    ok(st == 303 and scalar("SELECT role FROM eve.feature_roles WHERE user_id = :'v1'", str(fa_id)) == "admin",
       "the superadmin makes a battle-reports admin", st)
    tok = feature_admin.csrf("/eve/admin/roles")
    st, _, _ = feature_admin.post("/eve/admin/roles", {"csrf_token": tok, "character_id": "2112990101",
                                                      "feature": "battle-reports", "role": "fc"})
    ok(st == 303 and scalar("SELECT role FROM eve.feature_roles WHERE user_id = :'v1'", str(fc_id)) == "fc",
       "the feature admin makes an fc, naming the account by its EVE character", st)
    for label, fields in (("make another admin", {"user_id": str(dir_id), "feature": "battle-reports", "role": "admin"}),
                          ("grant in another feature", {"user_id": str(dir_id), "feature": "battle-intel", "role": "user"})):
        fields["csrf_token"] = tok
        st, _, body = feature_admin.post("/eve/admin/roles", fields)
        ok(st == 403 and b"superadmin" in body, "a feature admin cannot %s (403)" % label, st, body[-300:])
    ok(scalar("SELECT role FROM eve.feature_roles WHERE user_id = :'v1' AND feature = 'battle-reports'",
              str(dir_id)) == "director"
       and scalar("SELECT count(*) FROM eve.feature_roles WHERE user_id = :'v1' AND feature = 'battle-intel'",
                  str(dir_id)) == "0", "... and nothing changed")
    for label, fields in (("an unknown account", {"user_id": "999999999", "feature": "battle-reports", "role": "fc"}),
                          ("an unknown feature", {"user_id": str(dir_id), "feature": "battle-ops", "role": "fc"}),
                          ("superadmin, which is never granted", {"user_id": str(dir_id), "feature": "battle-reports",
                                                                  "role": "superadmin"})):
        fields["csrf_token"] = tok
        st, _, body = feature_admin.post("/eve/admin/roles", fields)
        ok(st == 400, "granting to %s: 400" % label, st)
    entries = audit("eve.role")
    ok(len(entries) == 2 and entries[0][1] == "user:%d" % fa_id and '"admin"' in entries[0][3]
       and entries[1][0] == "t99-reports-admin" and '"fc"' in entries[1][3] and '"none"' in entries[1][2],
       "each grant is in the audit log: who, whom, before and after", entries)

    # ---- the ruleset ---------------------------------------------------------------------
    base_ids, rs = all_battles()
    ok(base_ids is not None and len(base_ids) == n_battles and rs == {
        "min_pilots": 0, "tracked_alliance_ids": [], "tracked_corporation_ids": [], "ignore_unlisted": False},
       "no ruleset saved: every battle is listed, the defaults shown", len(base_ids or []), rs)
    st, _, body = fc.get("/eve/rulesets")
    ok(st == 200 and b'action="/eve/rulesets"' not in body, "an fc sees the ruleset, without the form", st)
    tok_fc = fc.csrf("/account")
    st, _, body = fc.post("/eve/rulesets", {"csrf_token": tok_fc, "min_pilots": "50"})
    ok(st == 403 and scalar("SELECT count(*) FROM eve.rulesets") == "0" and not audit("eve.ruleset"),
       "an fc cannot save the ruleset: 403, nothing saved", st, body[-200:])
    st, _, body = anon.post("/eve/rulesets", {"min_pilots": "50"})
    ok(st == 401, "nobody signed in cannot either: 401", st)
    st, _, body = director.get("/eve/rulesets")
    ok(st == 200 and b'action="/eve/rulesets"' in body, "a director gets the form", st)
    tok_d = director.csrf("/eve/rulesets")
    st, _, body = director.post("/eve/rulesets", {"min_pilots": "50"})
    ok(st == 403 and scalar("SELECT count(*) FROM eve.rulesets") == "0", "a director without the CSRF token: 403", st)
    for bad in ({"min_pilots": "lots"}, {"min_pilots": "-1"}, {"min_pilots": "10001"},
                {"min_pilots": "5", "tracked_alliances": "Pandemic Horde"}):
        label = "bad input %s: 400" % bad
        bad["csrf_token"] = tok_d
        st, _, body = director.post("/eve/rulesets", bad)
        ok(st == 400 and scalar("SELECT count(*) FROM eve.rulesets") == "0", label, st)
    # min pilots: what an independent query keeps
    pilots = sorted(int(r[0]) for r in psql("SELECT pilots FROM eve.battles WHERE is_battle"))
    minp = pilots[len(pilots) // 2] + 1
    want = {r[0] for r in psql("SELECT id FROM eve.battles WHERE is_battle AND pilots >= :'v1'::int", minp)}
    st, h, _ = director.post("/eve/rulesets", {"csrf_token": tok_d, "min_pilots": str(minp),
                                               "tracked_alliances": "", "tracked_corporations": ""})
    ok(st == 303 and h.get("location") == "/eve/rulesets", "a director saves the ruleset: 303", st)
    ids, rs = all_battles()
    ok(ids is not None and set(ids) == want and 0 < len(ids) < n_battles and rs["min_pilots"] == minp,
       "the list keeps the %d of %d battles with at least %d pilots" % (len(want), n_battles, minp),
       len(ids or []), len(want))
    # a tracked alliance, unlisted ignored
    want_t = {r[0] for r in psql("SELECT DISTINCT b.id FROM eve.battles b JOIN eve.battle_participants p"
                                 " ON p.battle_id = b.id WHERE b.is_battle AND b.pilots >= 2"
                                 " AND p.alliance_id = :'v1'::bigint", PANDEMIC_HORDE)}
    st, _, _ = director.post("/eve/rulesets", {"csrf_token": tok_d, "min_pilots": "2",
                                               "tracked_alliances": " %s, %s " % (PANDEMIC_HORDE, PANDEMIC_HORDE),
                                               "tracked_corporations": "", "ignore_unlisted": "on"})
    ids, rs = all_battles()
    ok(st == 303 and ids is not None and set(ids) == want_t and 0 < len(ids) < n_battles
       and rs == {"min_pilots": 2, "tracked_alliance_ids": [PANDEMIC_HORDE], "tracked_corporation_ids": [],
                  "ignore_unlisted": True},
       "tracked Pandemic Horde, unlisted ignored: exactly its %d battles" % len(want_t), len(ids or []), rs)
    st, _, body = http(os.environ["BASE_URL"] + "/eve/")
    cards = len(re.findall(r'class="battle-card"', body.decode()))
    ok(st == 200 and cards == min(len(want_t), 25), "the battle page applies it too (%d cards)" % cards, st)
    st, _, d = get_json(os.environ["BASE_URL"] + "/api/v1/battles/" + sorted(set(base_ids) - want_t)[0])
    ok(st == 200, "a battle left out of the list stays reachable at its address", st)
    entries = audit("eve.ruleset")
    ok(len(entries) == 2 and entries[0][0] == "t99-director" and entries[0][2] == ""
       and '"min_pilots":%d' % minp in entries[0][3].replace(" ", "")
       and '"ignore_unlisted":true' in entries[1][3].replace(" ", ""),
       "each save is in the audit log with before and after", entries)
    st, _, body = fc.get("/eve/rulesets")
    ok(st == 200 and PANDEMIC_HORDE.encode() in body, "the ruleset page shows what was saved", st)
    director.post("/eve/rulesets", {"csrf_token": tok_d, "min_pilots": "0"})
    ids, _ = all_battles()
    ok(ids is not None and len(ids) == n_battles, "an empty ruleset lists every battle again")

    # ---- battle reports not public: a worker with EVE_BATTLE_REPORTS_ACCESS=granted ----
    tmp = tempfile.mkdtemp(prefix="t99-access-")
    sock = os.path.join(tmp, "fcgi.sock")
    env = dict(os.environ, EVE_BATTLE_REPORTS_ACCESS="granted")
    env.pop("EVE_SSO_CLIENT_ID", None)  # and EVE SSO not configured
    log = open(os.path.join(os.environ.get("GW_RUN", tmp), "log", "t99-access-pool.log"), "ab")
    pool = subprocess.Popen([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--listen", "unix:" + sock, "--workers", "1"]
                            + (["--allow-root"] if os.geteuid() == 0 else []), env=env, stdout=log, stderr=log)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)

        def fcgi(uri, cookie=None):
            cgi = dict(env, REQUEST_METHOD="GET", REQUEST_URI=uri, SCRIPT_NAME="", QUERY_STRING=uri.partition("?")[2],
                       SERVER_PROTOCOL="HTTP/1.1", REMOTE_ADDR="192.0.2.7")
            if cookie:
                cgi["HTTP_COOKIE"] = cookie
            p = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=cgi, capture_output=True, timeout=20)
            head, _, body = p.stdout.partition(b"\r\n\r\n")
            m = re.search(r"^Status: (\d+)", head.decode("latin-1"), re.M)
            fcgi.body = body
            return int(m.group(1)) if m else 200
        fc_cookie = "gw_session=" + fc.cookie("gw_session")
        nobody_cookie = "gw_session=" + nobody.cookie("gw_session")
        ok(fcgi("/api/v1/battles") == 401, "granted reports: anonymous 401")
        ok(fcgi("/api/v1/battles", nobody_cookie) == 403, "granted reports: an account without a grant 403")
        ok(fcgi("/api/v1/battles", fc_cookie) == 200, "granted reports: an fc 200")
        ok(fcgi("/api/v1/killmails/stream") == 401 and fcgi("/api/v1/killmails/stream", fc_cookie) == 503,
           "granted reports: the stream is 401 anonymously and 503 for a reader (poll instead)")
        ok(fcgi("/login") == 200 and b'href="/auth/steam"' in fcgi.body and b"/auth/eve" not in fcgi.body,
           "without EVE_SSO_CLIENT_ID /login offers Steam only")
        ok(fcgi("/auth/eve") == 500 and b"EVE_SSO_CLIENT_ID is not set" in fcgi.body,
           "... and /auth/eve says EVE sign-in is not configured", fcgi.body[-300:])
    finally:
        pool.terminate()
        pool.wait(timeout=20)
        log.close()
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
finally:
    psql("DELETE FROM eve.rulesets")
    if empty:
        psql("TRUNCATE %s RESTART IDENTITY" % ", ".join(eve_tables()))
done()
