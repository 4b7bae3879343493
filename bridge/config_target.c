/*
 * The target index of a loaded set.  A target is what an action does to
 * one DAW, whatever control does it: the same in the messages bindings
 * send and in the reports the DAW sends back (matched in reverse against
 * the same dialect), so both land on it.  Every target gets a number when
 * the set is loaded; a DAW report finds its number by binary search over
 * keys that point into the set, so nothing is allocated per report.
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "util.h"

static int
cmp_int(int a, int b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_target(const void *x, const void *y)
{
	const struct target *a = x, *b = y;
	int c;

	if ((c = strcmp(a->host, b->host)) != 0 ||
	    (c = cmp_int(a->port, b->port)) != 0 ||
	    (c = strcmp(a->dialect, b->dialect)) != 0 ||
	    (c = action_cmp(a->action, b->action)) != 0 ||
	    (c = cmp_int(a->track, b->track)) != 0 ||
	    (c = cmp_int(a->marker, b->marker)) != 0 ||
	    (c = cmp_int(a->plugin, b->plugin)) != 0)
		return c;
	return strcmp(a->label, b->label);
}

/* The key of p's DAW doing a: no copies, the strings stay p's. */
static struct target
target_key(const struct profile *p, const struct action_def *a, int track,
    int marker, int plugin, const char *label)
{
	return (struct target){
		.host = p->host ? p->host : "",
		.port = p->port,
		.dialect = p->dialect->name,
		.action = a,
		.track = track,
		.marker = marker,
		.plugin = plugin,
		.label = label ? label : "",
	};
}

int
config_target(const struct config *cfg, const struct target *key)
{
	const struct target *t;

	if (cfg->ntargets == 0)
		return -1;
	t = bsearch(key, cfg->targets, (size_t)cfg->ntargets,
	    sizeof(*cfg->targets), cmp_target);
	return t ? (int)(t - cfg->targets) : -1;
}

int
config_target_of(const struct config *cfg, const struct profile *p,
    const struct action_def *a, int track, int marker, int plugin)
{
	struct target key;

	if (p->dialect == NULL)
		return -1;
	key = target_key(p, a, track, marker, plugin, NULL);
	return config_target(cfg, &key);
}

/* Does b act on the DAW (or show what it reports)? */
static bool
has_target(const struct profile *p, const struct binding *b)
{
	return p->dialect != NULL &&
	    (b->msg.address != NULL || b->action->display);
}

/* The DAW's record, play and loop state, which the guard and loop.section
 * read, are targets even where no binding of a profile sends them. */
static const char *const transport_targets[] = {
	"transport.record", "transport.play", "transport.loop",
};
#define NTRANSPORT ((int)(sizeof(transport_targets) / sizeof(*transport_targets)))

static void
collect_keys(struct config *cfg)
{
	size_t cap = 0, n = 0;

	for (int i = 0; i < cfg->nprofiles; i++) {
		const struct profile *p = cfg->profiles[i];
		if (p->dialect)
			cap += (size_t)(p->nbindings + NTRANSPORT);
	}
	cfg->targets = xcalloc(cap ? cap : 1, sizeof(*cfg->targets));
	for (int i = 0; i < cfg->nprofiles; i++) {
		const struct profile *p = cfg->profiles[i];
		if (p->dialect == NULL)
			continue;
		for (int j = 0; j < NTRANSPORT; j++)
			cfg->targets[n++] = target_key(p,
			    action_find(transport_targets[j]), 0, 0, 0, NULL);
		for (int j = 0; j < p->nbindings; j++) {
			const struct binding *b = &p->bindings[j];
			if (has_target(p, b))
				cfg->targets[n++] = target_key(p, b->action,
				    b->track, binding_marker(b),
				    binding_plugin(b), binding_label(b));
		}
	}
	/* sorted and unique: a few thousand keys at most, once per load */
	qsort(cfg->targets, n, sizeof(*cfg->targets), cmp_target);
	cfg->ntargets = 0;
	for (size_t i = 0; i < n; i++)
		if (cfg->ntargets == 0 || cmp_target(&cfg->targets[i],
		    &cfg->targets[cfg->ntargets - 1]) != 0)
			cfg->targets[cfg->ntargets++] = cfg->targets[i];
}

/* Each binding's target, the profile's transport targets, and for
 * feedback the chain of bindings on each target. */
static void
link_profile(const struct config *cfg, struct profile *p)
{
	p->record_target = config_target_of(cfg, p,
	    action_find("transport.record"), 0, 0, 0);
	p->play_target = config_target_of(cfg, p,
	    action_find("transport.play"), 0, 0, 0);
	p->loop_target = config_target_of(cfg, p,
	    action_find("transport.loop"), 0, 0, 0);
	p->by_target = xcalloc((size_t)(cfg->ntargets ? cfg->ntargets : 1),
	    sizeof(int));
	for (int t = 0; t < cfg->ntargets; t++)
		p->by_target[t] = -1;
	for (int j = p->nbindings - 1; j >= 0; j--) {
		struct binding *b = &p->bindings[j];
		b->next_same_target = -1;
		if (!has_target(p, b))
			continue;
		struct target key = target_key(p, b->action, b->track,
		    binding_marker(b), binding_plugin(b), binding_label(b));
		b->target = config_target(cfg, &key);
		b->next_same_target = p->by_target[b->target];
		p->by_target[b->target] = j;
	}
}

void
config_assign_targets(struct config *cfg)
{
	free(cfg->targets);
	for (int i = 0; i < cfg->nprofiles; i++)
		free(cfg->profiles[i]->by_target);
	collect_keys(cfg);
	for (int i = 0; i < cfg->nprofiles; i++)
		link_profile(cfg, cfg->profiles[i]);
}
