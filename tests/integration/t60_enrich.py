"""t60: enrichment and mirroring end to end against the local upstream
fixture (built from the real records): seed list, getdata.php, Steam,
Workshop, GOG; pictures validated, content-addressed and served from our
own /assets/ by lighttpd and Apache; cards show map pictures, titles, team
names, mod names and linked players with mirrored avatars; nothing on any
page or API response points at an outside host; a second run fetches
nothing (TTL cache, fetch once); no STEAM_API_KEY skips Steam cleanly."""
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse

from enrichtest import (ASSETS_ROOT, GOG_CAPTURE, LIVE_CAPTURE, Fixture, asset_files,
                        bad_asset_files, job_env, live_sessions, poll_captures, run)
from gwtest import (BASE_URL, BUILD_DIR, DATA, SRCDIR, done, get_json, html_escape, http, load, ok, psql,
                    scalar, servers)

fx = Fixture()
outs = poll_captures()
ok(all(rc == 0 for rc, _ in outs), "seed sessions: every MSL capture polled",
   *[o for rc, o in outs if rc])

# ------------------------------------------------------------- enrich
rc, out = run("enrich", fx, "--once")
ok(rc == 0, "enrich --once exits 0", out[-3000:])
ok("enrich done" in out and " 0 failed" in out, "enrich logs a summary with no failure",
   out[-2000:])

seed = load(os.path.join(DATA, "maps", "vsrmaplist.json"))
n_seed = int(scalar("SELECT count(*) FROM bzcc.map_seed"))
ok(n_seed == len({m["File"].lower() for m in seed}), "seed: every vsrmaplist.json map stored",
   n_seed)
row = psql("SELECT name, pools, loose, author, size_text, description FROM bzcc.map_seed"
           " WHERE file_lower = 'vsr4pool'")
ok(row and row[0][:5] == ["DuneNight", "8", "245", "ExE", "2048x2048"],
   "seed: VSR facts (pools, loose scrap, author, size) of vsr4pool", row)

maps = psql("SELECT map_key, map_file FROM bzcc.maps ORDER BY map_key")
infos = {r[0]: r for r in psql("SELECT map_key, found, title, description,"
                                " array_to_string(team_names, '|'), image_url FROM bzcc.map_info")}
ok(len(maps) > 0 and all(k in infos for k, _ in maps),
   "getdata: every (map, mod) pair seen in sessions was asked", len(maps), len(infos))
lines = [l for l in out.splitlines() if re.search(r"getdata \S+: (ok|absent)", l)]
ok(len(lines) == len(maps), "getdata: one log line per item outcome", len(lines), len(maps))
# What the fixture's getdata.php answers for each map (its own reading of
# tests/data, independent of the C code): an image path relative to the
# endpoint, or none; the stored image_url must be that path resolved against
# GETDATA_ENDPOINT_BASE, and empty when the answer had no image.
sys.path.insert(0, os.path.join(SRCDIR, "tests", "fixtures"))
from upstream import Data as FixtureData  # noqa: E402
served = FixtureData(os.path.join(SRCDIR, "tests", "data", "bzcc")).maps
def _missing(img):
    """The image values that mean "no picture" (fault 9 of issue 9:
    modules/bzcc/domain/facts.c bzcc_image_value_missing): none, "null",
    "undefined", or the MSL/getdata placeholder nomap.png."""
    last = (img or "").strip().rsplit("/", 1)[-1].lower()
    return last in ("", "null", "none", "nil", "undefined", "nomap.png")


want_img = {k: fx.base + "/bzcc/" + served[f.lower()]["image"]
            if not _missing(served.get(f.lower(), {}).get("image")) else None for k, f in maps}
bad_img = ["%s: stored %r, want %r" % (k, infos[k][5], want_img[k])
           for k in want_img if k in infos and (infos[k][5] or None) != want_img[k]]
ok(sum(1 for v in want_img.values() if v) > 0 and not bad_img,
   "getdata: relative image paths resolved against GETDATA_ENDPOINT_BASE (%d with an image)"
   % sum(1 for v in want_img.values() if v), *bad_img)

