"""check_live: the live page's in-place updates, stale banner and fallback,
in headless Chromium through chromedriver's WebDriver HTTP API (stdlib only).
See check-live.sh."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from gwtest import DATA, done, get_json, ok, poll_file  # noqa: E402

BASE = os.environ["BASE_URL"]
CAP_A = os.path.join(DATA, "msl-api-v1", "2024-10-25_lobby-7.json")
CAP_B = os.path.join(DATA, "msl-api-v1", "2024-10-25_lobby-7-hidden.json")
chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
driver_bin = shutil.which("chromedriver")
if not chromium or not driver_bin:
    ok(False, "chromium and chromedriver are installed (apt-get install chromium chromium-driver)")
    done()

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
profile = tempfile.mkdtemp(prefix="gw-live-")
drv = subprocess.Popen([driver_bin, "--port=%d" % port], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
WD = "http://127.0.0.1:%d" % port


def wd(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(WD + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}").get("value")


for _ in range(100):
    try:
        wd("GET", "/status")
        break
    except OSError:
        time.sleep(0.1)
sid = None
try:
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

    def card_texts():
        return js("var o = {}; document.querySelectorAll('[data-session-id]').forEach(function (c) {"
                  " o[c.getAttribute('data-session-id')] = c.textContent.replace(/\\s+/g, ' ').trim(); });"
                  " return o;")

    rc, out = poll_file(CAP_A)
    ok(rc == 0, "seed: poll %s" % os.path.basename(CAP_A), out)
    a = get_json(BASE + "/api/v1/sessions/current")[2]
    wd("POST", "/session/%s/url" % sid, {"url": BASE + "/bzcc/"})
    mode = wait_js("return document.documentElement.getAttribute('data-live') === 'stream'"
                   " && document.documentElement.getAttribute('data-live');", 10)
    ok(mode == "stream", "the live page opens the stream (data-live=stream)", mode)
    js("window.__gwNoReload = 42; document.querySelectorAll('[data-session-id]').forEach("
       "function (c) { c.setAttribute('data-test-mark', 'before'); });")
    before = card_texts()
    ok(len(before) == len(a["sessions"]), "one card per session (%d)" % len(before))

    rc, out = poll_file(CAP_B)
    ok(rc == 0, "poll %s (a changed lobby)" % os.path.basename(CAP_B), out)
    b = get_json(BASE + "/api/v1/sessions/current")[2]

    def shown(s):
        return {k: v for k, v in s.items() if k not in ("last_seen_at",)}
    old = {s["id"]: shown(s) for s in a["sessions"]}
    new = {s["id"]: shown(s) for s in b["sessions"]}
    changed = [i for i in new if i in old and old[i] != new[i]]
    same = [i for i in new if i in old and old[i] == new[i]]
    ok(changed, "the second capture changes a live session", list(old)[:3])
    if changed:
        cid = changed[0]
        got = wait_js("var c = document.querySelector('[data-session-id=\"' + arguments[0] + '\"]');"
                      " return c && c.textContent.replace(/\\s+/g, ' ').trim() !== arguments[1];", 10,
                      cid, before.get(cid, ""))
        ok(got, "the changed session's card updates within 10 s of the poll", cid)
        ok(js("return window.__gwNoReload === 42;"), "without a reload of the page")
        after = card_texts()
        ok(set(after) == set(new), "the cards are the new lobby's sessions", sorted(after), sorted(new))
        if same:
            kept = js("var c = document.querySelector('[data-session-id=\"' + arguments[0] + '\"]');"
                      " return c && c.getAttribute('data-test-mark');", same[0])
            ok(kept == "before", "an unchanged card is the same element (updated in place, not re-rendered)",
               kept)
    # the stale banner: nothing is polled for 30 s
    t0 = time.monotonic()
    stale = wait_js("return document.documentElement.getAttribute('data-live-stale') === '1'"
                    " && !!document.querySelector('.stale-banner');", 40)
    ok(stale and time.monotonic() - t0 >= 20,
       "the stale banner shows when no event came for 30 s (after %.0f s)" % (time.monotonic() - t0))
    rc, out = poll_file(CAP_A)
    gone = wait_js("return !document.documentElement.getAttribute('data-live-stale')"
                   " && !document.querySelector('#live-stale');", 12)
    ok(gone, "the next event takes the banner away")

    # fallback: the stream blocked, the page polls the JSON API
    wd("POST", "/session/%s/goog/cdp/execute" % sid, {"cmd": "Network.enable", "params": {}})
    wd("POST", "/session/%s/goog/cdp/execute" % sid,
       {"cmd": "Network.setBlockedURLs", "params": {"urls": ["*/api/v1/stream/*"]}})
    wd("POST", "/session/%s/url" % sid, {"url": BASE + "/bzcc/"})
    mode = wait_js("return document.documentElement.getAttribute('data-live') === 'poll'"
                   " && document.documentElement.getAttribute('data-live');", 15)
    ok(mode == "poll", "with the stream blocked the page polls the JSON API (data-live=poll)", mode)
    js("window.__gwNoReload = 43;")
    before = card_texts()
    rc, out = poll_file(CAP_B)
    b = get_json(BASE + "/api/v1/sessions/current")[2]
    got = wait_js("var ids = Array.prototype.map.call(document.querySelectorAll('[data-session-id]'),"
                  " function (c) { return c.getAttribute('data-session-id'); });"
                  " return JSON.stringify(ids.sort()) === JSON.stringify(arguments[0].sort());", 15,
                  [s["id"] for s in b["sessions"]])
    changed_any = card_texts() != before
    ok(got and changed_any and js("return window.__gwNoReload === 43;"),
       "polling, the cards follow the changed lobby without a reload")
finally:
    if sid:
        try:
            wd("DELETE", "/session/" + sid)
        except OSError:
            pass
    drv.terminate()
    try:
        drv.wait(10)
    except subprocess.TimeoutExpired:
        drv.kill()
    shutil.rmtree(profile, ignore_errors=True)
done()
