/* catalog.c: the engine's lists (event types of both generations, weapons,
 * means of death, hit locations, maps) as constant tables.
 *
 * Sources (facts, restated): event names and their fields from
 * MOHCentral/opm-stats-system @ 6d702e0 global/tracker.scr (the original
 * generation; the field table is tests/data/mohaa/payloads/
 * tracker_payload_fields.csv) and the engine event names the later scripts
 * send (opm-stats-game-scripts @ e7f389a); weapons from openmoh/openmohaa
 * @ 44ce059 code/fgame/item.cpp and code/cgame/cg_viewmodelanim.c; means of
 * death from code/fgame/g_utils.cpp and bg_public.h; hit locations from
 * code/fgame/weaputils.cpp; map names from code/cgame/cg_servercmds.c and the
 * community names in tests/data/mohaa/openmohaa_maps.csv. The unit tests
 * check every row of those CSV files against these tables. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/mohaa/domain/internal.h"

/* ---- event types ---------------------------------------------------------- */

struct type_info {
	const char *name;     /* canonical (original generation) name */
	const char *blocks;   /* player blocks: prefixes of <prefix>_<suffix> fields */
	bool pos;             /* pos_x, pos_y, pos_z */
	const char *keys;     /* other fields, space-separated */
	const char *required; /* required fields, space-separated; "a|b": either */
};

static const struct type_info types[MOHAA_EV_COUNT] = {
	[MOHAA_EV_UNKNOWN] = { "unknown", "", false, "", "" },
	[MOHAA_EV_MATCH_START] = { "match_start", "", false,
		"map_name gametype timelimit fraglimit maxclients", "" },
	[MOHAA_EV_MATCH_END] = { "match_end", "", false,
		"map_name duration winning_team allies_score axis_score total_rounds winner", "" },
	[MOHAA_EV_ROUND_START] = { "round_start", "", false, "round_number map_name", "" },
	[MOHAA_EV_ROUND_END] = { "round_end", "", false,
		"round_number winning_team allies_score axis_score map_name winner", "" },
	[MOHAA_EV_HEARTBEAT] = { "heartbeat", "", false,
		"map_name gametype round_number allies_score axis_score player_count maxclients", "" },
	[MOHAA_EV_KILL] = { "kill", "attacker victim player", false,
		"weapon hitloc inflictor mod", "victim_name|victim_guid|player_name|player_guid" },
	[MOHAA_EV_DEATH] = { "death", "player attacker", true, "inflictor weapon mod hitloc",
		"player_name|player_guid" },
	[MOHAA_EV_DAMAGE] = { "damage", "victim attacker", false, "damage weapon mod hitloc inflictor",
		"victim_name|victim_guid damage" },
	[MOHAA_EV_WEAPON_FIRE] = { "weapon_fire", "player", true,
		"weapon ammo_remaining aim_pitch aim_yaw", "player_name|player_guid" },
	[MOHAA_EV_WEAPON_HIT] = { "weapon_hit", "player target victim", true, "hitloc weapon damage",
		"player_name|player_guid" },
	[MOHAA_EV_HEADSHOT] = { "headshot", "player victim target", true, "weapon hitloc",
		"player_name|player_guid" },
	[MOHAA_EV_RELOAD] = { "reload", "player", true, "weapon", "player_name|player_guid" },
	[MOHAA_EV_RELOAD_DONE] = { "reload_done", "player", true, "weapon", "player_name|player_guid" },
	[MOHAA_EV_WEAPON_CHANGE] = { "weapon_change", "player", true, "old_weapon new_weapon weapon",
		"player_name|player_guid" },
	[MOHAA_EV_GRENADE_THROW] = { "grenade_throw", "player", true, "projectile weapon",
		"player_name|player_guid" },
	[MOHAA_EV_GRENADE_EXPLODE] = { "grenade_explode", "player", true, "projectile weapon", "" },
	[MOHAA_EV_JUMP] = { "jump", "player", true, "", "player_name|player_guid" },
	[MOHAA_EV_LAND] = { "land", "player", true, "fall_height", "player_name|player_guid" },
	[MOHAA_EV_CROUCH] = { "crouch", "player", true, "", "player_name|player_guid" },
	[MOHAA_EV_PRONE] = { "prone", "player", true, "", "player_name|player_guid" },
	[MOHAA_EV_DISTANCE] = { "distance", "player", true, "walked sprinted driven swam",
		"player_name|player_guid" },
	[MOHAA_EV_LADDER_MOUNT] = { "ladder_mount", "player", true, "", "player_name|player_guid" },
	[MOHAA_EV_LADDER_DISMOUNT] = { "ladder_dismount", "player", true, "", "player_name|player_guid" },
	[MOHAA_EV_ITEM_PICKUP] = { "item_pickup", "player", true, "item count", "player_name|player_guid" },
	[MOHAA_EV_ITEM_DROP] = { "item_drop", "player", true, "item count", "player_name|player_guid" },
	[MOHAA_EV_USE] = { "use", "player", true, "entity", "player_name|player_guid" },
	[MOHAA_EV_CONNECT] = { "connect", "player", false, "client_num", "player_name|player_guid" },
	[MOHAA_EV_DISCONNECT] = { "disconnect", "player", false, "client_num", "player_name|player_guid" },
	[MOHAA_EV_SPAWN] = { "spawn", "player", true, "team", "player_name|player_guid" },
	[MOHAA_EV_TEAM_CHANGE] = { "team_change", "player", false, "old_team new_team",
		"player_name|player_guid" },
	[MOHAA_EV_CHAT] = { "chat", "player", false, "message team_only", "player_name|player_guid message" },
	[MOHAA_EV_PLAYER_AUTH] = { "player_auth", "player", false, "smf_member_id smf_member_name",
		"player_name|player_guid" },
	[MOHAA_EV_IDENTITY_CLAIM] = { "identity_claim", "player", false, "claim_code code",
		"player_name|player_guid" },
	[MOHAA_EV_VOTE_START] = { "vote_start", "player", false, "vote_type vote_string vote_arg", "" },
	[MOHAA_EV_OBJECTIVE_CAPTURE] = { "objective_capture", "player", true,
		"objective objective_name team", "" },
	[MOHAA_EV_BOT_KILLED] = { "bot_killed", "attacker player victim bot", true,
		"weapon mod hitloc bot_name", "" },
};