reg = load(os.path.join(DATA, "getdata-derived", "vt-stats_map-registry.json"))
vsr4 = load(os.path.join(DATA, "getdata-derived", "vt-stats_vsr4pool.json"))
checked = 0
mismatch = []
for key, f in maps:
    rec = reg.get(f.lower())
    if not rec:
        continue
    checked += 1
    i = infos[key]
    if i[1] != "t" or i[2] != rec["title"]:
        mismatch.append((key, i[2], rec["title"]))
ok(checked > 0 and not mismatch, "getdata: titles equal the real records (%d maps)" % checked,
   *mismatch)
bad_desc = [k for k, i in infos.items() if i[3] and ("\ufeff" in i[3] or "\r" in i[3]
                                                      or "\n" in i[3] or "<script" in i[3])]
ok(not bad_desc, "getdata: descriptions stored sanitized (no BOM, CR, LF, script)", *bad_desc)
domain = [i for k, i in infos.items() if k.endswith(":vsrdomain")]
nv = reg["vsrdomain"]["net_vars"]
ok(domain and domain[0][4] == "%s|%s" % (nv["svar1"], nv["svar2"]),
   "getdata: team names from netVars svar1/svar2 of a teamplay map (vsrdomain)", domain)
no_tp = [i for k, i in infos.items() if k.endswith(":ctf1")]
ok(no_tp and no_tp[0][4] in ("", None), "getdata: no team names without netVars", no_tp)
desc = scalar("SELECT description FROM bzcc.map_info WHERE map_key LIKE '%:vsr4pool'")
if desc is not None:
    ok(desc.startswith("DuneNight<br><br>Smallish map."),
       "getdata: vsr4pool description BOM dropped, CRLF became <br>", desc[:80])

mods = dict(psql("SELECT mod_id, coalesce(name, workshop_title) FROM bzcc.mod_info"))
msl_mods = {}
for p in [LIVE_CAPTURE, GOG_CAPTURE]:
    msl_mods.update(load(p)["Mods"])
ok(mods.get("1325933293") == "Vet Strat Recycler Variant",
   "getdata/workshop: VSR mod name from the real record", mods.get("1325933293"))
ws = psql("SELECT mod_id, workshop_title, workshop_preview_url FROM bzcc.mod_info"
          " WHERE workshop_found")
ok(len(ws) > 0 and all(r[1] for r in ws), "workshop: titles stored for known mods", len(ws))
reqs = fx.requests("GetPublishedFileDetails")
ok(reqs and all(r["method"] == "POST" for r in reqs), "workshop: GetPublishedFileDetails is a POST")

steam_ids = {r[0] for r in psql("SELECT external_id FROM identities WHERE provider = 'steam'")}
profiles = {r[0]: r for r in psql("SELECT external_id, found, nickname, avatar_url FROM"
                                   " player_profiles WHERE provider = 'steam'")}
ok(steam_ids and steam_ids <= set(profiles), "steam: every Steam identity has a profile row",
   len(steam_ids), len(profiles))
cache = {}
for p in sorted(os.listdir(os.path.join(DATA, "msl-api-v1"))):
    cache.update(load(os.path.join(DATA, "msl-api-v1", p))["DataCache"]["Players"]["IDs"]
                 .get("Steam", {}))
named = [(i, profiles[i][2], cache[i]["Nickname"]) for i in steam_ids if i in cache]
ok(named and all(a == b for _, a, b in named),
   "steam: nicknames equal the captures' real ones (%d players)" % len(named),
   *[n for n in named if n[1] != n[2]][:5])
batches = fx.requests("GetPlayerSummaries")
sizes = [len(urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)["steamids"][0]
             .split(",")) for r in batches]
ok(batches and max(sizes) <= 100 and sum(sizes) == len(steam_ids),
   "steam: batched, at most 100 ids a request", sizes)
ok("fixture-steam-key" not in out, "steam: the API key never appears in the log")
gog_cap = load(GOG_CAPTURE)["DataCache"]["Players"]["IDs"]["Gog"]
# (other captures' GOG players have profiles too: MSL relays them, issue 9)
gog = [g for g in psql("SELECT external_id, nickname, profile_url FROM player_profiles"
                       " WHERE provider = 'gog' ORDER BY external_id") if g[0] in gog_cap]
