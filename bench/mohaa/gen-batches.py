#!/usr/bin/env python3
"""gen-batches.py: JSON-array ingest bodies for bench/mohaa/run.sh, in the
later scripts' shape (every value a string, forum ids, engine event names),
from the real weapon and hit-location lists. Seeded: the same bytes every run.

  gen-batches.py --events N --batch B --out DIR --seed S --weapons CSV --hitlocs CSV
writes DIR/0000.json ... with N events in arrays of B."""
import argparse
import csv
import json
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, required=True)
ap.add_argument("--batch", type=int, required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--weapons", required=True)
ap.add_argument("--hitlocs", required=True)
a = ap.parse_args()
rng = random.Random(a.seed)
guns = [r["display_name"] for r in csv.DictReader(open(a.weapons, newline="")) if r["weapon_class"] in
        ("pistol", "rifle", "smg", "mg")]
locs = [r["display_string"] for r in csv.DictReader(open(a.hitlocs, newline="")) if r["display_string"]]
players = [("smf:%d" % i, "Player %d" % i, "allies" if i % 2 else "axis") for i in range(1, 65)]
os.makedirs(a.out, exist_ok=True)
t = 0.0
n = 0
f = 0
while n < a.events:
    batch = []
    if f == 0:
        batch.append({"type": "match_start", "match_id": "bench", "timestamp": "0.1", "map_name": "obj/obj_team2",
                      "gametype": "4"})
    while len(batch) < a.batch and n + len(batch) < a.events:
        t += 0.05
        pid, name, team = rng.choice(players)
        base = {"match_id": "bench", "timestamp": "%.2f" % t}
        who = {"player_name": name, "player_guid": pid[4:], "player_smf_id": pid[4:], "player_team": team}
        r = rng.random()
        if r < 0.40:
            e = dict(type="weapon_fire", weapon=rng.choice(guns), ammo_remaining=str(rng.randint(0, 30)),
                     pos_x="%.2f" % rng.uniform(-3000, 3000), pos_y="%.2f" % rng.uniform(-3000, 3000), pos_z="64",
                     aim_pitch="%.1f" % rng.uniform(-30, 30), aim_yaw="%.1f" % rng.uniform(0, 360), **who)
        elif r < 0.55:
            vid, vname, vteam = rng.choice([p for p in players if p[2] != team])
            e = dict(type="player_kill", attacker_name=name, attacker_guid=pid[4:], attacker_smf_id=pid[4:],
                     attacker_team=team, attacker_x="%.2f" % rng.uniform(-3000, 3000),
                     attacker_y="%.2f" % rng.uniform(-3000, 3000), attacker_z="64", victim_name=vname,
                     victim_guid=vid[4:], victim_smf_id=vid[4:], victim_team=vteam,
                     victim_x="%.2f" % rng.uniform(-3000, 3000), victim_y="%.2f" % rng.uniform(-3000, 3000),
                     victim_z="64", weapon=rng.choice(guns), mod="MOD_BULLET", hitloc=rng.choice(locs))
        elif r < 0.70:
            vid, vname, vteam = rng.choice([p for p in players if p[2] != team])
            e = dict(type="player_damage", attacker_name=name, attacker_guid=pid[4:], attacker_smf_id=pid[4:],
                     victim_name=vname, victim_guid=vid[4:], victim_smf_id=vid[4:], damage=str(rng.randint(5, 100)),
                     weapon=rng.choice(guns), mod="MOD_BULLET")
        elif r < 0.80:
            vid, vname, vteam = rng.choice(players)
            e = dict(type="weapon_hit", target_name=vname, target_guid=vid[4:], hitloc=rng.choice(locs), **who)
        elif r < 0.95:
            e = dict(type=rng.choice(["player_jump", "player_land", "player_crouch"]), pos_x="1", pos_y="2",
                     pos_z="3", **who)
        else:
            e = dict(type="player_say", message="gg & wp %d" % n, **who)
        base.update(e)
        batch.append(base)
    with open(os.path.join(a.out, "%04d.json" % f), "w") as out:
        json.dump(batch, out)
    n += len(batch)
    f += 1
