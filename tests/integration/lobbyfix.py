"""lobbyfix: a local stand-in for the two lobby sources (the RakNet
lobbyServer and the MultiplayerSessionList API), for the integration tests
of the BZCC poller (python3 stdlib only, 127.0.0.1 only).

    srv = LobbyServer()            # starts in a thread on a free port
    srv.set("/lobbyServer", body_bytes)            # 200 with that body
    srv.set("/api/1.0/sessions", None, status=503)  # an error status
    srv.set("/slow", body, delay=10)               # answers after 10 s
    srv.url("/lobbyServer?x=1")  -> "http://127.0.0.1:PORT/lobbyServer?x=1"
    srv.hits("/lobbyServer")     -> how many requests that path got
    srv.close()

The bodies served are real captures (tests/data/bzcc), optionally edited by
the test; the server only decides status, delay and which body."""
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LobbyServer:
    def __init__(self):
        self.routes = {}
        self.counts = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                with owner.lock:
                    owner.counts[path] = owner.counts.get(path, 0) + 1
                    route = owner.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, status, delay = route
                if delay:
                    time.sleep(delay)
                body = body or b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def set(self, path, body, status=200, delay=0):
        with self.lock:
            self.routes[path] = (body, status, delay)

    def url(self, path_and_query, userinfo=""):
        return "http://%s127.0.0.1:%d%s" % (userinfo + "@" if userinfo else "", self.port,
                                            path_and_query)

    def hits(self, path):
        with self.lock:
            return self.counts.get(path, 0)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
