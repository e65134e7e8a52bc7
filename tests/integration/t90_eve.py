"""t90: the eve module end to end on the real killmails (tests/data/eve).

Imports the SDE tables and the killmail files through `gamewatch-job`
(JSON lines, a .gz, a tar.bz2 archive in EVE Ref's layout and an R2Z2 day
file built from the same killmails, a file with broken lines), clusters
them incrementally, and checks the battles against an INDEPENDENT
computation here of the algorithm docs/eve-battles.md documents: per
system in (time, id) order, join within 15 min of the cluster's last kill
(not in instanced space), or within 30 min when sharing an alliance/player
corporation with the cluster. Then the API (paging, filters, names, errors)
and the pages."""
import bz2
import collections
import gzip
import io
import json
import os
import re
import tarfile
import tempfile
import urllib.parse
from datetime import datetime, timezone

from gwtest import (SRCDIR, BASE_URL, Browser, done, get_json, http, job, make_user, ok, psql, scalar,
                    session_token)

D = os.path.join(SRCDIR, "tests", "data", "eve")
KM = os.path.join(D, "killmails")
JORUND = os.path.join(KM, "esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz")
WINDOW = os.path.join(KM, "esi_2021-11-28_window_1200-1229_all-systems.jsonl")
POCHVEN = os.path.join(KM, "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")
GAP, WINDOW_S = 15 * 60, 30 * 60


