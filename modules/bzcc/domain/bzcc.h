/* bzcc.h: Battlezone: Combat Commander lobby decoding and the normalized
 * session model (pure code: no I/O, no clock, no globals).
 *
 * Two upstream shapes feed one model:
 *  - the RakNet MasterServer2 "lobbyServer" answer ({"GET":[game,...]}),
 *    direct from Rebellion or through the IonDriver proxy;
 *  - MultiplayerSessionList API 1.0 (/api/1.0/sessions?game=bigboat:...).
 * Field meanings, encodings and the worked examples are in
 * docs/bzcc-format.md (our copy of the shared FORMAT.md notes), whose source
 * tags name the upstream repositories (MultiplayerSessionList Model.cs,
 * GameListModule.cs, CustomBase64.cs; bz2api.js).
 *
 * All strings in the model are UTF-8, NUL-terminated and owned by the
 * struct they sit in; bzcc_lobby_free() releases everything.
 */
#ifndef GW_BZCC_H
#define GW_BZCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* Largest lobby document we accept, in bytes. Real answers are a few KiB;
 * anything far larger is garbage or an attack and is rejected unparsed. */
#define BZCC_MAX_DOCUMENT_BYTES (4u * 1024u * 1024u)

/* Session state derived from `si` (and player stats, as MSL does). */
enum bzcc_state {
	BZCC_STATE_UNKNOWN = 0,
	BZCC_STATE_PRE_GAME,  /* si 1 OpenWaiting, 2 ClosedWaiting */
	BZCC_STATE_IN_GAME,   /* si 3 OpenPlaying, 4 ClosedPlaying, or 1/2 with non-zero stats */
	BZCC_STATE_POST_GAME, /* si 5 Exiting */
};

/* Which upstream shape a document was. */
enum bzcc_source_kind {
	BZCC_KIND_RAKNET = 1, /* {"GET":[...]} lobbyServer answer */
	BZCC_KIND_MSL_V1 = 2, /* MultiplayerSessionList API 1.0 answer */
};

struct bzcc_player {
	char *name;        /* decoded player name ("" when undecodable) */
	char *platform_id; /* raw id as sent: "S7656..." or "G191...", "" when absent */
	char *provider;    /* "steam", "gog" or "" */
	char *external_id; /* SteamID64 decimal, or the GOG user id (raw & 0x00FFFFFFFFFFFFFF) decimal; "" */
	int position;      /* index in the upstream player list; 0 is the host */
	int slot;          /* team slot 1..10 as sent in `t`; 0 = none (absent, 255: hidden, or out of range) */
	int team;          /* 1 or 2 in two-team modes (slots 1-5 / 6-10), 1 in MPI, 0 otherwise/hidden */
	bool leader;       /* slot 1 or 6 in two-team modes, slot 1 in MPI */
	bool host;         /* position 0 */
	bool hidden;       /* no team slot (`t` absent, 255 or out of range; MSL: no Slot):
			    * a spectator or a player the game has not placed */
	bool bot;          /* the community dedicated-server host account
			    * (BZCC_DEDICATED_BOT_ID, or an operator's bot id) */
	int kills, deaths, score; /* 0 when absent; score may be negative */
};

