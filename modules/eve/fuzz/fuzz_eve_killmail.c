/* fuzz_eve_killmail.c: libFuzzer target for the killmail decoder (every
 * shape: ESI, zkb merged, R2Z2, RedisQ, zKillboard API rows).
 *
 * A -1 must come with a reason and leave nothing allocated; a decoded
 * killmail must hold its invariants (positive id, system and hull, at least
 * one attacker, at most one final blow), survive the entity, value and
 * report code, and the report must serialise to JSON that parses again.
 * Seeds: modules/eve/fuzz/corpus/eve_killmail/ (real killmails and
 * packages). Build and run: fuzz/run.sh eve_killmail. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "modules/eve/domain/eve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int price(void *ctx, int64_t type_id, int64_t *cents)
{
	(void)ctx;
	if (type_id % 3 == 0)
		return -1;
	*cents = type_id % 1000000;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eve_killmail km;
	struct eve_side_params sp = EVE_SIDE_DEFAULTS;
	char err[256];
	int r;

	err[0] = '\0';
	r = eve_killmail_decode((const char *)data, size, &km, err, sizeof err);
	if (r < 0) {
		if (!err[0] || km.attackers || km.items)
			abort();
		return 0;
	}
	if (r == EVE_DECODED_EMPTY)
		return 0;
	if (km.killmail_id <= 0)
		abort();
	if (r == EVE_DECODED_KILLMAIL) {
		const struct eve_killmail *kp = &km;
		struct json_object *doc, *back;
		int64_t *ents = malloc((km.n_attackers + 1) * sizeof *ents), cents;
		size_t i, finals = 0;
		if (!ents || km.system_id <= 0 || !km.victim.ship_type_id || !km.n_attackers)
			abort();
		for (i = 0; i < km.n_attackers; i++)
			finals += km.attackers[i].final_blow;
		if (finals > 1)
			abort();
		if (eve_killmail_entities(&km, ents) > km.n_attackers + 1)
			abort();
		free(ents);
		eve_killmail_value(&km, price, NULL, &cents);
		doc = eve_battle_report(&kp, 1, &sp, NULL, NULL, NULL);
		if (!doc)
			abort();
		back = json_tokener_parse(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
		if (!back)
			abort();
		json_object_put(back);
		json_object_put(doc);
	}
	eve_killmail_free(&km);
	return 0;
}
