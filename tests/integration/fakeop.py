"""fakeop: a stand-in OpenID 2.0 provider on a loopback port, shaped like
Steam's (https://steamcommunity.com/openid/login), for the sign-in tests.

It implements what the relying party uses (OpenID Authentication 2.0):
* checkid_setup (§9) with identifier_select: it authenticates nobody, it
  answers at once with a positive assertion (§10.1) for the SteamID64 the
  test names in the extra query parameter `fake_user`, redirecting (302)
  to openid.return_to with the assertion's fields added to its query;
* check_authentication (§11.4.2): it recomputes the signature over the
  fields named in openid.signed and answers in Key-Value Form (§4.1.1)
  `is_valid:true` or `is_valid:false`. Like an OP that keeps no record of
  what it verified, it confirms a replayed assertion again: refusing a
  replay is the relying party's job (its nonce store).

The signature is HMAC-SHA256 over the Key-Value Form of the signed fields
(§6.1), keyed with a secret of this instance: only this instance can make
assertions it will confirm. Extra parameters of checkid_setup change the
assertion for the tests: `fake_claimed` (another claimed_id and identity),
`fake_nonce_age` (seconds to back-date the nonce), `fake_mode` (e.g.
"cancel"), `fake_op_endpoint` (claim another endpoint inside the signed
assertion). Every request is recorded in `requests` (method, mode)."""
import base64
import hashlib
import hmac
import http.server
import secrets
import threading
import time
import urllib.parse

NS = "http://specs.openid.net/auth/2.0"
SIGNED = "signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle"


class FakeOP:
    def __init__(self, port=0):
        self.secret = secrets.token_bytes(32)
        self.requests = []
        op = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
                op.requests.append(("GET", q.get("openid.mode"), q))
                if u.path != "/openid/login" or q.get("openid.mode") != "checkid_setup":
                    self.send_error(400)
                    return
                loc = op.assertion_url(q)
                self.send_response(302)
                self.send_header("Location", loc)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                q = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                op.requests.append(("POST", q.get("openid.mode"), q))
                if q.get("openid.mode") != "check_authentication":
                    self.send_error(400)
                    return
                valid = op.verify(q)
                out = ("ns:%s\nis_valid:%s\n" % (NS, "true" if valid else "false")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.endpoint = "http://127.0.0.1:%d/openid/login" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def sign(self, fields):
        names = fields["openid.signed"].split(",")
        kv = "".join("%s:%s\n" % (n, fields.get("openid." + n, "")) for n in names)
        return base64.b64encode(hmac.new(self.secret, kv.encode(), hashlib.sha256).digest()).decode()

    def verify(self, q):
        if "openid.signed" not in q or "openid.sig" not in q:
            return False
        return hmac.compare_digest(self.sign(q), q["openid.sig"])

    def assertion(self, q):
        """The openid.* fields of a positive assertion for checkid_setup
        parameters q."""
        sid = q.get("fake_user", "76561197960287930")
        claimed = q.get("fake_claimed", "https://steamcommunity.com/openid/id/" + sid)
        t = time.time() - float(q.get("fake_nonce_age", "0"))
        nonce = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) + secrets.token_hex(6)
        f = {
            "openid.ns": NS,
            "openid.mode": q.get("fake_mode", "id_res"),
            "openid.op_endpoint": q.get("fake_op_endpoint", self.endpoint),
            "openid.claimed_id": claimed,
            "openid.identity": claimed,
            "openid.return_to": q["openid.return_to"],
            "openid.response_nonce": nonce,
            "openid.assoc_handle": "1234567890",
            "openid.signed": SIGNED,
        }
        f["openid.sig"] = self.sign(f)
        return f

    def assertion_url(self, q):
        rt = q["openid.return_to"]
        return rt + ("&" if "?" in rt else "?") + urllib.parse.urlencode(self.assertion(q))

    def checks(self):
        """How many check_authentication requests arrived."""
        return sum(1 for m, mode, _ in self.requests if m == "POST" and mode == "check_authentication")