/* Sent names: the original generation (canonical) and the later one (the
 * engine event names the later scripts send, opm-stats-game-scripts). */
static const struct {
	const char *name;
	enum mohaa_type type;
	unsigned flags;
} names[] = {
	{ "match_start", MOHAA_EV_MATCH_START, 0 },
	{ "match_end", MOHAA_EV_MATCH_END, 0 },
	{ "match_outcome", MOHAA_EV_MATCH_END, MOHAA_NAME_LATER },
	{ "round_start", MOHAA_EV_ROUND_START, 0 },
	{ "round_end", MOHAA_EV_ROUND_END, 0 },
	{ "heartbeat", MOHAA_EV_HEARTBEAT, 0 },
	{ "kill", MOHAA_EV_KILL, 0 },
	{ "player_kill", MOHAA_EV_KILL, MOHAA_NAME_LATER },
	{ "player_suicide", MOHAA_EV_KILL, MOHAA_NAME_LATER | MOHAA_NAME_SUICIDE },
	{ "player_teamkill", MOHAA_EV_KILL, MOHAA_NAME_LATER | MOHAA_NAME_TEAMKILL },
	{ "death", MOHAA_EV_DEATH, 0 },
	{ "player_death", MOHAA_EV_DEATH, MOHAA_NAME_LATER },
	{ "damage", MOHAA_EV_DAMAGE, 0 },
	{ "player_damage", MOHAA_EV_DAMAGE, MOHAA_NAME_LATER },
	{ "weapon_fire", MOHAA_EV_WEAPON_FIRE, 0 },
	{ "weapon_hit", MOHAA_EV_WEAPON_HIT, 0 },
	{ "headshot", MOHAA_EV_HEADSHOT, 0 },
	{ "player_headshot", MOHAA_EV_HEADSHOT, MOHAA_NAME_LATER },
	{ "reload", MOHAA_EV_RELOAD, 0 },
	{ "weapon_reload", MOHAA_EV_RELOAD, MOHAA_NAME_LATER },
	{ "weapon_reload_done", MOHAA_EV_RELOAD_DONE, MOHAA_NAME_LATER },
	{ "weapon_change", MOHAA_EV_WEAPON_CHANGE, 0 },
	{ "grenade_throw", MOHAA_EV_GRENADE_THROW, 0 },
	{ "grenade_explode", MOHAA_EV_GRENADE_EXPLODE, 0 },
	{ "jump", MOHAA_EV_JUMP, 0 },
	{ "player_jump", MOHAA_EV_JUMP, MOHAA_NAME_LATER },
	{ "land", MOHAA_EV_LAND, 0 },
	{ "player_land", MOHAA_EV_LAND, MOHAA_NAME_LATER },
	{ "crouch", MOHAA_EV_CROUCH, 0 },
	{ "player_crouch", MOHAA_EV_CROUCH, MOHAA_NAME_LATER },
	{ "prone", MOHAA_EV_PRONE, 0 },
	{ "player_prone", MOHAA_EV_PRONE, MOHAA_NAME_LATER },
	{ "distance", MOHAA_EV_DISTANCE, 0 },
	{ "player_distance", MOHAA_EV_DISTANCE, MOHAA_NAME_LATER },
	{ "ladder_mount", MOHAA_EV_LADDER_MOUNT, 0 },
	{ "ladder_dismount", MOHAA_EV_LADDER_DISMOUNT, 0 },
	{ "item_pickup", MOHAA_EV_ITEM_PICKUP, 0 },
	{ "item_drop", MOHAA_EV_ITEM_DROP, 0 },
	{ "use", MOHAA_EV_USE, 0 },
	{ "player_use", MOHAA_EV_USE, MOHAA_NAME_LATER },
	{ "connect", MOHAA_EV_CONNECT, 0 },
	{ "client_connect", MOHAA_EV_CONNECT, MOHAA_NAME_LATER },
	{ "disconnect", MOHAA_EV_DISCONNECT, 0 },
	{ "client_disconnect", MOHAA_EV_DISCONNECT, MOHAA_NAME_LATER },
	{ "spawn", MOHAA_EV_SPAWN, 0 },
	{ "client_begin", MOHAA_EV_SPAWN, MOHAA_NAME_LATER },
	{ "player_spawn", MOHAA_EV_SPAWN, MOHAA_NAME_LATER },
	{ "team_change", MOHAA_EV_TEAM_CHANGE, 0 },
	{ "team_join", MOHAA_EV_TEAM_CHANGE, MOHAA_NAME_LATER },
	{ "chat", MOHAA_EV_CHAT, 0 },
	{ "player_say", MOHAA_EV_CHAT, MOHAA_NAME_LATER },
	{ "player_auth", MOHAA_EV_PLAYER_AUTH, 0 },
	{ "identity_claim", MOHAA_EV_IDENTITY_CLAIM, 0 },
	{ "vote_start", MOHAA_EV_VOTE_START, MOHAA_NAME_LATER },
	{ "objective_capture", MOHAA_EV_OBJECTIVE_CAPTURE, MOHAA_NAME_LATER },
	{ "bot_killed", MOHAA_EV_BOT_KILLED, MOHAA_NAME_LATER },
};

