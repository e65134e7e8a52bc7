"""fakesso: a stand-in OAuth 2.0 authorization server on a loopback port,
shaped like EVE Online's SSO (login.eveonline.com), for the sign-in tests.

What it serves is what EVE's documents describe (developers.eveonline.com,
"Single Sign-On" and "Validating JWT tokens"):
* /.well-known/oauth-authorization-server: RFC 8414 metadata (issuer,
  authorization_endpoint /v2/oauth/authorize, token_endpoint
  /v2/oauth/token, jwks_uri /oauth/jwks, code_challenge_methods ["S256"]);
* /oauth/jwks: a JWK set with an RSA key (kid "JWT-Signature-Key", RS256)
  made by the test (`openssl genpkey`) and an EC key beside it, as EVE's
  set has both;
* /v2/oauth/authorize: authenticates nobody; checks response_type=code,
  the client id, redirect_uri and an S256 code_challenge, remembers them
  with a new single-use code, and redirects (302) to redirect_uri with code
  and state. Extra query parameters choose what the token will say:
  fake_character (the character id), fake_name, fake_tweak (expired,
  wrong_key, wrong_aud, no_eve_aud, wrong_iss, hs256, none, other_kid);
* /v2/oauth/token: RFC 6749 §4.1.3 with RFC 7636 §4.6: HTTP Basic
  client_id:secret, grant_type=authorization_code, the code (used once),
  the same redirect_uri, and BASE64URL(SHA-256(code_verifier)) must equal
  the challenge; else 400 {"error": "invalid_grant" | "invalid_client" ...}.
  The access token is an RS256 JWT with EVE's claims (scp, jti, kid, sub
  "CHARACTER:EVE:<id>", azp, tenant, tier, region, aud [client id, "EVE
  Online"], name, owner, exp (20 minutes), iat, iss the host name).
Signatures are made with `openssl dgst -sha256 -sign` (python3 stdlib
otherwise). Every request is counted in `hits` by path; token requests and
their outcome are kept in `token_requests`."""
import base64
import hashlib
import http.server
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

KID = "JWT-Signature-Key"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Key:
    """An RSA key made by openssl in a temp dir."""

    def __init__(self, tmp, name):
        self.path = os.path.join(tmp, name + ".pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.path], check=True, capture_output=True)
        mod = subprocess.run(["openssl", "rsa", "-in", self.path, "-noout", "-modulus"], check=True,
                             capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        self.n = b64url(bytes.fromhex(mod))
        self.e = b64url((65537).to_bytes(3, "big"))
        pub = subprocess.run(["openssl", "pkey", "-in", self.path, "-pubout"], check=True,
                             capture_output=True).stdout
        self.public_pem = pub

    def sign(self, data):
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.path], input=data, check=True,
                              capture_output=True).stdout


def ec_point(tmp):
    """(x, y) base64url of a new P-256 public key."""
    path = os.path.join(tmp, "ec.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", path], check=True, capture_output=True)
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    point = der[-65:]  # the uncompressed point 04 || x || y ends the SubjectPublicKeyInfo
    return b64url(point[1:33]), b64url(point[33:])


