"""check_bzcc_cards.py (run by tests/e2e/check-bzcc-cards.sh): the live
lobby's cards in headless Chromium with issue 9's new rows: a strategy, an
MPI, a deathmatch and a hidden-player card.

Seeds one poll of both sources (lobbyfix.py): the IonDriver capture as the
RakNet answer, fresh (its "Host SEige" strategy game given a 45-minute time
limit; "Cannon Fodder's MPI")
and an MSL API 1.0 answer made of two real ones (2025-04-05 dm: "Friday!";
2024-09-11 hidden player: "bz2vsr" with Sev hidden), fresh, pictures
pointed at the enrichment fixture; then enrich and mirror (so the cards
show mirrored pictures). For each card: the DOM has the rules row, the
join row (or the locked/password flags), the last-update line, copy
buttons, and for the hidden player the "hidden" label; a screenshot
tests/e2e/bzcc-card-<kind>.png (gitignored) is taken."""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.environ["SRCDIR"], "tests", "integration"))
from enrichtest import Fixture, run  # noqa: E402
from gwtest import BASE_URL, DATA, SRCDIR, done, job, load, ok  # noqa: E402
from lobbyfix import LobbyServer  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)
if not CHROMIUM:
    ok(False, "chromium is installed (apt-get install chromium)")
    done()

now = (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z")
fx = Fixture()
raknet = load(os.path.join(DATA, "lobby",
                           "iondriver-proxy_2024-09-15_Nielk1-MultiplayerSessionList-mock.json"))
raknet["proxyStatus"]["Rebellion"]["updated"] = now
for g in raknet["GET"]:
    if g["g"] == "BwHUzL2@Wg":  # "Host SEige", team strategy
        g["ti"] = 45
dm = load(os.path.join(DATA, "msl-api-v1", "2025-04-05_dm.json"))
hidden = load(os.path.join(DATA, "msl-api-v1", "2024-09-11_data-hidden-player.json"))
msl = dm
msl["Metadata"]["ListServer"]["Rebellion"]["Timestamp"] = now
msl["Sessions"] = dm["Sessions"] + hidden["Sessions"]
msl["Mods"].update(hidden["Mods"])
for kind in ("Steam", "Gog"):
    msl["DataCache"]["Players"]["IDs"].setdefault(kind, {}).update(
        hidden["DataCache"]["Players"]["IDs"].get(kind, {}))
text = json.dumps(msl).replace("https://gamelistassets.iondriver.com/bzcc/", fx.base + "/bzcc/")
text = re.sub(r"https://avatars\.steamstatic\.com/([0-9a-f]+_full\.jpg)",
              fx.base + r"/steam-avatars/\1", text)
lobby = LobbyServer()
lobby.set("/lobbyServer", json.dumps(raknet).encode())
lobby.set("/api/1.0/sessions", text.encode())
rc, out = job("poll-bzcc", "--once", env={"RAKNET_URL": lobby.url("/lobbyServer"),
                                           "MSL_URL": lobby.url("/api/1.0/sessions")})
ok(rc == 0 and "(raknet+msl-v1)" in out, "seed: one poll of both sources", out)
lobby.close()
rc, out = run("enrich", fx, "--once")
rc2, out2 = run("mirror", fx, "--once")
ok(rc == 0 and rc2 == 0, "seed: enrich and mirror against the fixture", out[-400:], out2[-400:])
fx.stop()

profile = tempfile.mkdtemp()


# No --virtual-time-budget: the live page holds an EventSource open
# (live.js), and virtual time does not run out while a request is pending,
# so Chromium would wait for its 90 s timeout. --dump-dom and --screenshot
# already wait for the load event, after which lobby.js has run.
def chrome(*args):
    return subprocess.run(["timeout", "-k", "5", "90", CHROMIUM, "--headless", "--no-sandbox",
                           "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                           "--user-data-dir=" + profile] + list(args),
                          capture_output=True, timeout=120)


CARDS = [  # kind, filter, what its card must show
    ("strategy", "Host SEige", ["Time limit", "45 min", "Kill limit"]),
    ("mpi", "Cannon Fodder's MPI", ["Humans", "Time limit"]),
    ("dm", "Friday!", ["Respawn", "Any", "Join"]),
    ("hidden", "bz2vsr", ["Hidden players", "hidden</span>", "Join"]),
]
for kind, q, want in CARDS:
    url = BASE_URL + "/bzcc/?q=" + urllib.parse.quote(q)
    p = chrome("--dump-dom", url)
    dom = p.stdout.decode("utf-8", "replace")
    cards = re.findall(r'<article class="session-card.*?</article>', dom, re.S)
    card = cards[0] if cards else ""
    missing = [w for w in want if w not in card]
    ok(len(cards) == 1 and not missing, "%s card: %s" % (kind, ", ".join(want)), missing,
       "%d cards" % len(cards))
    buttons = re.findall(r'<button[^>]*class="copy copy--mini"[^>]*>', card)
    rows = {
        "rules row": 'class="rules"' in card and 'class="rule"' in card,
        "last update": 'class="card-updated"' in card,
        "join or access flags": 'btn--join' in card or "flag--password" in card or "flag--locked" in card,
        "copy buttons shown by lobby.js": bool(buttons) and not any(
            re.search(r"\shidden(=|\s|>)", b) for b in buttons),
        "names isolated": "<bdi>" in card,
        # (VSR: Phazon has no picture anywhere: its seed image is
        # ".../undefined" and its MSL one "nomap.png"; the fixture has no
        # record of the MPI's map: both show the placeholder)
        "mirrored picture": 'src="/assets/bzcc/map/' in card or kind in ("hidden", "mpi"),
    }
    ok(all(rows.values()), "%s card: %s" % (kind, ", ".join(k for k in rows)),
       *["missing: " + k for k, v in rows.items() if not v])
    shot = os.path.join(SRCDIR, "tests", "e2e", "bzcc-card-%s.png" % kind)
    if os.path.exists(shot):
        os.unlink(shot)
    p = chrome("--screenshot=" + shot, "--window-size=900,1250", url)
    good = os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    ok(good, "%s card: screenshot %s (%d bytes)" % (kind, os.path.basename(shot),
                                                    os.path.getsize(shot) if good else 0),
       p.stderr[-300:])
done()