ok(gog and gog[0][1] == gog_cap[gog[0][0]]["Username"] and fx.hits("/gog/users/" + gog[0][0]),
   "gog: profile from the GOG users API", gog)

# ------------------------------------------------------------- mirror
# two mods' getdata image and mod.png missing: the Workshop preview is next
fx.faults([{"match": "/bzcc/mods/1325933293/mod.png", "mode": "404"},
           {"match": "/bzcc/mods/1329659846/mod.png", "mode": "404"}])
rc, mout = run("mirror", fx, "--once")
ok(rc == 0, "mirror --once exits 0", mout[-3000:])
ok("mirror done" in mout and " 0 rejected" in mout, "mirror: summary, nothing rejected",
   mout[-1500:])
assets = psql("SELECT sha256, ext, path, width, height, bytes, storage FROM assets")
ok(len(assets) > 0, "mirror: assets recorded", len(assets))
files = asset_files()
ok(len(files) == len(assets), "mirror: one file per asset row", len(files), len(assets))
ok(not bad_asset_files(), "mirror: every file is named <sha256 of content>.<format of content>",
   *bad_asset_files()[:5])
bad_paths = [a for a in assets if not re.match(r"^bzcc/(map|mod|avatar)/%s\.%s$" % (a[0], a[1]),
                                                  a[2])]
ok(not bad_paths, "mirror: paths are bzcc/<kind>/<sha>.<ext>", *bad_paths[:3])
fmts = {a[1] for a in assets}
ok(fmts >= {"png", "jpg", "gif", "webp"}, "mirror: PNG, JPEG, GIF and WebP pictures stored",
   sorted(fmts))
vsr = psql("SELECT via FROM asset_links WHERE entity_kind = 'mod'"
           " AND entity_key IN ('1325933293', '1329659846')")
ok(len(vsr) == 2 and all(v[0] == "workshop" for v in vsr),
   "mirror: mod.png 404 -> Workshop preview used", vsr)
# real broken references: vsrphazon's seed image is ".../bzcc/undefined" and
# its MSL level image "nomap.png"; both 404 here
ph = psql("SELECT l.via, l.sha256 IS NULL, q.reason FROM asset_links l"
          " JOIN curation_queue q ON q.entity_kind = l.entity_kind AND q.entity_key = l.entity_key"
          " WHERE l.entity_kind = 'map' AND l.entity_key = '1325933293:vsrphazon'"
          " AND q.resolved_at IS NULL")
ok(ph and ph[0][0] == "placeholder" and ph[0][1] == "t",
   "mirror: no usable source -> placeholder and a curation-queue entry", ph)
fx.faults([])
seed_first = psql("SELECT l.via FROM asset_links l JOIN bzcc.maps m ON m.map_key = l.entity_key"
                  " WHERE l.entity_kind = 'map' AND lower(m.map_file) = 'vsrdomain'")
ok(seed_first and seed_first[0][0] == "seed", "mirror: seed list image preferred for maps",
   seed_first)
img_hits = {}
for r in fx.requests("/bzcc/assets/") + fx.requests("avatars/") + fx.requests("/ugc/"):
    img_hits[r["path"]] = img_hits.get(r["path"], 0) + 1
ok(img_hits and max(img_hits.values()) == 1, "mirror: every picture URL fetched once",
   [p for p, n in img_hits.items() if n > 1][:5])
links = psql("SELECT entity_kind, count(*) FILTER (WHERE sha256 IS NOT NULL), count(*)"
             " FROM asset_links GROUP BY 1 ORDER BY 1")
ok(any(r[0] == "avatar" and int(r[1]) > 0 for r in links) and
   any(r[0] == "map" and int(r[1]) > 0 for r in links) and
   any(r[0] == "mod" and int(r[1]) > 0 for r in links),
   "mirror: maps, mods and avatars linked to pictures", links)

