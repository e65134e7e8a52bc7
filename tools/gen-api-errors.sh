#!/bin/sh
# tools/gen-api-errors.sh DIR: the JSON bodies the web servers send for the
# errors they raise themselves on /api/ paths and /healthz (body limits,
# the pool down or slow, bad requests), so that every /api/ error is JSON
# of the app's own shape {"error": ..., "detail": ...} (docs/api.md).
#
# Writes DIR/status-<code>.html for each code below.  The files hold JSON;
# the ".html" is what lighttpd's server.errorfile-prefix appends, and both
# confs declare them application/json (apache/*.conf.in).
set -eu
dir=${1:?usage: gen-api-errors.sh DIR}
mkdir -p "$dir"
while IFS='|' read -r code error why; do
	[ -n "$code" ] || continue
	printf '{"error":"%s","detail":"The web server answered this request itself (HTTP %s): %s"}\n' \
		"$error" "$code" "$why" >"$dir/status-$code.html"
done <<'LIST'
400|bad request|it could not read the request.
401|unauthorized|the request needs credentials.
403|forbidden|this path may not be requested.
404|not found|no resource has this path.
405|method not allowed|this path does not answer that method.
408|request timeout|the request did not arrive in time.
411|length required|a request body needs a Content-Length.
413|payload too large|the request body is larger than this path accepts.
414|uri too long|the request URI is too long.
415|unsupported media type|the request body has a type this path does not accept.
416|range not satisfiable|the requested range is outside the resource.
417|expectation failed|the Expect header cannot be met.
426|upgrade required|the request needs another protocol.
431|request header fields too large|the request headers are too large.
500|internal server error|it failed while handling the request.
501|not implemented|it does not support this request.
502|bad gateway|the application did not answer; try again in a moment.
503|service unavailable|the application is not available; try again in a moment.
504|gateway timeout|the application did not answer in time; try again in a moment.
505|http version not supported|the request uses an HTTP version it does not speak.
LIST
