/*
 * Reload: load a whole new configuration set; on any error, or a running
 * profile gone or now for another controller, keep the running set
 * exactly as it was.  Otherwise carry the targets' values over by key,
 * rebind each surface's engine to its profile of the same name (control
 * states by control name), retarget its DAW link, and swap the sets.  The
 * old set is freed, unless a held button still points at one of its
 * bindings: then it is retired until the release.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bridge.h"
#include "util.h"

static bool
same_cc14(const struct controller *a, const struct controller *b)
{
	return memcmp(a->cc14_mask, b->cc14_mask, sizeof(a->cc14_mask)) == 0;
}

/* Can surface sf run p, its profile's namesake in a new set?  An error
 * (or a warning) in dl when not.  A port pattern is compared with the
 * one the surface's inputs were opened with, and only when they use it. */
static void
check_surface(const struct surface *sf, const struct profile *p,
    struct diag_list *dl)
{
	const struct controller *c = sf->eng->controller;

	if (p == NULL)
		diag_error(dl, sf->eng->profile->file, 0, "deleted or unreadable, "
		    "and surface %d runs it: the running configuration stays "
		    "in service", sf->index);
	else if (p->controller == NULL)
		;	/* its own errors are reported already */
	else if (strcmp(p->controller->name, c->name) != 0)
		diag_error(dl, p->file, 0, "now drives controller '%s' instead "
		    "of '%s': restart the bridge for that", p->controller->name,
		    c->name);
	else if (!same_cc14(p->controller, c))
		diag_error(dl, p->controller->file, 0, "its 14-bit pairs "
		    "changed: restart the bridge for that");
	else if (sf->pattern[0] &&
	    strcmp(p->controller->port_pattern, sf->pattern) != 0)
		diag_warning(dl, p->controller->file, 0, "the new port pattern "
		    "applies when the bridge restarts");
}

/* The new set, and each surface's profile in it; NULL (the diagnostics in
 * dl) when it cannot replace the running one. */
static struct config *
load_checked(struct bridge *br, const struct profile **next,
    struct diag_list *dl)
{
	const char *running[BRIDGE_MAX_SURFACES];
	struct config *cfg;

	for (int i = 0; i < br->nsurfaces; i++)
		running[i] = br->surfaces[i].eng->profile->name;
	cfg = config_load_running(br->opt->dirs, br->opt->ndirs, br->opt->daw,
	    running, br->nsurfaces, dl);

	if (cfg == NULL)
		return NULL;	/* out of memory, said in dl */
	for (int i = 0; i < br->nsurfaces; i++) {
		struct surface *sf = &br->surfaces[i];
		next[i] = config_profile(cfg, sf->eng->profile->name);
		check_surface(sf, next[i], dl);
	}
	if (dl->errors == 0)
		return cfg;
	config_free(cfg);
	return NULL;
}

/* The running values, by key, in a store for cfg's targets. */
static struct target_values *
carry_values(const struct bridge *br, const struct config *cfg)
{
	struct target_values *values = target_values_new(cfg->ntargets);

	if (values == NULL)
		return NULL;
	for (int i = 0; i < br->cfg->ntargets; i++) {
		int id = config_target(cfg, &br->cfg->targets[i]);
		if (id >= 0)
			values->v[id] = br->values->v[i];
	}
	return values;
}

static bool
binding_in(const struct config *cfg, const struct binding *b)
{
	for (int i = 0; i < cfg->nprofiles; i++) {
		const struct profile *p = cfg->profiles[i];
		if (p->nbindings && b >= p->bindings && b < p->bindings + p->nbindings)
			return true;
	}
	return false;
}

/* Does a held button point into cfg? */
static bool
config_held(const struct bridge *br, const struct config *cfg)
{
	for (int i = 0; i < br->nsurfaces; i++) {
		const struct engine *eng = br->surfaces[i].eng;
		for (int c = 0; c < eng->controller->ncontrols; c++)
			if (eng->state[c].held && binding_in(cfg, eng->state[c].held))
				return true;
	}
	return false;
}

/* The running set out of service: freed, or retired while held (r is
 * allocated beforehand, so that this cannot fail). */
static void
retire(struct bridge *br, struct config *cfg, struct retired *r)
{
	if (!config_held(br, cfg)) {
		config_free(cfg);
		free(r);
		return;
	}
	r->cfg = cfg;
	r->next = br->retired;
	br->retired = r;
}