enum mohaa_type mohaa_type_lookup(const char *name, unsigned *flags)
{
	size_t i;
	if (flags)
		*flags = 0;
	if (!name)
		return MOHAA_EV_UNKNOWN;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(names[i].name, name)) {
			if (flags)
				*flags = names[i].flags;
			return names[i].type;
		}
	return MOHAA_EV_UNKNOWN;
}

const char *mohaa_type_name(enum mohaa_type t)
{
	return t > MOHAA_EV_UNKNOWN && t < MOHAA_EV_COUNT ? types[t].name : "unknown";
}

const char *mohaa_type_required(enum mohaa_type t)
{
	return t > MOHAA_EV_UNKNOWN && t < MOHAA_EV_COUNT ? types[t].required : "";
}

const char *mohaa_type_blocks(enum mohaa_type t)
{
	return t > MOHAA_EV_UNKNOWN && t < MOHAA_EV_COUNT ? types[t].blocks : "";
}

/* Is the n-byte word w one of the space-separated words of list? */
static bool in_list(const char *list, const char *w, size_t n)
{
	const char *p = list;
	while (*p) {
		size_t m = strcspn(p, " |");
		if (m == n && !memcmp(p, w, n))
			return true;
		p += m;
		while (*p == ' ' || *p == '|')
			p++;
	}
	return false;
}

static const char common_keys[] = "type match_id timestamp session_id server_id server_token map_name";
static const char block_suffixes[] =
	"name guid team x y z pitch yaw member_id smf_id stance id health weapon";

