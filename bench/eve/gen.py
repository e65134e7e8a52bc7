#!/usr/bin/env python3
"""gen.py N OUTDIR [SRCDIR]: N killmails generated from the real ones in
tests/data/eve/killmails (copy c of a kill: id + c * 10^9, time + c * 7 h,
same system and parties), written as

  OUTDIR/killmails.jsonl   ESI JSON lines, what `eve-import` reads
  OUTDIR/ids.tsv, OUTDIR/killmails.tsv, OUTDIR/attackers.tsv
                           the same rows as COPY text for eve.killmail_ids,
                           eve.killmails and eve.attackers: the raw-COPY
                           baseline of bench/eve/run.sh

The TSV mapping is written here from the ESI fields, independently of the
C import (modules/eve/store/eve-store.c)."""
import gzip
import json
import os
import sys
from datetime import datetime, timedelta, timezone

n = int(sys.argv[1])
out = sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "..")
km_dir = os.path.join(src, "tests", "data", "eve", "killmails")
real, seen = [], set()
for name in ("esi_2021-11-28_jorund-30001046_10-14h.jsonl.gz",
             "esi_2021-11-28_window_1200-1229_all-systems.jsonl",
             "esi_2021-11-28_pochven-sakenta-urhinichi_day.jsonl"):
    p = os.path.join(km_dir, name)
    with (gzip.open(p, "rt") if p.endswith(".gz") else open(p)) as f:
        for line in f:
            if line.strip():
                k = json.loads(line)
                if k["killmail_id"] not in seen:
                    seen.add(k["killmail_id"])
                    real.append(k)


def n_(v):
    return "\\N" if v is None else str(v)


def npc(k):
    return not any(a.get("character_id", 0) > 3999999 or a.get("corporation_id", 0) > 1999999
                   for a in k["attackers"])


os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "killmails.jsonl"), "w") as fj, \
        open(os.path.join(out, "ids.tsv"), "w") as fi, \
        open(os.path.join(out, "killmails.tsv"), "w") as fk, \
        open(os.path.join(out, "attackers.tsv"), "w") as fa:
    for i in range(n):
        k = dict(real[i % len(real)])
        c = i // len(real)
        t = datetime.strptime(k["killmail_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        t += timedelta(hours=7 * c)
        k["killmail_id"] = k["killmail_id"] + c * 1000000000
        k["killmail_time"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        fj.write(json.dumps(k, separators=(",", ":")) + "\n")
        v = k["victim"]
        ts = k["killmail_time"]
        fi.write("%d\t%s\n" % (k["killmail_id"], ts))
        fk.write("\t".join([str(k["killmail_id"]), ts, str(k["solar_system_id"]), n_(k.get("killmail_hash")),
                            n_(v.get("character_id")), n_(v.get("corporation_id")), n_(v.get("alliance_id")),
                            n_(v.get("faction_id")), str(v["ship_type_id"]), str(v.get("damage_taken", 0)),
                            str(len(k["attackers"])), n_(k.get("war_id")), "\\N", "\\N", "\\N", "\\N", "\\N",
                            "\\N", "t" if npc(k) else "f", "\\N", "\\N", "\\N", "esi"]) + "\n")
        for a in k["attackers"]:
            fa.write("\t".join([str(k["killmail_id"]), ts, n_(a.get("character_id")), n_(a.get("corporation_id")),
                                n_(a.get("alliance_id")), n_(a.get("faction_id")), n_(a.get("ship_type_id")),
                                n_(a.get("weapon_type_id")), str(a.get("damage_done", 0)),
                                "t" if a.get("final_blow") else "f",
                                "%.2f" % a.get("security_status", 0)]) + "\n")
print("%d killmails from %d real" % (n, len(real)))
