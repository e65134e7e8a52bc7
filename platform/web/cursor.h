/* cursor.h: opaque, tamper-evident keyset-paging cursors.
 *
 * A list ordered by (key DESC, id DESC) continues after the last row a page
 * showed; the cursor carries that row's (key, id). The token is
 *
 *     base64url(payload) "." base64url(tag)
 *
 * with payload = "<key in decimal>.<id>" and tag = the first 12 bytes of
 * HMAC-SHA-256(secret, list name, NUL, payload). Base64url has no padding.
 * The tag makes an edited or truncated cursor (or one from another list) a
 * clean "invalid" rather than a silently different page; it is integrity,
 * not secrecy (the position is no secret). The key is SECRET_KEY, which
 * the web app refuses to start without (cfg_check_secret in cfg.h); an
 * empty or NULL key is refused here too, so no cursor is ever signed or
 * accepted under an empty key.
 */
#ifndef GW_CURSOR_H
#define GW_CURSOR_H

#include <stdint.h>

#include "buf.h"

#define CURSOR_MAX_ID 256   /* bytes of id a cursor may carry */
#define CURSOR_MAX_LEN 512  /* longest token cursor_decode accepts */

/* Append the token for position (key, id) of list `list` to `out`.
 * list: a short constant naming the list ("sessions"); borrowed.
 * id: borrowed, at most CURSOR_MAX_ID bytes (longer ids are truncated,
 *     which the caller avoids: ids come from our own database).
 * secret: SECRET_KEY; borrowed.
 * Returns 0, or -1 (nothing appended) when secret is NULL or empty. */
int cursor_encode(struct buf *out, const char *list, int64_t key, const char *id,
		  const char *secret);

/* Check and decode `token` for list `list` with `secret` (as for
 * cursor_encode). On success returns 0, stores the key in *key and
 * appends the id to `id` (the caller releases it). Returns -1 when the
 * token is malformed (bad base64url, too long, no separator), its tag does
 * not match, the payload is not "<decimal int64>.<non-empty id>", or secret
 * is NULL or empty; then *key and `id` are unchanged. */
int cursor_decode(const char *token, const char *list, const char *secret, int64_t *key,
		  struct buf *id);

#endif
