#!/usr/bin/env python3
"""gen-lobby.py: a synthetic but realistic BZCC lobby for the benchmark.

Writes a RakNet "lobbyServer" answer ({"GET":[...]}) with N sessions built
from the real games in tests/data/bzcc/lobby/ (both captures): each session
is a copy of a real game (its keys, key order, map, mods, version, hash, MOTD,
flags) with these fields re-drawn:

  g     a random GUID re-encoded as a NAT id (custom base64, little-endian
        6-bit groups, docs/bzcc-format.md section 4); 10 characters like most
        real ids, 1 in 10 with 9 characters (top group zero), all distinct
  n     a real session name (plus a number once the names are used up),
        Windows-1252, in a 40-byte buffer: NUL, then random garbage bytes,
        like the game sends; RFC 4648 base64
  pl    real player entries (name, stats) with new Steam ids (and new GOG ids
        for GOG players), slots laid out for the game mode, stats only once a
        game has started
  si    waiting / playing / exiting, open or closed depending on free slots
  gtm   minutes in state, sometimes saturated (255)
  pm    a real lobby size, at least the player count

The output shape is the IonDriver proxy's by default (placeholder game first,
proxySource/gid/rid/ts on every game, requestURL/plugin/proxyStatus, UTF-8
BOM, one line), or Rebellion's direct answer with --shape rebellion.  The RNG
is seeded (--seed), so the same arguments give the same bytes.

Usage: bench/gen-lobby.py [-n 200] [--seed 1] [--shape iondriver|rebellion]
                          [-o FILE]            (default: standard output)
Python 3 standard library only.
"""
import argparse
import base64
import copy
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, "..", "tests", "data", "bzcc", "lobby")
NAT_ALPHABET = "@123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
PLACEHOLDER_G = "XXXXXXX@XX"
NAME_BUFFER = 40          # bytes of the session-name field in every real game
REAL_LOBBY_SIZES = [3, 4, 5, 8, 10, 14]
STEAM_BASE = 76561197960265728  # SteamID64 of account number 0


def nat_encode(guid):
    """64-bit GUID -> NAT id: emit 6-bit groups, least significant first."""
    if guid == 0:
        return "@"
    out = []
    while guid:
        out.append(NAT_ALPHABET[guid & 63])
        guid >>= 6
    return "".join(out)


def nat_decode(nat):
    v = 0
    for i, ch in enumerate(nat):
        idx = NAT_ALPHABET.find(ch)
        v |= (idx if idx > 0 else 0) << (6 * i)
    return v


def load_captures():
    games, placeholder = [], None
    for fn in sorted(os.listdir(CAPTURES)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(CAPTURES, fn), encoding="utf-8-sig") as f:
            doc = json.load(f)
        for g in doc.get("GET", []):
            if not isinstance(g, dict) or "g" not in g:
                continue
            if g["g"] == PLACEHOLDER_G:
                placeholder = g
            else:
                games.append(g)
    if not games:
        sys.exit("gen-lobby: no real games found in " + CAPTURES)
    return games, placeholder


def decode_session_name(b64):
    return base64.b64decode(b64).split(b"\0", 1)[0].decode("cp1252").strip()


def encode_session_name(rng, text):
    raw = text.encode("cp1252", errors="replace")[: NAME_BUFFER - 1] + b"\0"
    raw += bytes(rng.getrandbits(8) for _ in range(NAME_BUFFER - len(raw)))
    return base64.b64encode(raw).decode("ascii")


def new_guid(rng, used):
    while True:
        bits = 54 if rng.random() < 0.1 else 60  # 9 or 10 NAT characters
        g = rng.getrandbits(bits) | (1 << (bits - 6))  # top group non-zero
        nat = nat_encode(g)
        if nat not in used and nat != PLACEHOLDER_G:
            used.add(nat)
            return nat


def new_platform_id(rng, old, used):
    while True:
        if old.startswith("G") and old[1:].isdigit():
            raw = int(old[1:])
            pid = "G%d" % ((raw >> 56 << 56) | rng.getrandbits(48))
        else:
            pid = "S%d" % (STEAM_BASE + rng.randint(2_000_000, 1_700_000_000))
        if pid not in used:
            used.add(pid)
            return pid


def slots_for(rng, game, n):
    gt, gtd = game.get("gt"), game.get("gtd")
    mode = gtd % 14 if isinstance(gtd, int) else -1
    teams = (gt == 2 and mode == 12) or (gt == 1 and mode in (2, 4, 6, 8, 10))
    if not teams:
        return list(range(1, n + 1))
    left, right = list(range(1, 6)), list(range(6, 11))
    out = []
    for i in range(n):
        side = left if (i % 2 == 0 and left) or not right else right
        out.append(side.pop(0))
    return out