# served by our own web servers, bytes intact
sample = assets[:6]
for name, base in servers():
    good = True
    for sha, ext, path, *_ in sample:
        st, hd, body = http(base + "/assets/" + path)
        if st != 200 or hashlib.sha256(body).hexdigest() != sha or \
                not hd.get("content-type", "").startswith("image/"):
            good = False
    ok(good, "%s serves /assets/<path> with the stored bytes and an image type" % name)

# ------------------------------------------------------------- pages
st, _, doc = get_json(BASE_URL + "/api/v1/sessions/current")
ok(st == 200 and doc and doc["sessions"], "API: current lobby after enrichment")
sess = doc["sessions"] if doc else []
ok(all(s["map"].get("title") for s in sess), "API: map.title on every live session",
   [s["map"]["file"] for s in sess if not s["map"].get("title")])
with_img = [s for s in sess if s["map"]["file"].lower() != "vsrphazon"]
ok(with_img and all((s["map"].get("image_url") or "").startswith("/assets/bzcc/map/")
                    for s in with_img),
   "API: map.image_url under ASSETS_CDN_BASE (/assets/)",
   [s["map"].get("image_url") for s in sess])
ok(all(s["map"].get("image_url") is None for s in sess if s not in with_img),
   "API: map.image_url null for the placeholder")
ok(any(s["map"].get("team_names") == [nv["svar1"], nv["svar2"]] for s in sess),
   "API: map.team_names from the map's netVars", [s["map"].get("team_names") for s in sess])
ok(all(s["mod"].get("name") for s in sess) and
   all(isinstance(s["mod"].get("items"), list) for s in sess),
   "API: mod.name and mod.items", [s["mod"] for s in sess][:2])
players = [p for s in sess for p in s["players"] if p.get("provider") == "steam"]
ok(players and any((p.get("avatar_url") or "").startswith("/assets/bzcc/avatar/")
                   for p in players),
   "API: players[].avatar_url mirrored", [p.get("avatar_url") for p in players][:5])

st, _, body = http(BASE_URL + "/bzcc/")
html = body.decode("utf-8", "replace")
ok(st == 200 and len(re.findall(r'class="session-card[ "]', html)) == len(sess),
   "/bzcc/: one card per session")
ok(all(html_escape(s["map"]["title"]) in html for s in sess), "/: cards show map titles")
ok(len(re.findall(r'<img class="map-slot__img" src="/assets/bzcc/map/', html)) == len(with_img),
   "/: cards show mirrored map pictures")
ok(html.count('class="map-slot__placeholder"') == len(sess) - len(with_img),
   "/: the placeholder where no picture could be mirrored")
ok(html_escape(nv["svar1"]) in html and html_escape(nv["svar2"]) in html,
   "/: team names shown", nv["svar1"], nv["svar2"])
ok(all(html_escape(s["mod"]["name"]) in html for s in sess), "/: cards show mod names")
links = re.findall(r'<a class="player__link" href="(/bzcc/players/(steam|gog):[0-9]+)">', html)
ok(len(links) >= len(players), "/: player names link to /players/<provider>:<id>",
   len(links), len(players))
ok(re.search(r'<a class="player__link" href="/bzcc/players/steam:[0-9]+"><img class="player__avatar"'
             r' src="/assets/bzcc/avatar/[0-9a-f]{64}\.jpg"', html),
   "/: linked player names carry mirrored avatars")
gog_sid = scalar("SELECT session_id FROM bzcc.session_players WHERE provider = 'gog' LIMIT 1")
st, _, body = http(BASE_URL + "/bzcc/sessions/" + urllib.parse.quote(gog_sid, safe=":"))
shtml = body.decode("utf-8", "replace")
ok(st == 200 and re.search(r'href="/bzcc/players/gog:[0-9]+"><img class="player__avatar" '
                           r'src="/assets/bzcc/avatar/', shtml),
   "/sessions/<id>: GOG player linked with a mirrored avatar")

# ------------------------------------- nothing points outside our origin
def routes():
    out = subprocess.run([os.path.join(BUILD_DIR, "gamewatch.fcgi"), "--routes"],
                         capture_output=True, text=True, check=True).stdout
    # every GET page and JSON answer; streams (kind stream) never end
    return [line.split("\t")[1] for line in out.splitlines()[1:]
            if line.startswith("GET") and line.split("\t")[2] != "stream"]