class FakeSSO:
    def __init__(self, port, client_id, client_secret):
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.client_id = client_id
        self.client_secret = client_secret
        self.tmp = tempfile.mkdtemp(prefix="fakesso-")
        self.key = Key(self.tmp, "sso")
        self.evil = Key(self.tmp, "evil")   # a key nobody published
        self.ec = ec_point(self.tmp)        # the EC key EVE publishes beside the RSA one
        self.codes = {}
        self.hits = {}
        self.token_requests = []
        self.lock = threading.Lock()
        sso = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body=b"", ctype="application/json", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                if body:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
                sso.count(u.path)
                if u.path == "/.well-known/oauth-authorization-server":
                    self.reply(200, json.dumps(sso.metadata()).encode())
                elif u.path == "/oauth/jwks":
                    self.reply(200, json.dumps(sso.jwks()).encode())
                elif u.path == "/v2/oauth/authorize":
                    st, loc = sso.authorize(q)
                    if st == 302:
                        self.reply(302, headers=[("Location", loc)])
                    else:
                        self.reply(st, json.dumps({"error": loc}).encode())
                else:
                    self.reply(404)

            def do_POST(self):
                u = urllib.parse.urlsplit(self.path)
                sso.count(u.path)
                n = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode(), keep_blank_values=True))
                if u.path != "/v2/oauth/token":
                    self.reply(404)
                    return
                st, body = sso.token(form, self.headers.get("Authorization", ""),
                                     self.headers.get("Content-Type", ""))
                self.reply(st, json.dumps(body).encode())

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def count(self, path):
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def metadata(self):
        return {"issuer": self.base,
                "authorization_endpoint": self.base + "/v2/oauth/authorize",
                "token_endpoint": self.base + "/v2/oauth/token",
                "response_types_supported": ["code", "token"],
                "jwks_uri": self.base + "/oauth/jwks",
                "revocation_endpoint": self.base + "/v2/oauth/revoke",
                "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"]}

    def jwks(self):
        return {"keys": [
            {"alg": "RS256", "e": self.key.e, "kid": KID, "kty": "RSA", "n": self.key.n, "use": "sig"},
            {"alg": "ES256", "crv": "P-256", "kid": "JWT-Signature-Key-2", "kty": "EC", "use": "sig",
             "x": self.ec[0], "y": self.ec[1]}],
            "SkipUnresolvedJsonWebKeys": True}

    def authorize(self, q):
        if q.get("response_type") != "code":
            return 400, "unsupported_response_type"
        if q.get("client_id") != self.client_id:
            return 400, "invalid_client"
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            return 400, "invalid_request"
        if not q.get("redirect_uri") or not q.get("state"):
            return 400, "invalid_request"
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                                "character": q.get("fake_character", "2112000001"),
                                "name": q.get("fake_name", "Test Pilot"),
                                "tweak": q.get("fake_tweak", ""), "scope": q.get("scope")}
        sep = "&" if "?" in q["redirect_uri"] else "?"
        return 302, q["redirect_uri"] + sep + urllib.parse.urlencode({"code": code, "state": q["state"]})

    def token(self, form, authorization, ctype):
        rec = {"form": form, "basic": authorization}
        self.token_requests.append(rec)

        def refuse(error, status=400):
            rec["result"] = error
            return status, {"error": error, "error_description": error.replace("_", " ")}
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return refuse("invalid_request")
        want = "Basic " + base64.b64encode(("%s:%s" % (urllib.parse.quote(self.client_id, safe=""),
                                                      urllib.parse.quote(self.client_secret, safe="")))
                                           .encode()).decode()
        if authorization != want:
            return refuse("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type")
        with self.lock:
            c = self.codes.pop(form.get("code", ""), None)   # single use
        if not c:
            return refuse("invalid_grant")
        if form.get("redirect_uri") != c["redirect_uri"]:
            return refuse("invalid_grant")
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != c["challenge"]:
            return refuse("invalid_grant")
        rec["result"] = "ok"
        return 200, {"access_token": self.jwt(c), "expires_in": 1199, "token_type": "Bearer",
                     "refresh_token": b64url(secrets.token_bytes(16))}

    def jwt(self, c):
        now = int(time.time())
        tweak = c["tweak"]
        claims = {"scp": ["publicData"] if c["scope"] else [], "jti": secrets.token_hex(16), "kid": KID,
                  "sub": "CHARACTER:EVE:" + c["character"], "azp": self.client_id, "tenant": "tranquility",
                  "tier": "live", "region": "world", "aud": [self.client_id, "EVE Online"],
                  "name": c["name"], "owner": b64url(secrets.token_bytes(20)), "exp": now + 1200,
                  "iat": now, "iss": "127.0.0.1:%d" % self.port}
        header = {"alg": "RS256", "kid": KID, "typ": "JWT"}
        key = self.key
        if tweak == "expired":
            claims["exp"], claims["iat"] = now - 3600, now - 4800
        elif tweak == "wrong_key":
            key = self.evil
        elif tweak == "other_kid":
            key, header["kid"] = self.evil, "JWT-Signature-Key-old"
        elif tweak == "wrong_aud":
            claims["aud"] = ["someone-elses-client", "EVE Online"]
            claims["azp"] = "someone-elses-client"
        elif tweak == "no_eve_aud":
            claims["aud"] = self.client_id
        elif tweak == "wrong_iss":
            claims["iss"] = "https://login.evil.example"
        head = b64url(json.dumps(header, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = (head + "." + body).encode()
        if tweak == "none":
            head = b64url(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
            return head + "." + body + "."
        if tweak == "hs256":
            # HMAC keyed with the published public key: the algorithm confusion attack
            import hmac
            head = b64url(json.dumps({"alg": "HS256", "kid": KID, "typ": "JWT"}, separators=(",", ":")).encode())
            signing_input = (head + "." + body).encode()
            sig = hmac.new(self.key.public_pem, signing_input, hashlib.sha256).digest()
            return head + "." + body + "." + b64url(sig)
        return head + "." + body + "." + b64url(key.sign(signing_input))