def make_session(rng, templates, names, player_pool, used_nat, index, shape):
    tpl = rng.choice(templates)
    game = copy.deepcopy(tpl)
    # as many players as the template game had, give or take (real mean: 2.5)
    n_players = max(1, len(tpl.get("pl") or []) + rng.randint(-1, 2))
    pm = rng.choice([s for s in REAL_LOBBY_SIZES if s >= n_players] or [max(REAL_LOBBY_SIZES)])
    n_players = min(n_players, pm)
    phase = rng.choices(["waiting", "playing", "exiting"], weights=[4, 7, 1])[0]
    full = n_players >= pm
    si = {"waiting": 2 if full else 1, "playing": 4 if full else 3, "exiting": 5}[phase]

    used_ids = set()
    players = []
    slots = slots_for(rng, game, n_players)
    picks = rng.sample(player_pool, min(n_players, len(player_pool)))
    while len(picks) < n_players:
        picks.append(rng.choice(player_pool))
    for slot, p in zip(slots, picks):
        q = {}
        for k, v in p.items():  # keep the real key order
            if k == "i":
                q["i"] = new_platform_id(rng, v, used_ids)
            elif k == "t":
                q["t"] = slot
            elif k in ("k", "d", "s"):
                if phase != "waiting":
                    q[k] = v
            else:
                q[k] = v
        if "t" not in q:
            q["t"] = slot
        if phase != "waiting" and not any(k in q for k in ("k", "d", "s")) \
                and rng.random() < 0.5:
            kills = rng.randint(1, 30)
            q["k"] = kills
            q["s"] = kills * 5
        players.append(q)

    base = names[index % len(names)]
    round_ = index // len(names)
    name = base if round_ == 0 else ("%s %d" % (base, round_ + 1))[: NAME_BUFFER - 1]

    for key in list(game.keys()):
        if key == "g":
            game["g"] = new_guid(rng, used_nat)
        elif key == "n":
            game["n"] = encode_session_name(rng, name)
        elif key == "pl":
            game["pl"] = players
        elif key == "si":
            game["si"] = si
        elif key == "gtm":
            game["gtm"] = 255 if rng.random() < 0.05 else (
                60 if phase == "exiting" else rng.randint(0, 120))
        elif key == "pm":
            game["pm"] = pm
        elif key == "pg":
            game["pg"] = 0 if n_players == 1 else rng.randint(20, 250)
    if shape == "iondriver":
        for k in ("proxySource", "gid", "rid", "ts"):
            game.pop(k, None)
        game["proxySource"] = "Rebellion"
        game["gid"] = "BZCC"
        game["rid"] = -(index + 2)
        game["ts"] = 60
    else:
        for k in ("proxySource", "gid", "rid", "ts"):
            game.pop(k, None)
    return game


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--sessions", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shape", choices=["iondriver", "rebellion"], default="iondriver")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    if a.sessions < 0 or a.sessions > 100000:
        sys.exit("gen-lobby: --sessions must be 0..100000")

    rng = random.Random(a.seed)
    templates, placeholder = load_captures()
    names = []
    for g in templates:
        nm = decode_session_name(g["n"])
        if nm and nm not in names:
            names.append(nm)
    player_pool = [p for g in templates for p in g.get("pl", []) if isinstance(p, dict)]

    used_nat = {g["g"] for g in templates}  # never reuse a real id
    games = [make_session(rng, templates, names, player_pool, used_nat, i, a.shape)
             for i in range(a.sessions)]
    # self-check: every id round-trips and decodes to a distinct GUID
    guids = {nat_decode(g["g"]) for g in games}
    assert len(guids) == len(games)
    assert all(nat_encode(nat_decode(g["g"])) == g["g"] for g in games)

    if a.shape == "iondriver":
        doc = {"GET": ([copy.deepcopy(placeholder)] if placeholder else []) + games,
               "requestURL": "raknetsrv2.iondriver.com/lobbyServer?__pluginShowSource=true"
                             "&__pluginQueryServers=true&__pluginShowStatus=true",
               "plugin": "Battlezone CC GameList",
               "proxyStatus": {"Rebellion": {"updated": "2024-09-15T01:23:44.9077017Z",
                                             "status": "cached", "success": True}}}
        text = "\ufeff" + json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    else:
        text = json.dumps({"GET": games}, indent=2, ensure_ascii=False) + "\n"

    data = text.encode("utf-8")
    if a.output == "-":
        sys.stdout.buffer.write(data)
    else:
        tmp = a.output + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
