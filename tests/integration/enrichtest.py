"""enrichtest: helpers for the enrichment and mirror tests (t6x): the local
upstream fixture (tests/fixtures/upstream.py, started on a free loopback
port and stopped by its PID), the job environment pointing every upstream
at it, and content checks of the assets tree. python3 stdlib only."""
import atexit
import glob
import hashlib
import json
import os
import subprocess
import time
import urllib.request

from gwtest import DATA, SRCDIR, job, psql, scalar

GW_RUN = os.environ.get("GW_RUN", "/tmp")
ASSETS_ROOT = os.path.join(GW_RUN, "var", "lib", "gamewatch", "assets")
QUARANTINE = os.path.join(GW_RUN, "var", "lib", "gamewatch", "assets-quarantine")
STEAM_KEY = "fixture-steam-key"
MSL = sorted(glob.glob(os.path.join(DATA, "msl-api-v1", "*.json")))
LIVE_CAPTURE = os.path.join(DATA, "msl-api-v1", "2024-09-11_data-hidden-player.json")
GOG_CAPTURE = os.path.join(DATA, "msl-api-v1", "2024-09-12_data-gog.json")

_procs = []


def _stop_all():
    for p in _procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


atexit.register(_stop_all)


class Fixture:
    """One upstream.py process on a free 127.0.0.1 port."""

    def __init__(self, role="upstream", **opts):
        tag = "%s-%d-%d" % (role, os.getpid(), len(_procs))
        self.port_file = os.path.join(GW_RUN, "log", "fixture-%s.port" % tag)
        self.log = open(os.path.join(GW_RUN, "log", "fixture-%s.log" % tag), "w")
        args = ["python3", os.path.join(SRCDIR, "tests", "fixtures", "upstream.py"),
                "--port-file", self.port_file, "--role", role]
        for k, v in opts.items():
            args += ["--" + k.replace("_", "-"), v]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        _procs.append(self.proc)
        for _ in range(200):
            if os.path.exists(self.port_file):
                break
            if self.proc.poll() is not None:
                raise RuntimeError("fixture exited: see %s" % self.log.name)
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.base = "http://127.0.0.1:%d" % self.port

    def _req(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def faults(self, rules):
        return self._req("/__faults", rules)

    def reset(self):
        return self._req("/__reset", {})

    def hits(self, match=""):
        return self._req("/__hits?match=" + urllib.request.quote(match))["count"]

    def requests(self, match=""):
        return self._req("/__hits?match=" + urllib.request.quote(match))["requests"]

    def objects(self):
        return self._req("/__objects")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)


def job_env(fx, **extra):
    """Every upstream at the fixture, short timeouts, the real schedule."""
    env = {
        "VSR_MAPLIST_URL": fx.base + "/vsrmaplist.json",
        "GETDATA_ENDPOINT_BASE": fx.base + "/bzcc/",
        "STEAM_API_BASE": fx.base,
        "STEAM_API_KEY": STEAM_KEY,
        "GOG_API_BASE": fx.base + "/gog",
        "GW_FETCH_TIMEOUT_MS": "1000",
        "ASSETS_ROOT": ASSETS_ROOT,
        "ASSETS_QUARANTINE_DIR": QUARANTINE,
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


SANITIZER = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def run(name, fx, *args, **extra):
    """Run a job against the fixture; a sanitizer report (the ASan/UBSan
    build) is a failed check of its own."""
    rc, out = job(name, *args, env=job_env(fx, **extra))
    if any(m in out for m in SANITIZER):
        print("not ok - sanitizer report from gamewatch-job %s %s" % (name, " ".join(args)))
        for line in out.splitlines()[:40]:
            print("#   " + line)
    return rc, out


def poll_captures():
    """All MSL captures (maps, mods and players accumulate), the GOG one
    second to last, LIVE_CAPTURE last (it stays live)."""
    order = [p for p in MSL if p not in (LIVE_CAPTURE, GOG_CAPTURE)] + [GOG_CAPTURE, LIVE_CAPTURE]
    outs = []
    for p in order:
        rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": "file://" + p})
        outs.append((rc, out))
    return outs


def magic_format(data):
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def asset_files():
    """Every regular file of the mirror's tree (ASSETS_ROOT/bzcc; other
    tests put their own files beside it)."""
    out = []
    for dirpath, _, files in os.walk(os.path.join(ASSETS_ROOT, "bzcc")):
        for f in files:
            out.append(os.path.join(dirpath, f))
    return sorted(out)


def bad_asset_files():
    """Files whose name is not <sha256 of content>.<ext of content>."""
    bad = []
    for path in asset_files():
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        want = "%s.%s" % (hashlib.sha256(data).hexdigest(), magic_format(data))
        if name != want:
            bad.append("%s (%d bytes, content %s)" % (path, len(data), want))
    return bad


def reset_breakers():
    psql("DELETE FROM enrich_breakers")


def live_sessions():
    return [r[0] for r in psql("SELECT id FROM bzcc.sessions WHERE ended_at IS NULL ORDER BY id")]
