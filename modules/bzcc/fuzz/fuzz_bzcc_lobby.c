/* fuzz_bzcc_lobby.c: libFuzzer target for the BZCC lobby decoder.
 *
 * Each input is a whole upstream document (raw RakNet or MSL API 1.0 shape).
 * On success every session is also rendered with bzcc_session_to_json() and
 * serialised, its join argument decoded back, the operator's rules applied
 * and the lobby merged with a second decode of itself; then everything is
 * freed. A -1 with a message is fine; a
 * crash, leak, sanitizer report or an empty error message is not.
 * Seeds: modules/bzcc/fuzz/corpus/ (the real captures). Build and run: fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "modules/bzcc/domain/bzcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bzcc_lobby lobby;
	char err[256];
	size_t i;

	memset(&lobby, 0, sizeof(lobby));
	err[0] = '\0';
	if (bzcc_lobby_decode((const char *)data, size, &lobby, err, sizeof(err))) {
		/* Failure must explain itself and leave nothing behind. */
		if (!err[0] || lobby.sessions || lobby.n_sessions)
			abort();
		return 0;
	}
	if (lobby.kind != BZCC_KIND_RAKNET && lobby.kind != BZCC_KIND_MSL_V1)
		abort();
	for (i = 0; i < lobby.n_sessions; i++) {
		struct json_object *js = bzcc_session_to_json(&lobby.sessions[i]);
		const char *text = json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN);
		/* The view must itself be valid JSON (strings are UTF-8). */
		struct json_object *back = json_tokener_parse(text);
		if (!back)
			abort();
		json_object_put(back);
		json_object_put(js);
		/* a join argument made of the session decodes back to it */
		if (lobby.sessions[i].join_hex) {
			char *name, *mods, *nat;
			if (bzcc_join_decode(lobby.sessions[i].join_hex, &name, &mods, &nat) == 0) {
				if (strcmp(nat, lobby.sessions[i].nat_id))
					abort();
				free(name);
				free(mods);
				free(nat);
			} else if (strlen(lobby.sessions[i].join_hex) <= 2048) {
				abort();
			}
		}
	}
	/* the operator's rules and a merge with itself keep the lobby whole */
	{
		struct bzcc_rules rules;
		struct bzcc_lobby again;
		char why[128];
		if (bzcc_rules_parse(&rules, "S76561198022218242", "S1", NULL, "^t", false, why,
				     sizeof why) == 0)
			bzcc_lobby_apply_rules(&lobby, &rules);
		bzcc_rules_free(&rules);
		memset(&again, 0, sizeof again);
		if (bzcc_lobby_decode((const char *)data, size, &again, err, sizeof(err)) == 0) {
			size_t before = lobby.n_sessions;
			bzcc_lobby_merge(&lobby, &again, true);
			if (lobby.n_sessions < before)
				abort();
			bzcc_lobby_free(&again);
		}
	}
	bzcc_lobby_free(&lobby);
	return 0;
}