sid = sess[0]["id"] if sess else "x"
steam_one = sorted(steam_ids)[0] if steam_ids else "0"
subst = {"/bzcc/sessions/{id}": sid, "/sessions/{id}": sid, "/api/v1/sessions/{id}": sid}
urls = set()
all_sids = [r[0] for r in psql("SELECT id FROM bzcc.sessions")]
for pat in routes():
    if "{" not in pat:
        urls.add(pat)
        continue
    for s in all_sids if "sessions" in pat else []:
        urls.add(re.sub(r"\{[^}]+\}", urllib.parse.quote(s, safe=":"), pat))
    if "players" in pat:
        urls.add(re.sub(r"\{[^}]+\}", "steam:" + steam_one, pat))
        if gog:
            urls.add(re.sub(r"\{[^}]+\}", "gog:" + gog[0][0], pat))
    if "maps" in pat:
        urls.add(re.sub(r"\{[^}]+\}", urllib.parse.quote(maps[0][0], safe=":"), pat))
    if "mods" in pat:
        urls.add(re.sub(r"\{[^}]+\}", "1325933293", pat))
REF = re.compile(r"""(?:<img[^>]*\ssrc|<script[^>]*\ssrc|<source[^>]*\ssrcset|<img[^>]*\ssrcset|"""
                 r"""<link[^>]*\shref|<video[^>]*\sposter|<input[^>]*\ssrc)\s*=\s*["']([^"']*)["']"""
                 r"""|url\(\s*["']?([^"')]+)""", re.I)
IMG_KEYS = re.compile(r"(image|avatar|icon|picture|thumb|logo|preview)", re.I)


def outside(u):
    u = u.strip()
    if not u or u.startswith("data:"):
        return False
    if u.startswith("//"):
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*:", u, re.I):
        return True  # absolute: only our origin or ASSETS_CDN_BASE would do; both are relative here
    return False


def json_refs(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from json_refs(v, k)
    elif isinstance(o, list):
        for v in o:
            yield from json_refs(v, path)
    elif isinstance(o, str) and IMG_KEYS.search(path):
        yield path, o


problems = []
scanned = 0
for name, base in servers():
    for u in sorted(urls):
        st, hd, body = http(base + u)
        text = body.decode("utf-8", "replace")
        scanned += 1
        if "127.0.0.1:%d" % fx.port in text or "gamelistassets" in text or \
                "steamstatic" in text or "images.gog.com" in text:
            problems.append("%s %s names an upstream host" % (name, u))
        ctype = hd.get("content-type", "")
        if ctype.startswith("text/html"):
            for m in REF.finditer(text):
                ref = m.group(1) or m.group(2)
                if outside(ref):
                    problems.append("%s %s: %s" % (name, u, ref))
        elif ctype.startswith("application/json"):
            try:
                for k, v in json_refs(json.loads(text)):
                    if v and outside(v):
                        problems.append("%s %s: %s = %s" % (name, u, k, v))
            except ValueError:
                pass
ok(scanned >= 2 * 6 and not problems,
   "no page or API response references a picture, script or style outside our origin"
   " (%d responses)" % scanned, *problems[:10])

# ------------------------------------------- cached: a second run fetches nothing
before = len(fx.requests(""))
rc, out2 = run("enrich", fx, "--once")
rc2, mout2 = run("mirror", fx, "--once")
after = len(fx.requests(""))
ok(rc == 0 and rc2 == 0 and after == before,
   "second enrich and mirror runs fetch nothing (TTL cache, fetch once)", after - before,
   out2[-500:], mout2[-500:])

# ------------------------------------------- no STEAM_API_KEY: skipped cleanly
n_steam = fx.hits("GetPlayerSummaries")
rc, out3 = run("enrich", fx, "--once", "--force", "--only", "steam", STEAM_API_KEY="")
ok(rc == 0 and "STEAM_API_KEY is not set" in out3 and fx.hits("GetPlayerSummaries") == n_steam,
   "steam: skipped cleanly without STEAM_API_KEY", out3[-500:])
fx.stop()
done()
