#!/usr/bin/env python3
"""compare.py: our battle clustering against the rules of other tools, on
the real killmails in tests/data/eve (figures for docs/eve-battles.md).

  ours       per system, (time, id) order; join within 15 min of the last
             kill (not in instanced space) or within 30 min when sharing an
             alliance/player corporation; >= 2 kills is a battle
  gap only   the same without the shared-entity rule
  bs-v2      BattleScope v2: gap 15 min or shared alliance, AND <= 30 min
             after the cluster's first kill; >= 2 kills
  zkb        zKillboard related: the kills of one system from 1 h before to
             2 h after a whole hour (no clustering)
  evekill    EVE-KILL battlesFinder as ANCHORS.md describes it: systems with
             >= 10 kills in an hour; 5-min segments; a battle starts at the
             first segment with >= 5 kills and ends after 6 quiet segments;
             its end is the start of the last busy segment and kills are
             taken with time < end; >= 5 kills
Usage: bench/eve/compare.py [SRCDIR]"""
import collections
import gzip
import json
import os
import sys
from datetime import datetime, timezone

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
KM = os.path.join(SRC, "tests", "data", "eve", "killmails")


def load(name):
    p = os.path.join(KM, name)
    with (gzip.open(p, "rt") if p.endswith(".gz") else open(p)) as f:
        return [json.loads(l) for l in f if l.strip()]


def ts(k):
    return int(datetime.strptime(k["killmail_time"], "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=timezone.utc).timestamp())


def ents(k, alliances_only=False):
    out = set()
    for p in [k["victim"]] + k["attackers"]:
        if p.get("alliance_id"):
            out.add(p["alliance_id"])
        elif not alliances_only and p.get("corporation_id") and not 1000000 <= p["corporation_id"] <= 1999999:
            out.add(p["corporation_id"])
    return out


def instanced(sysid):
    return 32000000 <= sysid <= 32999999 or 34000000 <= sysid <= 36999999


def by_system(kills):
    d = collections.defaultdict(list)
    for k in kills:
        d[k["solar_system_id"]].append(k)
    for v in d.values():
        v.sort(key=lambda k: (ts(k), k["killmail_id"]))
    return d


def ours(kills, correlate=True, gap=900, window=1800):
    out = []
    for sysid, ks in by_system(kills).items():
        cur, seen, last = [], set(), 0
        for k in ks:
            dt = ts(k) - last
            if cur and ((not instanced(sysid) and dt <= gap) or (correlate and dt <= window and ents(k) & seen)):
                cur.append(k)
                seen |= ents(k)
            else:
                if cur:
                    out.append(cur)
                cur, seen = [k], set(ents(k))
            last = ts(k)
        out.append(cur)
    return out


def bs_v2(kills, gap=900, cap=1800):
    out = []
    for sysid, ks in by_system(kills).items():
        cur, seen = [], set()
        for k in ks:
            if cur and (ts(k) - ts(cur[-1]) <= gap or ents(k, True) & seen) and ts(k) - ts(cur[0]) <= cap:
                cur.append(k)
                seen |= ents(k, True)
            else:
                if cur:
                    out.append(cur)
                cur, seen = [k], set(ents(k, True))
        out.append(cur)
    return out


def evekill(kills):
    out = []
    for sysid, ks in by_system(kills).items():
        t = [ts(k) for k in ks]
        busy_hour = any(sum(1 for y in t if x <= y < x + 3600) >= 10 for x in t)
        if not busy_hour:
            continue
        seg = collections.Counter(x // 300 for x in t)
        s0, s1 = min(seg), max(seg)
        s = s0
        while s <= s1:
            if seg[s] >= 5:
                start, last_busy, quiet, j = s, s, 0, s + 1
                while j <= s1 + 6 and quiet < 6:
                    if seg[j] >= 5:
                        last_busy, quiet = j, 0
                    else:
                        quiet += 1
                    j += 1
                b = [k for k in ks if start * 300 <= ts(k) < last_busy * 300]
                if len(b) >= 5:
                    out.append(b)
                s = j
            else:
                s += 1
    return out


def zkb_related(kills, sysid, hour_ts):
    return [k for k in kills if k["solar_system_id"] == sysid and hour_ts - 3600 <= ts(k) < hour_ts + 7200]


def summary(name, clusters):
    b = [c for c in clusters if len(c) >= 2]
    sizes = sorted((len(c) for c in b), reverse=True)
    return "%-10s %4d clusters, %3d battles (>= 2 kills), %4d kills in battles, largest %s" % (
        name, len(clusters), len(b), sum(sizes), sizes[:6])


J = load("esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz")
W = load("esi_2021-11-28_window_1200-1229_all-systems.jsonl")
P = load("esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl")
for title, ks in (("Jorund fight (1080 kills, 10:21-14:22)", J),
                  ("30-minute window, all systems (477 kills)", W),
                  ("Pochven, two systems, a day (110 kills)", P)):
    print("==", title)
    print(summary("ours", ours(ks)))
    print(summary("gap only", ours(ks, correlate=False)))
    print(summary("bs-v2", bs_v2(ks)))
    ek = evekill(ks)
    print("%-10s %4d battles (>= 5 kills), %4d kills in battles, sizes %s" % (
        "evekill", len(ek), sum(len(c) for c in ek), sorted((len(c) for c in ek), reverse=True)[:6]))
h = int(datetime(2021, 11, 28, 10, tzinfo=timezone.utc).timestamp())
print("== zKillboard related pages for the Jorund fight (start 10:21)")
for label, hour in (("start hour 10:00 (BattleScope)", h), ("11:00 (ours, first page)", h + 3600),
                    ("14:00 (ours, second page)", h + 4 * 3600)):
    print("  /related/30001046/%s: %d of 1080 kills" % (
        datetime.fromtimestamp(hour, timezone.utc).strftime("%Y%m%d%H00"), len(zkb_related(J, 30001046, hour))))
