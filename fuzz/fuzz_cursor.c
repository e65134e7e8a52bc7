/* fuzz_cursor.c: libFuzzer target for the keyset cursors of
 * platform/web/cursor.c (the `cursor` query parameter, outside input).
 *
 * Each input is used twice:
 *  1. as a token (cut at its first NUL): cursor_decode() must not crash,
 *     must leave key and id untouched on failure, and a token it accepts
 *     must be the only spelling of its position: encoding the decoded
 *     (key, id) again gives the same token byte for byte;
 *  2. as a position: the first 8 bytes are the key, the rest (cut at NUL,
 *     at most CURSOR_MAX_ID bytes) the id. Its token must decode to the
 *     same position (an empty id is refused, as cursor.h says), and every
 *     single-byte change of the token (position and byte taken from the
 *     input) must be refused.
 * The seeds in fuzz/corpus/cursor/ are tokens signed with SECRET below.
 *
 * Build and run: fuzz/run.sh cursor
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "platform/web/cursor.h"

#define SECRET "fuzz-secret-0123456789abcdef0123"
#define LIST "sessions"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf tok = BUF_INIT, id = BUF_INIT, again = BUF_INIT;
	char *s = malloc(size + 1), *pos_id;
	int64_t key = 7, k2;
	uint64_t u = 0;
	size_t i, idlen;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	/* 1. the input as a token */
	buf_addstr(&id, "x");
	if (cursor_decode(s, LIST, SECRET, &key, &id) < 0) {
		if (key != 7 || id.len != 1 || id.data[0] != 'x')
			__builtin_trap(); /* a refusal changed the outputs */
	} else {
		if (id.len < 2)
			__builtin_trap(); /* accepted an empty id */
		if (id.len - 1 <= CURSOR_MAX_ID) {
			cursor_encode(&again, LIST, key, id.data + 1, SECRET);
			if (strcmp(again.data, s))
				__builtin_trap(); /* a second spelling of one position */
		}
	}
	buf_release(&id);
	buf_release(&again);

	/* 2. the input as a position */
	for (i = 0; i < 8 && i < size; i++)
		u = u << 8 | data[i];
	key = (int64_t)u;
	pos_id = s + (size < 8 ? size : 8);
	idlen = strlen(pos_id);
	if (idlen > CURSOR_MAX_ID)
		pos_id[idlen = CURSOR_MAX_ID] = '\0';
	cursor_encode(&tok, LIST, key, pos_id, SECRET);
	k2 = ~key;
	if (cursor_decode(tok.data, LIST, SECRET, &k2, &id) < 0) {
		if (idlen)
			__builtin_trap(); /* our own token refused */
	} else if (!idlen || k2 != key || strcmp(id.data, pos_id)) {
		__builtin_trap(); /* decoded to another position */
	}
	if (tok.len && size) {
		size_t at = data[size - 1] % tok.len;
		char c = (char)(size > 1 ? data[size - 2] : 'A');
		if (c && c != tok.data[at]) {
			tok.data[at] = c;
			buf_reset(&id);
			if (cursor_decode(tok.data, LIST, SECRET, &k2, &id) == 0)
				__builtin_trap(); /* an edited token was accepted */
		}
	}
	buf_release(&tok);
	buf_release(&id);
	free(s);
	return 0;
}
