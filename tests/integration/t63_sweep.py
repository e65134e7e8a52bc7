"""t63: the integrity sweep (gamewatch-job asset-sweep): intact files are
verified; a damaged file is quarantined after ASSETS_QUARANTINE_AFTER (3)
failed sweeps, leaves the served tree and the view model, and is mirrored
again; a missing file is forgotten and mirrored again; a second copy of one
content is removed (dedupe); a valid unrecorded file is adopted, an invalid
one quarantined; stale temporary files are removed."""
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("SRCDIR", "."), "tests", "fixtures"))
import upstream  # noqa: E402 (the fixture's picture makers)

from enrichtest import (ASSETS_ROOT, QUARANTINE, Fixture, asset_files, bad_asset_files,
                        poll_captures, reset_breakers, run)
from gwtest import done, ok, psql, scalar

fx = Fixture()
if not int(scalar("SELECT count(*) FROM bzcc.maps")):
    poll_captures()
reset_breakers()
run("enrich", fx, "--once", "--force")
psql("DELETE FROM asset_sources")
psql("DELETE FROM enrich_items WHERE kind LIKE 'mirror:%'")
rc, out = run("mirror", fx, "--once")
ok(rc == 0 and not bad_asset_files(), "setup: mirrored files intact", out[-500:])

rc, out = run("asset-sweep", fx)
n = int(scalar("SELECT count(*) FROM assets WHERE quarantined_at IS NULL"))
ok(rc == 0 and "%d verified, 0 failed" % n in out, "sweep: every file verified", out[-400:])

# a damaged map picture: three failed sweeps, then quarantine
sha, path, key = psql("SELECT a.sha256, a.path, l.entity_key FROM assets a JOIN asset_links l"
                      " ON l.sha256 = a.sha256 WHERE l.entity_kind = 'map' ORDER BY 1 LIMIT 1")[0]
full = os.path.join(ASSETS_ROOT, path)
with open(full, "r+b") as f:
    f.seek(40)
    f.write(b"\x00garbage\x00")
for i in (1, 2):
    rc, out = run("asset-sweep", fx)
    st = psql("SELECT verify_failures, quarantined_at IS NULL FROM assets WHERE sha256 = :'v1'",
              sha)[0]
    ok(st == [str(i), "t"] and os.path.exists(full), "damaged file: sweep %d counts a failure" % i,
       st)
rc, out = run("asset-sweep", fx)
st = psql("SELECT verify_failures, quarantined_at IS NOT NULL FROM assets WHERE sha256 = :'v1'",
          sha)[0]
moved = [f for f in os.listdir(QUARANTINE) if f.endswith(os.path.basename(path))] \
    if os.path.isdir(QUARANTINE) else []
ok(st == ["3", "t"] and not os.path.exists(full) and moved,
   "damaged file: quarantined out of the served tree after 3 sweeps", st, moved)
url = scalar("SELECT gw_asset_url('map', :'v1', '/assets/')", key)
ok(url is None or url == "", "quarantined picture no longer in the view model", url)
due = scalar("SELECT next_attempt_at <= now() FROM enrich_items WHERE kind = 'mirror:map'"
             " AND key = :'v1'", key)
ok(due == "t", "its entity is due for mirroring again", due)
rc, out = run("mirror", fx, "--once", "--only", "map")
ok(os.path.exists(full) and scalar("SELECT quarantined_at IS NULL FROM assets WHERE sha256 = :'v1'",
                                   sha) == "t",
   "mirror fetched it again: intact file back, no longer quarantined", out[-400:])

# a missing file is forgotten and mirrored again
sha2, path2 = psql("SELECT sha256, path FROM assets WHERE kind = 'avatar' ORDER BY 1 LIMIT 1")[0]
os.unlink(os.path.join(ASSETS_ROOT, path2))
rc, out = run("asset-sweep", fx)
ok("1 missing" in out and scalar("SELECT count(*) FROM assets WHERE sha256 = :'v1'", sha2) == "0",
   "missing file: row dropped", out[-300:])
rc, out = run("mirror", fx, "--once", "--only", "avatar")
ok(os.path.exists(os.path.join(ASSETS_ROOT, path2)), "missing file: mirrored again", out[-300:])

# dedupe: a second copy of one content under another kind
dup = os.path.join(ASSETS_ROOT, "bzcc", "mod", os.path.basename(path))
with open(full, "rb") as f:
    data = f.read()
with open(dup, "wb") as f:
    f.write(data)
# an unrecorded valid picture, an unrecorded invalid one, a stale temporary file
png = upstream.make_png("t63-adopt")
adopt = os.path.join(ASSETS_ROOT, "bzcc", "map", hashlib.sha256(png).hexdigest() + ".png")
with open(adopt, "wb") as f:
    f.write(png)
junk = os.path.join(ASSETS_ROOT, "bzcc", "map", "0" * 64 + ".png")
with open(junk, "wb") as f:
    f.write(b"<html>not a picture</html>")
tmp = os.path.join(ASSETS_ROOT, "bzcc", "map", ".tmp-stale-1")
with open(tmp, "wb") as f:
    f.write(b"partial")
old = time.time() - 7200
os.utime(tmp, (old, old))
rc, out = run("asset-sweep", fx)
ok(not os.path.exists(dup) and os.path.exists(full) and "1 duplicates removed" in out,
   "dedupe: the second copy removed, the recorded one kept", out[-400:])
ok(scalar("SELECT count(*) FROM assets WHERE path = :'v1'",
          "bzcc/map/" + os.path.basename(adopt)) == "1" and "1 adopted" in out,
   "a valid content-named file is adopted")
ok(not os.path.exists(junk), "an invalid unrecorded file is quarantined")
ok(not os.path.exists(tmp) and "1 temporary files removed" in out, "stale temporary file removed")
ok(not bad_asset_files(), "the served tree holds only intact, content-named pictures",
   *bad_asset_files()[:5])
reset_breakers()
done()