def lines(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        return [json.loads(l) for l in f if l.strip()]


def ts(k):
    return int(datetime.strptime(k["killmail_time"], "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=timezone.utc).timestamp())


# --------------------------------------------------------------- import
rc, out = job("eve-static")
ok(rc == 0 and "8490 systems" in out, "eve-static imports the SDE tables", out[-400:])
systems = {int(r[0]): r for r in psql("SELECT system_id, space_type, sec_band, coalesce(wh_class, ''),"
                                      " region_id FROM eve.systems")}
ok(len(systems) == 8490, "8490 systems stored", len(systems))

# space types of every saved kill, as index.csv lists them
import csv  # noqa: E402
with open(os.path.join(KM, "index.csv")) as f:
    index = list(csv.DictReader(f))
bad = [r["killmail_id"] for r in index
       if systems[int(r["solar_system_id"])][1:4] != [r["space_type"], r["sec_band"], r["wh_class"]]]
ok(not bad, "space type, band and class of all %d indexed kills match index.csv" % len(index), bad[:5])

# 1. the window first: it holds the first 239 Jorund kills
rc, out = job("eve-import", WINDOW)
ok(rc == 0 and re.search(r"477 read, 477 new, 0 duplicate, 0 rejected", out),
   "window file: 477 read, 477 new", out[-500:])
rc, out = job("eve-cluster")
ok(rc == 0, "eve-cluster after the window", out[-300:])
jorund_first = psql("SELECT id, kills FROM eve.battles WHERE system_id = 30001046")
ok(len(jorund_first) == 1 and jorund_first[0][1] == "239",
   "Jorund: one battle of the window's 239 kills", jorund_first)

# 2. the Jorund fight as an EVE Ref tar.bz2 archive (killmails/<id>.json)
J = lines(JORUND)
tmp = tempfile.mkdtemp(prefix="gw-t90-")
arch = os.path.join(tmp, "killmails-2021-11-28.tar.bz2")
with tarfile.open(arch, "w:bz2") as t:
    for k in J:
        data = json.dumps(k).encode()
        info = tarfile.TarInfo("killmails/%d.json" % k["killmail_id"])
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
rc, out = job("eve-import", arch)
ok(rc == 0 and re.search(r"1080 read, 841 new, 239 duplicate, 0 rejected", out),
   "tar.bz2 archive: 1080 read, 841 new, 239 duplicates of the window", out[-500:])
rc, out = job("eve-cluster")
ok(rc == 0, "eve-cluster after the archive (incremental)", out[-300:])
jorund = psql("SELECT id, kills, start_time, end_time FROM eve.battles WHERE system_id = 30001046")
ok(len(jorund) == 1 and jorund[0][1] == "1080" and jorund[0][0] == jorund_first[0][0],
   "Jorund grew into one 1080-kill battle and kept its id", jorund, jorund_first)

# 3. Pochven as an R2Z2 day file {killID: killmail}, plus the .gz again
P = lines(POCHVEN)
day = os.path.join(tmp, "20211128.json")
with open(day, "w") as f:
    json.dump({str(k["killmail_id"]): k for k in P}, f)
rc, out = job("eve-import", day, JORUND)
ok(rc == 0 and re.search(r"110 read, 107 new, 3 duplicate", out)
   and re.search(r"1080 read, 0 new, 1080 duplicate", out),
   "R2Z2 day file: 107 new (3 already in the window); the .gz again: all duplicates", out[-700:])

# 4. malformed lines: refused, counted, the rest imported
broken = os.path.join(tmp, "broken.jsonl")
good = [json.dumps(k) for k in P[:3]]
with open(broken, "w") as f:
    f.write(good[0] + "\n")
    f.write('{"killmail_id": 5, "killmail_time": "yesterday"}\n')
    f.write(good[1][: len(good[1]) // 2] + "\n")          # cut in half
    f.write("\n")
    f.write('{"killmail_id": 6, "killmail_time": "2021-11-28T00:00:00Z", "solar_system_id": 30000142,'
            ' "victim": {"ship_type_id": 670}, "attackers": []}\n')
    f.write(good[2] + "\n")
rc, out = job("eve-import", broken)
ok(rc == 0 and re.search(r"5 read, 0 new, 2 duplicate, 3 rejected", out),
   "broken file: 3 malformed refused and counted, good lines kept", out[-500:])
rej = psql("SELECT position, reason FROM eve.rejected WHERE source = :'v1' ORDER BY id", broken)
ok([r[0] for r in rej] == ["line 2", "line 3", "line 5"]
   and "killmail_time" in rej[0][1] and "not JSON" in rej[1][1] and "attackers is empty" in rej[2][1],
   "eve.rejected names each line and reason", rej)
log = psql("SELECT read, inserted, duplicates, rejected FROM eve.ingest_log WHERE source = :'v1'", broken)
ok(log == [["5", "0", "2", "3"]], "eve.ingest_log counts the file", log)

# 5. an operator price table (synthetic, labelled so: 1,000.50 ISK per unit
# of every type of one killmail but its hull, which is left unpriced) values
# a killmail that has no zKillboard values, the way zKillboard's Price class
# adds up hull and items (nested rows too, blueprint copies at 0.01 ISK)
SPECIAL = os.path.join(KM, "special", "zkb-repo_ccp-regenerated_km_107220741.json")
with open(SPECIAL) as f:
    sk = json.load(f)


def rows(items):
    for it in items:
        yield it
        yield from rows(it.get("items", []))


types = sorted({it["item_type_id"] for it in rows(sk["victim"].get("items", []))} - {sk["victim"]["ship_type_id"]})
prices = os.path.join(tmp, "prices.csv")
with open(prices, "w") as f:
    f.write("type_id,price\n" + "".join("%d,1000.50\n" % t for t in types))
want = 0
for it in rows(sk["victim"].get("items", [])):
    q = it.get("quantity_destroyed", 0) + it.get("quantity_dropped", 0)
    want += q * (1 if it.get("singleton") == 2 else 100050)       # in hundredths
rc, out = job("eve-static", "--prices", prices)
ok(rc == 0 and "%d prices loaded" % len(types) in out, "eve-static --prices loads the table", out[-300:])
rc, out = job("eve-import", "--prices", SPECIAL)
got = psql("SELECT total_value::text, value_source FROM eve.killmails WHERE killmail_id = 107220741")
ok(rc == 0 and got == [["%d.%02d" % (want // 100, want % 100), "prices"]],
   "a killmail without zKillboard values is valued from the price table, to the cent", got, want)
psql("DELETE FROM eve.attackers WHERE killmail_id = 107220741; DELETE FROM eve.killmails WHERE killmail_id = 107220741;"
     " DELETE FROM eve.killmail_ids WHERE killmail_id = 107220741")

# 6. single killmails by id and hash from ESI (a local stand-in serving
# the CCP-regenerated killmail with 982 attackers at its ESI path)
import http.server as _hs  # noqa: E402
import threading as _th  # noqa: E402
BIG = os.path.join(KM, "special", "zkb-repo_ccp-regenerated_km_108794056.json")
HASH = "0123456789abcdef0123456789abcdef01234567"
esi_paths = []


class Esi(_hs.BaseHTTPRequestHandler):
    def do_GET(self):
        esi_paths.append(self.path)
        ok_path = self.path == "/latest/killmails/108794056/%s/" % HASH
        body = open(BIG, "rb").read() if ok_path else b'{"error":"Invalid killmail_id and/or killmail_hash"}'
        self.send_response(200 if ok_path else 422)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


esrv = _hs.ThreadingHTTPServer(("127.0.0.1", 0), Esi)
_th.Thread(target=esrv.serve_forever, daemon=True).start()
eenv = {"EVE_ESI_URL": "http://127.0.0.1:%d/latest" % esrv.server_address[1]}
rc, out = job("eve-import", "--esi", "108794056/" + HASH, env=eenv)
n_att = scalar("SELECT count(*) FROM eve.attackers WHERE killmail_id = 108794056")
ok(rc == 0 and n_att == "982" and esi_paths == ["/latest/killmails/108794056/%s/" % HASH],
   "--esi ID/HASH fetches one killmail from ESI (982 attackers stored)", rc, n_att, esi_paths, out[-300:])
rc, out = job("eve-import", "--esi", "108794056/" + "f" * 40, env=eenv)
ok(rc == 1, "--esi with a hash ESI refuses: the job fails", rc, out[-200:])
rc, out = job("eve-import", "--esi", "12/zz")
ok(rc == 1 and "40-digit hex" in out, "--esi with a malformed ID/HASH is refused", rc, out[-200:])
esrv.shutdown()
psql("DELETE FROM eve.attackers WHERE killmail_id = 108794056; DELETE FROM eve.killmails WHERE killmail_id = 108794056;"
     " DELETE FROM eve.killmail_ids WHERE killmail_id = 108794056")

rc, out = job("eve-cluster")
ok(rc == 0, "eve-cluster after everything", out[-300:])

# ------------------------------------------- the independent computation
allk = {}
for k in lines(WINDOW) + J + P:
    allk[k["killmail_id"]] = k
ok(int(scalar("SELECT count(*) FROM eve.killmails")) == len(allk) == 1425,
   "1425 distinct killmails stored", scalar("SELECT count(*) FROM eve.killmails"))


def entities(k):
    out = set()
    for p in [k["victim"]] + k["attackers"]:
        if p.get("alliance_id"):
            out.add(p["alliance_id"])
        elif p.get("corporation_id") and not 1000000 <= p["corporation_id"] <= 1999999:
            out.add(p["corporation_id"])
    return out


def instanced(system_id):
    st = systems[system_id][1] if system_id in systems else None
    return st in ("abyssal", "other")


by_sys = collections.defaultdict(list)
for k in allk.values():
    by_sys[k["solar_system_id"]].append(k)
expected = []
for sysid, ks in by_sys.items():
    ks.sort(key=lambda k: (ts(k), k["killmail_id"]))
    cur, seen, last = [], set(), None
    for k in ks:
        dt = ts(k) - last if cur else None
        if cur and ((not instanced(sysid) and dt <= GAP) or (dt <= WINDOW_S and entities(k) & seen)):
            cur.append(k["killmail_id"])
            seen |= entities(k)
        else:
            if cur:
                expected.append(frozenset(cur))
            cur, seen = [k["killmail_id"]], set(entities(k))
        last = ts(k)
    expected.append(frozenset(cur))

rows = psql("SELECT battle_id, killmail_id FROM eve.battle_killmails")
got = collections.defaultdict(set)
for b, kid in rows:
    got[b].add(int(kid))
ok(len(rows) == len(allk) and len({r[1] for r in rows}) == len(allk),
   "every kill is in exactly one cluster", len(rows), len(allk))
ok(set(map(frozenset, got.values())) == set(expected),
   "the stored clusters are the ones the documented algorithm gives (%d)" % len(expected),
   len(got), len(expected))
battles_db = {frozenset(v) for b, v in got.items()
              if scalar("SELECT is_battle FROM eve.battles WHERE id = :'v1'", b) == "t"}
ok(battles_db == {c for c in expected if len(c) >= 2},
   "battles are the clusters of at least two kills (%d)" % len(battles_db))
# the gap rule alone would split Pochven more: the entity rule is in use
nogap = 0
for sysid in (30010141, 30040141):
    ks = by_sys[sysid]
    nogap += 1 + sum(1 for a, b in zip(ks, ks[1:]) if ts(b) - ts(a) > GAP)
ok(sum(1 for c in expected if next(iter(c)) in {k["killmail_id"] for k in P}
       and allk[next(iter(c))]["solar_system_id"] in (30010141, 30040141)) < nogap,
   "Pochven: shared entities join kills the 15-minute gap splits")
# abyssal pockets share a system id but not a fight
aby = [c for c in expected if instanced(allk[next(iter(c))]["solar_system_id"]) and len(c) > 1]
ok(all(any(entities(allk[a]) & entities(allk[b]) for b in c if b != a) for c in aby for a in c),
   "abyssal clusters only join kills that share an entity", len(aby))

# ------------------------------------------------------------------- API
st, h, doc = get_json(BASE_URL + "/api/v1/battles?system=Jorund")
ok(st == 200 and doc and doc["count"] == 1 and doc["battles"][0]["kills"] == 1080
   and doc["battles"][0]["id"] == jorund[0][0] and isinstance(doc["battles"][0]["id"], str),
   "/api/v1/battles?system=Jorund: the one 1080-kill battle, id a string", doc and doc.get("battles"))
b0 = doc["battles"][0] if doc and doc.get("battles") else {}
ok(b0.get("zkill_related_url") == "https://zkillboard.com/related/30001046/202111281100/",
   "related-kills link: minutes 00, the hour after the start's hour", b0.get("zkill_related_url"))

# paging through every battle with the cursor
seen_ids, url, pages = [], BASE_URL + "/api/v1/battles?limit=7", 0
while url and pages < 100:
    st, _, d = get_json(url)
    if st != 200 or not d:
        break
    seen_ids += [b["id"] for b in d["battles"]]
    url = BASE_URL + d["next_url"] if d["next_url"] else None
    pages += 1
nb = int(scalar("SELECT count(*) FROM eve.battles WHERE is_battle"))
ok(len(seen_ids) == nb == len(set(seen_ids)) and pages == (nb + 6) // 7,
   "cursor paging walks all %d battles once" % nb, len(seen_ids), pages)
starts = [r[0] for r in psql("SELECT id FROM eve.battles WHERE is_battle ORDER BY start_time DESC, id DESC")]
ok(seen_ids == starts, "battles come newest first")

st, _, d = get_json(BASE_URL + "/api/v1/battles?space_type=pochven&limit=100")
ok(st == 200 and d["count"] > 0 and all(b["space_type"] == "pochven" for b in d["battles"]),
   "space_type=pochven filters", d and d["count"])
st, _, d = get_json(BASE_URL + "/api/v1/battles?alliance_id=99005338&limit=100")
want = int(scalar("SELECT count(DISTINCT b.id) FROM eve.battles b JOIN eve.battle_participants p"
                  " ON p.battle_id = b.id WHERE b.is_battle AND p.alliance_id = 99005338"))
ok(st == 200 and d["count"] == want and want >= 1, "alliance_id filter", d and d["count"], want)
st, _, d = get_json(BASE_URL + "/api/v1/battles?from=2021-11-28T13:00:00Z&to=2021-11-28T13:10:00Z&limit=100")
ok(st == 200 and any(b["id"] == jorund[0][0] for b in d["battles"])
   and all(b["end_time"] >= "2021-11-28T13:00:00Z" and b["start_time"] < "2021-11-28T13:10:00Z"
           for b in d["battles"]), "time filter: battles overlapping the range", d and d["count"])
for q, what in (("space_type=wormhole", "space_type"), ("from=yesterday", "from"),
                ("alliance_id=abc", "alliance_id"), ("limit=0", "limit"), ("cursor=xyz", "cursor"),
                ("system=Nowhere", "system")):
    st, h, d = get_json(BASE_URL + "/api/v1/battles?" + q)
    ok(st == 400 and d and what in d.get("detail", "") and h.get("content-type", "").startswith("application/json"),
       "/api/v1/battles?%s is a 400 JSON naming %s" % (q, what), st, d)
st, _, d = get_json(BASE_URL + "/api/v1/battles/999999999")
ok(st == 404 and d and d.get("error"), "unknown battle: 404 JSON", st, d)
st, _, d = get_json(BASE_URL + "/api/v1/battles/abc")
ok(st == 404 and d and d.get("error"), "non-numeric battle id: 404 JSON", st, d)

st, _, rep = get_json(BASE_URL + "/api/v1/battles/" + jorund[0][0])
r = rep["report"] if rep else {}
losses = sum(s["ships_lost"] + s["capsules_lost"] for s in r.get("sides", []))
ok(st == 200 and r.get("kills") == 1080 and losses == 1080 and len(r.get("killmails", [])) == 1080,
   "the report: 1080 kills, every loss on one side", st, losses)
ok(r.get("capsules") == sum(1 for k in J if k["victim"]["ship_type_id"] in (670, 33328)),
   "capsules counted from the killmails", r.get("capsules"))
sides = [s for s in r.get("sides", []) if s["side"] > 0]
ok(len(sides) >= 2, "at least two sides", len(sides))
# the sides split the fight: attacker/victim entity pairs mostly on different sides
side_of = {m["entity_id"]: s["side"] for s in r.get("sides", []) for m in s["members"]}
split = same = 0
for k in J:
    ve = next(iter(entities({"victim": k["victim"], "attackers": []})), None)
    for a in k["attackers"]:
        ae = next(iter(entities({"victim": a, "attackers": []})), None)
        if ve and ae and ve != ae and side_of.get(str(ve)) and side_of.get(str(ae)):
            if side_of[str(ve)] == side_of[str(ae)]:
                same += 1
            else:
                split += 1
ok(split > 9 * same, "over 90 % of hostile pairs are on different sides", split, same)
ok(side_of.get("99005338") != side_of.get("1354830081"),
   "Pandemic Horde and Goonswarm on different sides", side_of.get("99005338"), side_of.get("1354830081"))
kinds_ok = all("entity_name" in m for s in r.get("sides", []) for m in s["members"])
ok(kinds_ok and all("character_name" in p for p in r.get("participants", [])[:50]),
   "names sit beside ids (null until known)")
ok(all(isinstance(k["killmail_id"], str) for k in r.get("killmails", [])), "killmail ids are strings")

# names: eve-names against a local stand-in for ESI's POST /universe/names/,
# which answers 404 for a whole chunk holding an unknown id (here 1354830081)
import http.server as httpserver  # noqa: E402
import threading  # noqa: E402
asked = []


class Names(httpserver.BaseHTTPRequestHandler):
    def do_POST(self):
        ids = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        asked.append((self.path, ids))
        if 1354830081 in ids:
            body, code = b'{"error":"Ensure all IDs are valid before resolving."}', 404
        else:
            body = json.dumps([{"id": i, "category": "alliance" if i == 99005338 else "character",
                                "name": "Pandemic Horde" if i == 99005338 else "fixture %d" % i}
                               for i in ids]).encode()
            code = 200
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


esi = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), Names)
threading.Thread(target=esi.serve_forever, daemon=True).start()
rc, out = job("eve-names", "--days", "0", "--limit", "2500",
              env={"EVE_ESI_URL": "http://127.0.0.1:%d/latest" % esi.server_address[1]})
esi.shutdown()
sizes = [len(ids) for _, ids in asked]
ok(rc == 0 and asked and all(p == "/latest/universe/names/" for p, _ in asked)
   and max(sizes) == 1000 and [1354830081] in [ids for _, ids in asked],
   "eve-names posts chunks of 1000 and halves a 404 chunk down to the unknown id", sizes[:6], out[-300:])
stored = int(scalar("SELECT count(*) FROM eve.names"))
ok(stored == 2499 and scalar("SELECT count(*) FROM eve.names WHERE id = 1354830081") == "0",
   "2499 names stored, the unknown id skipped", stored, out[-300:])
st, _, rep = get_json(BASE_URL + "/api/v1/battles/" + jorund[0][0])
names = [m.get("entity_name") for s in rep["report"]["sides"] for m in s["members"] if m["entity_id"] == "99005338"]
ok(names == ["Pandemic Horde"], "a known name is shown beside its id", names)

# recent killmails: newest first, paging, since
st, _, d = get_json(BASE_URL + "/api/v1/killmails/recent?limit=50")
times = [(k["time"], int(k["killmail_id"])) for k in d["killmails"]] if d else []
ok(st == 200 and d["count"] == 50 and times == sorted(times, reverse=True) and d["next_cursor"],
   "recent killmails: 50 newest first with a cursor", st)
st, _, d2 = get_json(BASE_URL + d["next_url"]) if d else (0, None, None)
ok(st == 200 and d2 and (d2["killmails"][0]["time"], int(d2["killmails"][0]["killmail_id"])) < times[-1],
   "the next page continues after the last kill", st)
st, _, d = get_json(BASE_URL + "/api/v1/killmails/recent?since=2021-11-28T23:00:00Z&limit=200")
want = sum(1 for k in allk.values() if k["killmail_time"] > "2021-11-28T23:00:00Z")
ok(st == 200 and d["count"] == want, "since= returns the kills after it (polling)", d and d["count"], want)
jk = [k for k in (d or {}).get("killmails", []) if k.get("battle_id")]
ok(all(k["zkb_url"] == "https://zkillboard.com/kill/%s/" % k["killmail_id"] for k in d["killmails"]),
   "each kill links to zKillboard", jk[:1])

# intel, anchored at the data's day. It needs the battle-intel feature
# (granted per account by default, docs/eve.md "Access"): an analyst with
# the grant reads it, nobody else
U = "until=2021-11-29T00:00:00Z&days=2"
analyst = make_user("t90-analyst")
psql("INSERT INTO eve.feature_roles (user_id, feature, role) VALUES (:'v1', 'battle-intel', 'user')",
     str(analyst))
ab = Browser(session=session_token(analyst))


def intel_json(path):
    st, h, body = ab.get(path)
    try:
        return st, h, json.loads(body)
    except ValueError:
        return st, h, None


st, _, d = get_json(BASE_URL + "/api/v1/intel/summary?" + U)
ok(st == 401 and d and d["error"], "intel without an account: 401 JSON", st)
st, _, d = intel_json("/api/v1/intel/alliances/99005338?" + U)
want_l = sum(1 for k in allk.values() if k["victim"].get("alliance_id") == 99005338)
want_k = sum(1 for k in allk.values() if k["victim"].get("alliance_id") != 99005338
             and any(a.get("alliance_id") == 99005338 for a in k["attackers"]))
ok(st == 200 and d["losses"] == want_l and d["kills"] == want_k and d["entity_name"] == "Pandemic Horde",
   "alliance intel: kills and losses as counted from the killmails", d and (d["kills"], d["losses"]),
   (want_k, want_l))
ok(len(d["activity_by_hour"]) == 24 and sum(h["kills"] for h in d["activity_by_hour"]) == want_k
   and sum(x["events"] for x in d["regions"]) == want_k + want_l,
   "activity by hour and the region heatmap add up")
st, _, d = intel_json("/api/v1/intel/alliances/99005338/opponents?" + U)
ok(st == 200 and d["opponents_killed"] and d["opponents_lost_to"]
   and d["opponents_lost_to"][0]["entity_id"] != "99005338", "opponents", st)
st, _, d = intel_json("/api/v1/intel/alliances/99005338/ships?" + U)
ok(st == 200 and sum(x["losses"] for x in d["lost"]) == want_l and d["flown"],
   "ships lost add up to the losses", st)
for path in ("/api/v1/intel/corporations/98388312", "/api/v1/intel/characters/95339090",
             "/api/v1/intel/summary"):
    st, _, d = intel_json(path + "?" + U)
    ok(st == 200 and d is not None, path, st)
st, _, d = intel_json("/api/v1/intel/summary?" + U)
ok(d["kills"] == len(allk) and d["battles"] == nb, "summary totals", d and d["kills"])
st, _, d = intel_json("/api/v1/intel/alliances/99005338?days=9999")
ok(st == 400 and "days" in d["detail"], "days out of range: 400", st)

# ----------------------------------------------------------------- pages
st, _, body = http(BASE_URL + "/eve/?system=Jorund")
html = body.decode()
ok(st == 200 and html.count('class="battle-card"') == 1 and "/eve/battles/" + jorund[0][0] in html,
   "/eve/?system=Jorund lists the battle", st)
st, _, body = http(BASE_URL + "/eve/?from=nope")
ok(st == 400 and "from must be" in body.decode(), "/eve/ shows a bad filter as 400 with the reason", st)
st, _, body = http(BASE_URL + "/eve/battles/" + jorund[0][0])
html = body.decode()
ok(st == 200 and "Battle in Jorund" in html and html.count("<tr") > 1080 and "Pandemic Horde" in html
   and "/related/30001046/202111281100/" in html, "/eve/battles/{id}: the report page", st)
st, _, body = http(BASE_URL + "/eve/kills")
ok(st == 200 and body.decode().count('class="kill-row"') == 50, "/eve/kills lists 50 kills", st)
st, _, body = ab.get("/eve/intel?" + U)
ok(st == 200 and "Busiest systems" in body.decode(), "/eve/intel", st)
st, _, body = ab.get("/eve/intel/alliances/99005338?" + U)
ok(st == 200 and "Alliance Pandemic Horde" in body.decode() and "Heatmap by region" in body.decode(),
   "/eve/intel/alliances/{id}", st)
st, _, body = http(BASE_URL + "/eve/battles/12x")
ok(st == 404, "/eve/battles/12x is 404", st)
st, _, body = http(BASE_URL + "/")
ok(st == 200 and b'href="/eve/"' in body and b"1425 killmails" in body, "the hub card of the eve module", st)
done()