bool mohaa_type_has_key(enum mohaa_type t, const char *key, size_t klen)
{
	const char *us;
	if (t <= MOHAA_EV_UNKNOWN || t >= MOHAA_EV_COUNT || !klen)
		return false;
	if (in_list(common_keys, key, klen) || in_list(types[t].keys, key, klen))
		return true;
	if (types[t].pos && klen == 5 && !memcmp(key, "pos_", 4) &&
	    (key[4] == 'x' || key[4] == 'y' || key[4] == 'z'))
		return true;
	us = memchr(key, '_', klen);
	while (us) {
		size_t plen = (size_t)(us - key);
		if (in_list(types[t].blocks, key, plen) &&
		    in_list(block_suffixes, us + 1, klen - plen - 1))
			return true;
		us = memchr(us + 1, '_', klen - (size_t)(us + 1 - key));
	}
	return false;
}

/* ---- weapons ---------------------------------------------------------------- */

static const struct mohaa_weapon weapons[] = {
	{ "unarmed", "Unarmed", MOHAA_WC_NONE, false },
	{ "binoculars", "Binoculars", MOHAA_WC_NONE, false },
	{ "papers", "Papers", MOHAA_WC_ITEM, true },
	{ "mg42portable", "Packed MG42 Turret", MOHAA_WC_ITEM, true },
	{ "colt45", "Colt 45", MOHAA_WC_PISTOL, true },
	{ "p38", "Walther P38", MOHAA_WC_PISTOL, true },
	{ "histandard", "Hi-Standard Silenced", MOHAA_WC_PISTOL, true },
	{ "webley", "Webley Revolver", MOHAA_WC_PISTOL, false },
	{ "nagantrev", "Nagant Revolver", MOHAA_WC_PISTOL, false },
	{ "beretta", "Beretta", MOHAA_WC_PISTOL, false },
	{ "garand", "M1 Garand", MOHAA_WC_RIFLE, true },
	{ "kar98", "Mauser KAR 98K", MOHAA_WC_RIFLE, true },
	{ "kar98sniper", "KAR98 - Sniper", MOHAA_WC_RIFLE, true },
	{ "springfield", "Springfield '03 Sniper", MOHAA_WC_RIFLE, true },
	{ "enfield", "Lee-Enfield", MOHAA_WC_RIFLE, false },
	{ "svt", "SVT 40", MOHAA_WC_RIFLE, false },
	{ "mosin", "Mosin Nagant Rifle", MOHAA_WC_RIFLE, false },
	{ "g43", "G 43", MOHAA_WC_RIFLE, false },
	{ "enfieldl42a1", "Enfield L42A1", MOHAA_WC_RIFLE, false },
	{ "carcano", "Carcano", MOHAA_WC_RIFLE, false },
	{ "delisle", "DeLisle", MOHAA_WC_RIFLE, false },
	{ "thompson", "Thompson", MOHAA_WC_SMG, true },
	{ "mp40", "MP40", MOHAA_WC_SMG, true },
	{ "sten", "Sten Mark II", MOHAA_WC_SMG, false },
	{ "ppsh", "PPSH SMG", MOHAA_WC_SMG, false },
	{ "moschetto", "Moschetto", MOHAA_WC_SMG, false },
	{ "bar", "BAR", MOHAA_WC_MG, true },
	{ "mp44", "StG 44", MOHAA_WC_MG, true },
	{ "fg42", "FG 42", MOHAA_WC_MG, false },
	{ "vickers", "Vickers-Berthier", MOHAA_WC_MG, false },
	{ "breda", "Breda", MOHAA_WC_MG, false },
	{ "fraggrenade", "Frag Grenade", MOHAA_WC_GRENADE, true },
	{ "stielhandgranate", "Stielhandgranate", MOHAA_WC_GRENADE, true },
	{ "f1grenade", "F1 Grenade", MOHAA_WC_GRENADE, false },
	{ "millsgrenade", "Mills Grenade", MOHAA_WC_GRENADE, false },
	{ "nebelhandgranate", "Nebelhandgranate", MOHAA_WC_GRENADE, false },
	{ "m18smokegrenade", "M18 Smoke Grenade", MOHAA_WC_GRENADE, false },
	{ "rdg1smokegrenade", "RDG-1 Smoke Grenade", MOHAA_WC_GRENADE, false },
	{ "bomba", "Bomba A Mano", MOHAA_WC_GRENADE, false },
	{ "bombabreda", "Bomba A Mano Breda", MOHAA_WC_GRENADE, false },
	{ "mine", "Landmine", MOHAA_WC_NONE, false },
	{ "minedetector", "LandmineAllies", MOHAA_WC_GRENADE, false },
	{ "minedetectoraxis", "LandmineAxis", MOHAA_WC_GRENADE, false },
	{ "detonator", "Unarmed", MOHAA_WC_NONE, false },
	{ "bazooka", "Bazooka", MOHAA_WC_HEAVY, true },
	{ "panzerschreck", "Panzerschreck", MOHAA_WC_HEAVY, true },
	{ "kar98mortar", "Gewehrgranate", MOHAA_WC_HEAVY, true },
	{ "shotgun", "Shotgun", MOHAA_WC_HEAVY, true },
	{ "piat", "PIAT", MOHAA_WC_HEAVY, false },
};

