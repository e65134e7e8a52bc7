"""t62: the S3 storage backend (ASSETS_STORAGE=s3) against a local
S3-compatible fixture that checks AWS Signature V4 on every PUT and HEAD:
pictures land as bzcc/<kind>/<sha>.<ext> with their type and an immutable
Cache-Control, HEAD before PUT (stored once), bad credentials refused with
nothing linked, and ASSETS_CDN_BASE (the store's public URL) is what the
view model then carries. Afterwards the file backend is restored."""
import hashlib
import urllib.request

from enrichtest import Fixture, poll_captures, reset_breakers, run
from gwtest import done, ok, psql, scalar

fx = Fixture()
s3 = Fixture(role="s3", s3_access_key="GWTESTKEY", s3_secret_key="gw/test+secret",
             s3_bucket="gw-assets")
if not int(scalar("SELECT count(*) FROM bzcc.maps")):
    poll_captures()
reset_breakers()
rc, out = run("enrich", fx, "--once", "--force")
ok(rc == 0, "enrich against this run's fixture", out[-500:])
S3 = {"ASSETS_STORAGE": "s3", "S3_ENDPOINT": s3.base, "S3_BUCKET": "gw-assets",
      "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "GWTESTKEY",
      "S3_SECRET_ACCESS_KEY": "gw/test+secret", "ASSETS_CDN_BASE": s3.base + "/gw-assets/"}

# bad credentials first: every PUT/HEAD is refused, nothing is linked anew
psql("DELETE FROM asset_sources")
links_before = psql("SELECT entity_kind, entity_key, sha256 FROM asset_links ORDER BY 1, 2")
bad = dict(S3, S3_SECRET_ACCESS_KEY="wrong")
rc, out = run("mirror", fx, "--once", "--force", "--only", "map", **bad)
ok(rc == 0 and not s3.objects() and "403" in out,
   "wrong secret: the store answers 403 and nothing is stored", out[-800:])
ok(psql("SELECT entity_kind, entity_key, sha256 FROM asset_links ORDER BY 1, 2") == links_before,
   "wrong secret: links unchanged")
ok("secret" not in out.replace("S3_SECRET", ""), "the secret never appears in the log")

reset_breakers()
psql("DELETE FROM enrich_items WHERE kind LIKE 'mirror:%'")
psql("DELETE FROM asset_sources")
rc, out = run("mirror", fx, "--once", **S3)
ok(rc == 0 and "mirror done" in out, "mirror into S3 exits 0", out[-800:])
objs = {o["key"]: o for o in s3.objects()}
rows = psql("SELECT path, sha256, mime, storage FROM assets WHERE storage = 's3'")
ok(rows and all(r[0] in objs for r in rows), "every picture stored as an object",
   len(rows), len(objs))
ok(all(objs[r[0]]["sha256"] == r[1] and r[0].split("/")[-1].startswith(r[1]) for r in rows
       if r[0] in objs), "object content hashes to the SHA-256 in its key")
ok(all(objs[r[0]]["content_type"] == r[2] for r in rows if r[0] in objs),
   "objects carry their image type")
puts = [q for q in s3.requests("/gw-assets/") if q["method"] == "PUT"]
heads = [q for q in s3.requests("/gw-assets/") if q["method"] == "HEAD"]
ok(len(puts) == len(objs) and len(heads) >= len(objs), "HEAD before PUT, one PUT per object",
   len(puts), len(heads), len(objs))
psql("DELETE FROM asset_sources")
psql("DELETE FROM enrich_items WHERE kind LIKE 'mirror:%'")
rc, out = run("mirror", fx, "--once", **S3)
puts2 = [q for q in s3.requests("/gw-assets/") if q["method"] == "PUT"]
ok(rc == 0 and len(puts2) == len(puts), "a second run finds the objects (HEAD) and PUTs nothing",
   len(puts2) - len(puts))
some = rows[0][0] if rows else ""
with urllib.request.urlopen(s3.base + "/gw-assets/" + some, timeout=5) as r:
    body = r.read()
ok(hashlib.sha256(body).hexdigest() == rows[0][1], "the public URL serves the object")

# the view model points at ASSETS_CDN_BASE of the process that builds it
doc = scalar("SELECT bzcc.enrich_session(data, :'v1')::text FROM bzcc.sessions"
             " WHERE ended_at IS NULL AND map_key LIKE '%vsrdomain' LIMIT 1", S3["ASSETS_CDN_BASE"])
ok(doc and (S3["ASSETS_CDN_BASE"] + "bzcc/map/") in doc,
   "map.image_url is under ASSETS_CDN_BASE when it names the S3 store")

# back to the file backend for the tests that follow
psql("DELETE FROM asset_sources")
psql("DELETE FROM enrich_items WHERE kind LIKE 'mirror:%'")
rc, out = run("mirror", fx, "--once")
ok(rc == 0 and scalar("SELECT count(*) FROM assets WHERE storage = 's3'") == "0",
   "file backend restored", out[-500:])
reset_breakers()
done()