struct bzcc_session {
	char *id;           /* "<source>:<guid hex16>", e.g. "Rebellion:03800014ffd2c412" */
	char *source;       /* proxySource, or "Rebellion" when absent (raw captures and MSL ListServer) */
	char *nat_id;       /* the `g` string as sent (custom base64), e.g. "IGiq_J1@@E" */
	uint64_t guid;      /* decoded RakNet GUID */
	char guid_hex[17];  /* 16 lower-case hex digits, zero padded */
	char *name;         /* session name, cp1252 -> UTF-8, cut at first NUL, trimmed */
	char *motd;         /* host message `h` ("" when absent) */
	char *map_file;     /* `m` as sent (host's case, no .bzn) */
	char *map_key;      /* "<mod_id>:<lower(map_file)>" */
	char *mod_id;       /* primary ("config") mod: first `mm` entry, "0" = stock */
	char **mods;        /* every non-empty `mm` entry in order; n_mods >= 1 entries,
			     * mods[0] equals mod_id ({"0"} when `mm` is empty/absent) */
	size_t n_mods;
	char *mod_hash;     /* `d` (opaque CRC key), "" when absent */
	char *version;      /* `v`, "" when absent */
	int game_type;      /* `gt`: 0 all/unset, 1 deathmatch, 2 strategy; -1 when absent */
	int gtd;            /* packed sub-type as sent; -1 when absent */
	int game_mode;      /* gtd % 14 (enum in docs/bzcc-format.md 3.2); -1 when unknown */
	int mode_detail;    /* gtd / 14; -1 when unknown */
	const char *game_type_name; /* static: "All", "Deathmatch", "Strategy", "Unknown" */
	const char *game_mode_name; /* static: "Team Strategy", "Free-for-All", "MPI", "Deathmatch", "Team Deathmatch", "King of the Hill", "Capture the Flag", "Loot", "Race", ... or "Unknown" */
	bool teams;         /* two-team mode (team strat, TEAM_* deathmatch modes) */
	int server_info;    /* `si` 0..5 as sent; -1 when absent */
	enum bzcc_state state;
	int nat_type;       /* `t` 0..7 (string digits accepted); -1 when absent */
	const char *nat_type_name; /* static: "NONE", "FULL CONE", "ADDRESS RESTRICTED", "PORT RESTRICTED", "SYMMETRIC", "UNKNOWN", "DETECTION IN PROGRESS", "SUPPORTS UPNP", "" when absent */
	bool locked;        /* `l` == 1 */
	bool password;      /* `k` == 1 */
	int tps;            /* -1 when absent */
	int max_ping;       /* `pgm`, ms; -1 when absent */
	int worst_ping;     /* `pg`, ms; -1 when absent */
	int max_players;    /* `pm`; 0 when absent */
	int minutes_in_state; /* `gtm` (0..255); -1 when absent */
	bool time_saturated;  /* gtm >= 255 (MSL: Time.Max): the game's counter is capped */
	/* Rules of the game (docs/bzcc-format.md 3, 3.2; MSL Level.Attributes) */
	int time_limit;     /* `ti` minutes when > 0 (MSL TimeLimit); -1 none or absent */
	int kill_limit;     /* `ki` when > 0 (MSL KillLimit); -1 none or absent */
	const char *respawn; /* static: deathmatch respawn rule "One", "Race" (same race,
			      * ivar7 bit 256) or "Any" (any race, bit 512); NULL when
			      * not a deathmatch or unknown */
	int vehicle_only;   /* deathmatch sub-type 6 or 7 (MSL VehicleOnly): 1; other
			     * deathmatch: 0; not a deathmatch or unknown: -1 */
	bool dedicated;     /* the host (player 0) is a dedicated-server bot: it is left
			     * out of the player count and the maximum */
	char *join_hex;     /* the game's join argument (docs/bzcc-format.md 6) as
			     * lower-case hex, or NULL when locked or passworded */
	struct bzcc_player *players; /* n_players entries, upstream order, nulls skipped */
	size_t n_players;
};