/* Every surface to its profile in cfg, whose targets' values are in
 * values; then the sets swap.  Everything that allocates comes first: out
 * of memory, -1 and nothing changed. */
static int
swap_in(struct bridge *br, struct config *cfg, const struct profile **next,
    struct target_values *values)
{
	struct control_state *states[BRIDGE_MAX_SURFACES];
	struct retired *r = try_calloc(1, sizeof(*r));
	char err[256];
	int n = 0;

	for (; r != NULL && n < br->nsurfaces; n++)
		if ((states[n] = engine_rebind_prepare(br->surfaces[n].eng,
		    next[n])) == NULL)
			break;
	if (r == NULL || n < br->nsurfaces) {
		while (n > 0)
			free(states[--n]);
		free(r);
		return -1;
	}
	for (int i = 0; i < br->nsurfaces; i++) {
		struct surface *sf = &br->surfaces[i];

		/* before the rebind: it compares with the running profile;
		 * a link that cannot move stays (osc_out.c said why) */
		(void)daw_link_retarget(sf, next[i], err, sizeof(err));
		engine_rebind_commit(sf->eng, next[i], values, states[i]);
		daw_link_switched(sf);	/* its dialect may be another now */
	}
	target_values_free(br->values);
	br->values = values;
	retire(br, br->cfg, r);
	br->cfg = cfg;
	for (int i = 0; i < br->nsurfaces; i++) {
		journal_close(&br->surfaces[i]);	/* the old set's string */
		journal_open(&br->surfaces[i]);
		bridge_resync(&br->surfaces[i]);
	}
	return 0;
}

/* A set was freed (the one replaced, or one that failed its checks):
 * its pages go back to the system.  glibc keeps freed memory in the heap
 * for the next allocation, and the bridge allocates little after start:
 * without this, each reload of a large set leaves the heap grown by
 * about the set's size (560 kB for 1,024 bindings, measured with
 * BENCH_SOAK).  Some 100 us, once per reload. */
static void
give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

int
reload(struct bridge *br, const char *why)
{
	const struct profile *next[BRIDGE_MAX_SURFACES];
	struct target_values *values;
	struct diag_list dl;
	struct config *cfg;
	uint64_t t0 = now_ns();

	diag_init(&dl);
	cfg = load_checked(br, next, &dl);
	diag_free(&br->last_reload);
	br->reloads++;
	if (cfg == NULL) {
		diag_log(&dl, LOG_PRIO_WARNING);
		log_warnx("reload (%s) rejected: %d error%s; the running "
		    "configuration stays in service", why, dl.errors,
		    dl.errors == 1 ? "" : "s");
		br->last_reload = dl;
		br->reload_failed = true;
		give_back();
		return -1;
	}
	diag_log(&dl, LOG_PRIO_WARNING);	/* warnings */
	if ((values = carry_values(br, cfg)) == NULL ||
	    swap_in(br, cfg, next, values) < 0) {
		target_values_free(values);
		config_free(cfg);
		diag_error(&dl, br->opt->ndirs ? br->opt->dirs[0] : ".", 0,
		    "out of memory: the running configuration stays in "
		    "service");
		log_warnx("reload (%s) rejected: out of memory; the running "
		    "configuration stays in service", why);
		br->last_reload = dl;
		br->reload_failed = true;
		give_back();
		return -1;
	}
	reload_log_sources(cfg);
	br->last_reload = dl;
	br->reload_failed = false;
	give_back();
	log_info("reloaded (%s): %d profiles, in %.1f ms", why, cfg->nprofiles,
	    (double)(now_ns() - t0) / 1e6);
	return 0;
}

void
reload_release(struct bridge *br)
{
	for (struct retired **r = &br->retired; *r;) {
		if (config_held(br, (*r)->cfg)) {
			r = &(*r)->next;
			continue;
		}
		struct retired *gone = *r;
		*r = gone->next;
		config_free(gone->cfg);
		free(gone);
		give_back();
	}
}

void
reload_free_retired(struct bridge *br)
{
	while (br->retired) {
		struct retired *r = br->retired;
		br->retired = r->next;
		config_free(r->cfg);
		free(r);
	}
}

void
reload_log_sources(const struct config *cfg)
{
	for (int i = 0; i < cfg->nprofiles; i++)
		log_debug("profile %s: %s", cfg->profiles[i]->name,
		    cfg->profiles[i]->file);
}