/* The API simulator's ids (opm-stats-system test_events.sh) and other
 * spellings seen in the later scripts, to our ids. */
static const struct {
	const char *alias, *id;
} weapon_aliases[] = {
	{ "m1_garand", "garand" }, { "m1garand", "garand" }, { "stg44", "mp44" },
	{ "stg_44", "mp44" }, { "kar98k", "kar98" }, { "mauser", "kar98" },
	{ "springfield_sniper", "springfield" }, { "colt", "colt45" }, { "walther", "p38" },
	{ "m1911", "colt45" }, { "panzerschrek", "panzerschreck" },
};

const struct mohaa_weapon *mohaa_weapons(size_t *n)
{
	*n = sizeof weapons / sizeof weapons[0];
	return weapons;
}

static const struct mohaa_weapon *weapon_by_id(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < sizeof weapons / sizeof weapons[0]; i++)
		if (strlen(weapons[i].id) == n && !strncasecmp(weapons[i].id, s, n))
			return &weapons[i];
	return NULL;
}

const struct mohaa_weapon *mohaa_weapon_lookup(const char *s)
{
	const struct mohaa_weapon *w;
	size_t i, n;
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	if (!strncasecmp(s, "models/weapons/", 15))
		s += 15;
	if (!strncasecmp(s, "weapon_", 7))
		s += 7;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n > 4 && !strncasecmp(s + n - 4, ".tik", 4))
		n -= 4;
	if (!n)
		return NULL;
	for (i = 0; i < sizeof weapons / sizeof weapons[0]; i++)
		if (strlen(weapons[i].display) == n && !strncasecmp(weapons[i].display, s, n))
			return &weapons[i];
	if ((w = weapon_by_id(s, n)))
		return w;
	for (i = 0; i < sizeof weapon_aliases / sizeof weapon_aliases[0]; i++)
		if (strlen(weapon_aliases[i].alias) == n &&
		    !strncasecmp(weapon_aliases[i].alias, s, n))
			return weapon_by_id(weapon_aliases[i].id, strlen(weapon_aliases[i].id));
	return NULL;
}

const char *mohaa_wclass_name(enum mohaa_wclass c)
{
	static const char *const n[] = { "", "item", "pistol", "rifle", "smg", "mg", "grenade", "heavy" };
	return (unsigned)c < sizeof n / sizeof n[0] ? n[c] : "";
}

/* ---- means of death ----------------------------------------------------------- */

static const struct mohaa_mod mods[] = {
	{ 0, "none", "MOD_NONE" }, { 1, "suicide", "MOD_SUICIDE" }, { 2, "crush", "MOD_CRUSH" },
	{ 3, "crush_every_frame", "MOD_CRUSH_EVERY_FRAME" }, { 4, "telefrag", "MOD_TELEFRAG" },
	{ 5, "lava", "MOD_LAVA" }, { 6, "slime", "MOD_SLIME" }, { 7, "falling", "MOD_FALLING" },
	{ 8, "last_self_inflicted", "MOD_LAST_SELF_INFLICTED" }, { 9, "explosion", "MOD_EXPLOSION" },
	{ 10, "explodewall", "MOD_EXPLODEWALL" }, { 11, "electric", "MOD_ELECTRIC" },
	{ 12, "electricwater", "MOD_ELECTRICWATER" }, { 13, "thrownobject", "MOD_THROWNOBJECT" },
	{ 14, "grenade", "MOD_GRENADE" }, { 15, "beam", "MOD_BEAM" }, { 16, "rocket", "MOD_ROCKET" },
	{ 17, "impact", "MOD_IMPACT" }, { 18, "bullet", "MOD_BULLET" },
	{ 19, "fast_bullet", "MOD_FAST_BULLET" }, { 20, "vehicle", "MOD_VEHICLE" },
	{ 21, "fire", "MOD_FIRE" }, { 22, "flashbang", "MOD_FLASHBANG" }, { 23, "on_fire", "MOD_ON_FIRE" },
	{ 24, "gib", "MOD_GIB" }, { 25, "impale", "MOD_IMPALE" }, { 26, "bash", "MOD_BASH" },
	{ 27, "shotgun", "MOD_SHOTGUN" }, { 28, "aagun", "MOD_AAGUN" }, { 29, "landmine", "MOD_LANDMINE" },
};