struct bzcc_lobby {
	enum bzcc_source_kind kind;
	struct bzcc_session *sessions; /* n_sessions entries, upstream order, placeholder skipped */
	size_t n_sessions;
	int rebellion_up;     /* IonDriver placeholder says UP: 1, DOWN: 0, no placeholder: -1 */
	size_t skipped;       /* games skipped as unusable (null entries, no `g`, placeholder excluded) */
	size_t hidden;        /* sessions removed by bzcc_lobby_apply_rules() (spam) */
	/* What the answer says of its own list server (IonDriver proxyStatus,
	 * MSL Metadata.ListServer; the first source listed): */
	int64_t upstream_updated_ms; /* when its copy was last refreshed; -1 unknown */
	int upstream_ok;             /* Success and a status other than "expired": 1;
				      * 0 when not; -1 unknown (a direct Rebellion answer) */
	/* Metadata an MSL answer carries besides the sessions (NULL for the
	 * RakNet shape), owned: {"maps": [{"key", "title", "description"
	 * (sanitized HTML), "image_url", "team_names"}], "mods": [{"id", "name",
	 * "image_url", "url"}], "profiles": [{"provider", "external_id",
	 * "nickname", "avatar_url", "profile_url"}]}; every member but the key
	 * may be null; URLs are absolute http(s) and never a placeholder
	 * (docs/bzcc-format.md 9, "Metadata"). */
	struct json_object *meta;
};

/* The community dedicated-server host account (MSL GameListModule.cs): as
 * player 0 it makes the session "dedicated" and is not counted. */
#define BZCC_DEDICATED_BOT_ID "S76561199232890248"
/* The account behind many fake games: a locked game whose only players
 * are this account is hidden by default (MSL does the same). */
#define BZCC_SPAM_ACCOUNT_ID "S76561199685297391"

/* Operator rules for bots and spam lobbies (bzcc_rules_parse()). */
struct bzcc_rules {
	char **bot_ids;            /* platform ids ("S7656...") of dedicated-server bots */
	size_t n_bot_ids;
	char **hide_host_ids;      /* a session hosted (player 0) by one of these is hidden */
	size_t n_hide_host_ids;
	char **hide_locked_only_ids; /* a locked session whose players are all these is hidden */
	size_t n_hide_locked_only_ids;
	void *name_re;             /* compiled POSIX ERE (regex_t *), case-insensitive, or NULL */
	bool hide_locked;          /* hide every locked session */
};

/* Build rules from their text forms (the BZCC_* settings of
 * docs/bzcc-format.md 10): `bots`, `hide_hosts` and `locked_only` are
 * comma-separated platform ids (blanks ignored; NULL or "" = none; the
 * dedicated bot and the spam account above are always included in `bots`
 * and `locked_only`), `name_pattern` a POSIX extended regular expression
 * matched case-insensitively against the session name (NULL or "" = none).
 * Returns 0, or -1 with a one-line reason in err when the pattern does not
 * compile (the rules are then empty but valid). Free with bzcc_rules_free(). */
int bzcc_rules_parse(struct bzcc_rules *r, const char *bots, const char *hide_hosts,
		     const char *locked_only, const char *name_pattern, bool hide_locked,
		     char *err, size_t errlen);
void bzcc_rules_free(struct bzcc_rules *r);

/* Apply `rules` to a decoded lobby: mark the bots (any player whose
 * platform id is listed; a bot as player 0 makes the session dedicated) and
 * remove the sessions the rules hide (counted in lobby->hidden, released).
 * Sessions are decoded with the built-in ids already; this adds the
 * operator's. NULL rules: nothing. */
void bzcc_lobby_apply_rules(struct bzcc_lobby *lobby, const struct bzcc_rules *rules);

/* Merge a second source into `into` (both decoded): sessions of `from`
 * whose GUID `into` lacks are moved over when `add_sessions` (a fresh
 * second source), and `from`'s metadata is taken when `into` has none.
 * `from` keeps what was not moved; free both as usual. Returns how many
 * sessions were added. */
size_t bzcc_lobby_merge(struct bzcc_lobby *into, struct bzcc_lobby *from, bool add_sessions);

/* The join argument of a session as the game reads it (docs/bzcc-format.md
 * 6, bz2api.js buildSteamJoinUrl): lower-case hex of the bytes
 * "N,<len(name)>,<name>,<len(mm)>,<mm>,<g>,0," where the name is in
 * Windows-1252 (characters it lacks become '?'), mm the mods joined with
 * ';' and g the NAT id. A new malloc'd string; NULL when the session is
 * locked or has a password (it cannot be joined from a link), or its NAT id
 * is not made of the NAT alphabet alone (docs/bzcc-format.md 4). */
