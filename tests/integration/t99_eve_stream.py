"""t99: the live kill feed, /api/v1/killmails/stream, on real killmails.

eve-import publishes what it commits (store/eve-live.h); gamewatch-stream
serves it as the rooms "killmails" and "killmails:<space type>"; the page
workers answer /api/v1/killmails/stream with a 307 to the room.

* The snapshot is the newest kills exactly as /api/v1/killmails/recent
  lists them (the polling fallback), nulls left out.
* A newly imported real killmail (the RedisQ package of killmail
  110946162, wormhole space, tests/data/eve/redisq) arrives as a merge patch
  that adds it, in the "killmails" room and the "killmails:jspace" room;
  the lowsec one after it only in the first. Importing a file again stores
  nothing new and sends no event. Last-Event-ID resumes with the patches
  missed. Through Apache's mod_proxy_fcgi too.
* The recent-kills page in headless Chromium: the stream draws a new kill
  without a reload; with the stream blocked it polls the JSON API and still
  shows the next kill."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

from gwtest import APACHE_URL, BASE_URL, SRCDIR, Browser, done, get_json, job, ok, psql, scalar
from sse import Client, merge_apply

EVE = os.path.join(SRCDIR, "tests", "data", "eve")
POCHVEN = os.path.join(EVE, "killmails", "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")
WSPACE = os.path.join(EVE, "redisq", "redisq_package_110946162_wspace_2023-08-12.json")
LOWSEC = os.path.join(EVE, "redisq", "redisq_package_110956448_lowsec_2023-08-12.json")


def eve_tables():
    return [r[0] for r in psql("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                               " WHERE schemaname = 'eve' ORDER BY 1")]


def strip_nulls(v):
    if isinstance(v, dict):
        return {k: strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip_nulls(x) for x in v]
    return v


def room_url(query=""):
    st, h, _ = Browser().get("/api/v1/killmails/stream" + query)
    return st, h.get("location", "")


def forget_lowsec():
    """Take killmail 110956448 out again, so that it can be imported anew."""
    for t in ("eve.battle_killmails", "eve.attackers", "eve.killmails", "eve.killmail_ids"):
        psql("DELETE FROM %s WHERE killmail_id = 110956448" % t)


def events(c, kind):
    return [e for e in c.events if e.get("event") == kind]


empty = scalar("SELECT NOT EXISTS (SELECT 1 FROM eve.killmail_ids) AND NOT EXISTS (SELECT 1 FROM eve.systems)") == "t"
clients = []
try:
    if scalar("SELECT count(*) FROM eve.killmail_ids WHERE killmail_id IN (110946162, 110956448)") != "0":
        psql("TRUNCATE %s RESTART IDENTITY" % ", ".join(eve_tables()))
    rc, out = job("eve-static")
    ok(rc == 0, "eve-static", out[-300:])
    rc, out = job("eve-import", POCHVEN)
    ok(rc == 0 and " 0 rejected" in out, "eve-import the Pochven day", out[-300:])

    # ---- the redirect and the snapshot ----------------------------------------------
    st, loc = room_url()
    ok(st == 307 and loc == "/api/v1/stream/rooms/killmails", "GET /api/v1/killmails/stream: 307 to the room", st, loc)
    st, jloc = room_url("?space_type=jspace")
    ok(st == 307 and jloc == "/api/v1/stream/rooms/killmails:jspace", "... with space_type: its room", st, jloc)
    st, _ = room_url("?space_type=wspace")
    ok(st == 400, "an unknown space_type: 400", st)
    c = Client(BASE_URL + loc)
    j = Client(BASE_URL + jloc)
    clients += [c, j]
    ok(c.status == 200 and c.headers.get("content-type", "").startswith("text/event-stream"),
       "the room answers 200 text/event-stream", c.status, c.headers)
    c.wait(lambda x: events(x, "snapshot"), 10)
    j.wait(lambda x: events(x, "snapshot"), 10)
    snap = events(c, "snapshot")[0] if events(c, "snapshot") else {"json": {}, "id": "0"}
    doc = snap["json"]
    st, _, recent = get_json(BASE_URL + "/api/v1/killmails/recent?limit=50")
    ok(doc.get("order") == [k["killmail_id"] for k in recent["killmails"]] and len(doc["order"]) == 50,
       "the snapshot: the 50 newest kills, as /api/v1/killmails/recent lists them", doc.get("order", [])[:3])
    differ = [(doc["killmails"].get(k["killmail_id"]), strip_nulls(k)) for k in recent["killmails"]
              if doc["killmails"].get(k["killmail_id"]) != strip_nulls(k)]
    ok(not differ, "each kill as the polling feed has it, nulls left out", *differ[:2])
    jdoc = events(j, "snapshot")[0]["json"] if events(j, "snapshot") else {}
    ok(all(jdoc["killmails"][i]["space_type"] == "jspace" for i in jdoc.get("order", [])),
       "the jspace room holds only wormhole kills (%d now)" % len(jdoc.get("order", [])))

    # ---- a new real killmail -------------------------------------------------------------
    rc, out = job("eve-import", WSPACE)
    ok(rc == 0 and " 1 new" in out, "eve-import the RedisQ package of killmail 110946162", out[-300:])
    got = c.wait(lambda x: [e for e in events(x, "patch") if "110946162" in (e["json"] or {}).get("killmails", {})], 10)
    patch = got[0] if got else {"json": {}, "id": "0"}
    ok(got and patch["json"]["order"][0] == "110946162" and int(patch["id"]) > int(snap["id"]),
       "the stream delivers the new kill as a patch, newest first, with a later event id", patch.get("json", {}).get("order", [])[:2])
    st, _, recent = get_json(BASE_URL + "/api/v1/killmails/recent?limit=1")
    k = recent["killmails"][0]
    ok(k["killmail_id"] == "110946162" and patch["json"]["killmails"]["110946162"] == strip_nulls(k)
       and k["space_type"] == "jspace" and k["isk"] == "422152306.43",
       "the kill in the patch is the one the polling feed shows (wormhole space, its zKillboard value)",
       patch["json"].get("killmails", {}).get("110946162"), k)
    after = merge_apply(doc, patch["json"])
    ok(after["order"][1:] == doc["order"][:49] and len(after["killmails"]) == 50,
       "applied to the snapshot, the patch gives the new newest 50")
    got = j.wait(lambda x: [e for e in events(x, "patch") if "110946162" in (e["json"] or {}).get("killmails", {})], 10)
    ok(got, "the jspace room gets it too")

    n_events = len(c.events)
    rc, out = job("eve-import", WSPACE)
    ok(rc == 0 and " 0 new" in out and " 1 duplicate" in out, "importing it again stores nothing", out[-200:])
    c.wait(lambda x: len(x.events) > n_events, 3)
    ok(len(c.events) == n_events, "... and sends no event")

    rc, out = job("eve-import", LOWSEC)
    ok(rc == 0 and " 1 new" in out, "eve-import the lowsec kill 110956448", out[-200:])
    got = c.wait(lambda x: [e for e in events(x, "patch") if "110956448" in (e["json"] or {}).get("killmails", {})], 10)
    ok(got, "the killmails room delivers it")
    j.wait(lambda x: len(events(x, "patch")) >= 2, 5)
    ok(not any("110956448" in (e["json"] or {}).get("killmails", {}) for e in events(j, "patch")),
       "the jspace room does not")

    # ---- resume, and Apache ---------------------------------------------------------------
    r = Client(BASE_URL + loc, headers={"Last-Event-ID": snap["id"]})
    clients.append(r)
    r.wait(lambda x: len(x.events) >= 2, 10)
    ok(r.events and r.events[0].get("event") == "patch" and "110946162" in r.events[0]["json"].get("killmails", {})
       and not events(r, "snapshot"),
       "Last-Event-ID of the snapshot: the missed patches, no new snapshot", [e.get("event") for e in r.events])
    if APACHE_URL:
        a = Client(APACHE_URL + loc)
        clients.append(a)
        a.wait(lambda x: events(x, "snapshot"), 10)
        ok(a.status == 200 and events(a, "snapshot") and events(a, "snapshot")[0]["json"]["order"][0] == "110956448",
           "through Apache mod_proxy_fcgi too", a.status)

    # ---- the page in headless Chromium ------------------------------------------------------
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    ok(chromium and driver_bin, "chromium and chromedriver are installed")
    if chromium and driver_bin:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        profile = tempfile.mkdtemp(prefix="t99-eve-kills-")
        drv = subprocess.Popen([driver_bin, "--port=%d" % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        WD = "http://127.0.0.1:%d" % port

        def wd(method, path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(WD + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        sid = None
        try:
            for _ in range(100):
                try:
                    wd("GET", "/status")
                    break
                except OSError:
                    time.sleep(0.1)
            sid = wd("POST", "/session", {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", "--user-data-dir=" + profile]}}}})["sessionId"]

            def js(script, *args):
                return wd("POST", "/session/%s/execute/sync" % sid, {"script": script, "args": list(args)})

            def wait_js(script, timeout, *args):
                end = time.monotonic() + timeout
                while time.monotonic() < end:
                    v = js(script, *args)
                    if v:
                        return v
                    time.sleep(0.2)
                return js(script, *args)

            def newest_row():
                return js("var r = document.querySelector('.kills-table tbody tr');"
                          " return r && r.getAttribute('data-killmail-id');")

            # the stream: a kill imported while the page is open appears, marked new
            forget_lowsec()
            rc, out = job("eve-cluster", "--full")  # publishes the feed again, without it
            ok(rc == 0, "eve-cluster --full republishes the feed", out[-200:])
            wd("POST", "/session/%s/url" % sid, {"url": BASE_URL + "/eve/kills"})
            mode = wait_js("return document.documentElement.getAttribute('data-kills') === 'stream'"
                           " && 'stream';", 10)
            ok(mode == "stream", "/eve/kills follows the stream (data-kills=stream)", mode)
            ok(newest_row() == "110946162", "the table is drawn from the stream's snapshot", newest_row())
            js("window.__noReload = 7;")
            rc, out = job("eve-import", LOWSEC)
            got = wait_js("var r = document.querySelector('tr[data-killmail-id=\"110956448\"]');"
                          " return r && r.classList.contains('kill-row--new') && r.textContent;", 10)
            ok(rc == 0 and got and newest_row() == "110956448" and js("return window.__noReload === 7;"),
               "a kill imported meanwhile appears on top, marked new, without a reload", got)
            ok(js("return document.querySelectorAll('.kills-table tbody tr.kill-row').length;") == 50,
               "still 50 rows")
            # the fallback: stream blocked, the page polls /api/v1/killmails/recent
            forget_lowsec()
            wd("POST", "/session/%s/goog/cdp/execute" % sid, {"cmd": "Network.enable", "params": {}})
            wd("POST", "/session/%s/goog/cdp/execute" % sid, {"cmd": "Network.setBlockedURLs", "params": {
                "urls": ["*/api/v1/stream/*", "*/api/v1/killmails/stream*"]}})
            wd("POST", "/session/%s/url" % sid, {"url": BASE_URL + "/eve/kills"})
            mode = wait_js("return document.documentElement.getAttribute('data-kills') === 'poll' && 'poll';", 15)
            ok(mode == "poll", "with the stream blocked the page polls (data-kills=poll)", mode)
            js("window.__noReload = 8;")
            rc, out = job("eve-import", LOWSEC)
            got = wait_js("return !!document.querySelector('tr[data-killmail-id=\"110956448\"]');", 15)
            ok(rc == 0 and got and js("return window.__noReload === 8;"),
               "polling shows the next kill within 10 s, without a reload", got)
        finally:
            if sid:
                try:
                    wd("DELETE", "/session/%s" % sid)
                except OSError:
                    pass
            drv.terminate()
            drv.wait(timeout=10)
            shutil.rmtree(profile, ignore_errors=True)
finally:
    for cl in clients:
        cl.close()
    if empty:
        psql("TRUNCATE %s RESTART IDENTITY" % ", ".join(eve_tables()))
done()