const struct mohaa_mod *mohaa_mod_lookup(const char *s)
{
	size_t i, n = sizeof mods / sizeof mods[0];
	char *end;
	long v;
	if (!s || !*s)
		return NULL;
	v = strtol(s, &end, 10);
	if (end != s && !*end)
		return v >= 0 && (size_t)v < n ? &mods[v] : NULL;
	for (i = 0; i < n; i++)
		if (!strcasecmp(mods[i].enum_name, s) || !strcasecmp(mods[i].name, s))
			return &mods[i];
	return NULL;
}

/* ---- hit locations --------------------------------------------------------------- */

static const char *const hitlocs[MOHAA_HITLOC_COUNT] = {
	"head", "helmet", "neck", "upper torso", "middle torso", "lower torso", "pelvis",
	"upper right arm", "upper left arm", "upper right leg", "upper left leg",
	"lower right arm", "lower left arm", "lower right leg", "lower left leg",
	"right hand", "left hand", "right foot", "left foot",
};

int mohaa_hitloc_lookup(const char *s, bool *known)
{
	char *end;
	long v;
	int i;
	if (known)
		*known = true;
	if (!s || !*s)
		return MOHAA_HITLOC_NONE;
	v = strtol(s, &end, 10);
	if (end != s && !*end) {
		if (v >= 0 && v < MOHAA_HITLOC_COUNT)
			return (int)v;
		if (known)
			*known = v == -1 || v == -2;
		return MOHAA_HITLOC_NONE;
	}
	if (!strcasecmp(s, "none") || !strcasecmp(s, "miss") || !strcasecmp(s, "general"))
		return MOHAA_HITLOC_NONE;
	for (i = 0; i < MOHAA_HITLOC_COUNT; i++) {
		const char *a = hitlocs[i], *b = s;
		for (; *a && *b; a++, b++) {
			char cb = *b == '_' ? ' ' : *b;
			if ((*a | 0x20) != (cb | 0x20))
				break;
		}
		if (!*a && !*b)
			return i;
	}
	if (known)
		*known = false;
	return MOHAA_HITLOC_NONE;
}

const char *mohaa_hitloc_name(int loc)
{
	return loc >= 0 && loc < MOHAA_HITLOC_COUNT ? hitlocs[loc] : NULL;
}

/* ---- maps: the Allied Assault maps with a community name (the Spearhead and
 * Breakthrough paths of the list have none; pages show the path) -------------------------------------------------------------------------- */

static const struct {
	const char *path, *name;
} maps[] = {
	{ "dm/mohdm1", "Southern France" }, { "dm/mohdm2", "Destroyed Village" },
	{ "dm/mohdm3", "Remagen" }, { "dm/mohdm4", "The Crossroads" },
	{ "dm/mohdm5", "Snowy Park" }, { "dm/mohdm6", "Stalingrad" }, { "dm/mohdm7", "Algiers" },
	{ "obj/obj_team1", "The Hunt" }, { "obj/obj_team2", "V2 Rocket Facility" },
	{ "obj/obj_team3", "Omaha Beach" }, { "obj/obj_team4", "The Bridge" },
};

const char *mohaa_map_friendly(const char *map_path)
{
	size_t i;
	if (!map_path)
		return NULL;
	for (i = 0; i < sizeof maps / sizeof maps[0]; i++)
		if (!strcasecmp(maps[i].path, map_path))
			return maps[i].name;
	return NULL;
}