char *bzcc_join_hex(const struct bzcc_session *s);

/* The Steam link that joins `hex` (BZCC is Steam app 624970): writes
 * "steam://rungame/624970/76561198955218468/-connect-mp%20<hex>" into out.
 * Returns out, or NULL when it does not fit. */
char *bzcc_join_steam_url(const char *hex, char *out, size_t outlen);

/* Decode a join argument (as in /bzcc/join/{hex}): 2..2048 lower- or
 * upper-case hex digits spelling exactly "N,<n>,<name>,<m>,<mods>,<nat>,0,"
 * with n and m the byte lengths that follow, a NAT id of the NAT alphabet
 * that decodes, and no NUL byte. On success returns 0 and sets *name (UTF-8 from Windows-1252),
 * *mods and *nat to new malloc'd strings the caller frees; -1 otherwise
 * (nothing allocated). */
int bzcc_join_decode(const char *hex, char **name, char **mods, char **nat);

/* Decode a RakNet NAT id (custom base64 alphabet "@1-9A-Za-z-_", little-endian
 * 6-bit groups, unknown characters count as 0; MSL CustomBase64.cs) into a
 * 64-bit GUID. Returns 0 on success, -1 when `nat` is NULL, empty or longer
 * than 11 characters, or its 11th character carries bits beyond the 64th
 * (value > 15): more than 64 bits. */
int bzcc_nat_decode(const char *nat, uint64_t *guid);

/* Encode a GUID back into its NAT id; `out` needs 12 bytes. Returns the
 * length (1..11; GUID 0 encodes as "@"). */
size_t bzcc_nat_encode(uint64_t guid, char out[12]);

/* Decode standard (RFC 4648) base64 text holding a Windows-1252 C string:
 * cut at the first NUL byte, map cp1252 to UTF-8 (undefined bytes 0x81, 0x8D,
 * 0x8F, 0x90, 0x9D map to the same-numbered C1 code points), trim surrounding
 * whitespace. Returns a malloc'd UTF-8 string the caller frees, or NULL when
 * `b64` is not valid base64 (bad character, bad padding or length). */
char *bzcc_decode_name(const char *b64);

/* Map Windows-1252 bytes (n of them, no NUL handling) to a malloc'd UTF-8
 * string; never fails (aborts on out of memory). */
char *bzcc_cp1252_to_utf8(const unsigned char *s, size_t n);

/* Decode a whole upstream document (either shape, detected from its keys; a
 * UTF-8 BOM is skipped) into `out`, which the caller zeroes first and frees
 * with bzcc_lobby_free() on success.
 *
 * Returns 0 on success. On failure returns -1, writes a one-line lowercase
 * reason to `err` (errlen bytes, e.g. "document is not JSON: unexpected end
 * of data", "`GET` is not an array", "document too large: 10485760 bytes"),
 * and leaves `out` empty (nothing to free). A single bad game (wrong types,
 * bad base64 name, undecodable NAT id) does not fail the document: the game
 * is skipped and counted in out->skipped, the rest are kept. */
int bzcc_lobby_decode(const char *doc, size_t len, struct bzcc_lobby *out,
		      char *err, size_t errlen);

/* Release everything a decode allocated; `lobby` becomes empty. NULL is a no-op. */
void bzcc_lobby_free(struct bzcc_lobby *lobby);

/* Static lower-case token for a state: "pre_game", "in_game", "post_game", "unknown". */
const char *bzcc_state_token(enum bzcc_state s);

/* Static label for a state: "Pre-game", "In game", "Post-game", "Unknown". */
const char *bzcc_state_label(enum bzcc_state s);

/* Build the JSON object for one session (the view model's session part; the
 * keys are listed in docs/view-models.md). Returns a new json-c object with
 * one reference the caller owns (json_object_put); never NULL. */
struct json_object *bzcc_session_to_json(const struct bzcc_session *s);

#endif
