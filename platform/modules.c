/* modules.c: the enabled subset of the built-in modules (GW_MODULES). */
#include "platform/module.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_MODULES 32

static const struct gw_module *enabled[MAX_MODULES + 1];
static size_t n_enabled;
static int computed;

/* Is `name` one of the comma-separated names in `list`? */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;
	while (*p) {
		size_t k = strcspn(p, ",");
		const char *s = p, *e = p + k;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == n && !strncmp(s, name, n))
			return 1;
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void compute(void)
{
	const char *want = getenv("GW_MODULES");
	size_t i;
	if (want && !*want)
		want = NULL;
	n_enabled = 0;
	for (i = 0; gw_modules_built[i] && n_enabled < MAX_MODULES; i++)
		if (!want || listed(want, gw_modules_built[i]->name))
			enabled[n_enabled++] = gw_modules_built[i];
	enabled[n_enabled] = NULL;
	if (want) {
		/* name the unknown ones once */
		const char *p = want;
		while (*p) {
			size_t k = strcspn(p, ",");
			char name[64];
			size_t j, found = 0;
			if (k && k < sizeof name) {
				memcpy(name, p, k);
				name[k] = '\0';
				for (j = 0; gw_modules_built[j]; j++)
					if (listed(name, gw_modules_built[j]->name))
						found = 1;
				if (!found)
					log_warn("GW_MODULES names \"%s\", which is not built in: ignored", name);
			}
			p += k;
			if (*p == ',')
				p++;
		}
	}
	computed = 1;
}

const struct gw_module *const *gw_modules(void)
{
	if (!computed)
		compute();
	return enabled;
}

size_t gw_modules_count(void)
{
	if (!computed)
		compute();
	return n_enabled;
}

const struct gw_module *gw_module_find(const char *name)
{
	const struct gw_module *const *m;
	for (m = gw_modules(); *m; m++)
		if (!strcmp((*m)->name, name))
			return *m;
	return NULL;
}
