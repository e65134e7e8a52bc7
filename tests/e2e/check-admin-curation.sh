#!/usr/bin/env bash
# tests/e2e/check-admin-curation.sh: curation end to end in headless Chromium
# (tests/e2e/admin-curation.mjs, playwright-core from npm driving Debian's
# Chromium): a user proposes a map title and picture through the forms, the
# local admin created by `gamewatch-job user add --role admin` signs in,
# approves it in the curation queue, and a visitor sees the change on the
# public map page. Screenshot: tests/e2e/admin-curation.png (gitignored).
# Needs the services: when BASE_URL is unset it runs itself through
# tests/integration/run.sh, which starts them on free ports and stops them.
# Prints ok/not ok lines (and, standalone, "N passed, N failed").
#
# Env: CHROMIUM, GW_SCREENSHOT.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -z "${BASE_URL:-}" ]; then
	exec "$here/../integration/run.sh" "$here/check-admin-curation.sh"
fi
: "${BUILD_DIR:?}" "${SRCDIR:?}"

n_fail=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; n_fail=$((n_fail + 1)); }

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { not_ok "chromium is installed (apt-get install chromium)"; exit 1; }
[ -d "$SRCDIR/node_modules/playwright-core" ] \
	|| { not_ok "playwright-core is installed (npm ci in the checkout: ./dev build does)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=${GW_RUN:-$work}/log
mkdir -p "$log"
fixture=$SRCDIR/tests/data/bzcc/msl-api-v1/2024-08-30_data.json
if RAKNET_URL="file://$fixture" timeout 60 "$BUILD_DIR/gamewatch-job" poll-bzcc --once >"$log/e2e-curation.log" 2>&1; then
	ok "seed: poll the 2024-08-30 capture"
else
	not_ok "seed: poll the 2024-08-30 capture" "$(tail -n 5 "$log/e2e-curation.log")"
fi
# the web app stores the upload itself: earlier scripts of this run may have
# mirrored pictures as root, whose folders the workers (GW_APP_USER) must be
# able to write again (on a host the jobs and the workers are one user)
if [ "$(id -u)" = 0 ] && [ -n "${GW_APP_USER:-}" ] && [ -d "${GW_DATA_DIR:-}/assets" ]; then
	chown -R "$GW_APP_USER:" "$GW_DATA_DIR/assets"
fi
map_key=$(psql "$DATABASE_URL" -XAtc "SELECT map_key FROM bzcc.sessions WHERE name = 'vsr' AND ended_at IS NULL")
admin=e2e-admin user=e2e-user
admin_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n') user_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
if printf '%s\n' "$admin_pw" | "$BUILD_DIR/gamewatch-job" user add "$admin" --role admin --password-stdin >>"$log/e2e-curation.log" 2>&1 &&
	printf '%s\n' "$user_pw" | "$BUILD_DIR/gamewatch-job" user add "$user" --password-stdin >>"$log/e2e-curation.log" 2>&1; then
	ok "gamewatch-job user add: the local admin and a user"
else
	not_ok "gamewatch-job user add" "$(tail -n 5 "$log/e2e-curation.log")"
fi
# a 48x32 PNG (PNG spec: signature, IHDR, IDAT, IEND), made here
python3 - "$work/thumb.png" <<'PY'
import struct, sys, zlib
w, h = 48, 32
raw = b"".join(b"\x00" + b"".join(bytes((x * 5 % 256, y * 8 % 256, 160)) for x in range(w)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
shot=${GW_SCREENSHOT:-$SRCDIR/tests/e2e/admin-curation.png}
rm -f "$shot"
CHROMIUM=$chromium timeout -k 5 120 node "$here/admin-curation.mjs" "$BASE_URL" "$map_key" "$user" "$user_pw" \
	"$admin" "$admin_pw" "$work/thumb.png" "$shot" || n_fail=$((n_fail + 1))
exit $(( n_fail > 0 ))
