/* The configuration set: finds files on the search path, loads every
 * controller and dialect, then reads each profile and compiles it against
 * the controller and dialect it names (loading one on demand), then
 * checks the switches between profiles and numbers the targets. */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"
#include "ini_read.h"
#include "util.h"

char *
file_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = xstrdup(base ? base + 1 : path);
	size_t n = strlen(s);

	if (n > 4 && strcmp(s + n - 4, ".ini") == 0)
		s[n - 4] = '\0';
	return s;
}

static char *
find_file(const struct config *cfg, const char *sub, const char *name)
{
	struct stat st;

	for (int i = 0; i < cfg->ndirs; i++) {
		char *path = strcmp(cfg->dirs[i], ".") == 0 ?
		    xasprintf("%s/%s.ini", sub, name) :
		    xasprintf("%s/%s/%s.ini", cfg->dirs[i], sub, name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return path;
		free(path);
	}
	return NULL;
}

/* "DIR" or "DIR1, DIR2", for messages about what was searched. */
static char *
search_path_text(const struct config *cfg)
{
	char *s = xstrdup(cfg->ndirs ? cfg->dirs[0] : "(no directory)");

	for (int i = 1; i < cfg->ndirs; i++) {
		char *t = xasprintf("%s, %s", s, cfg->dirs[i]);
		free(s);
		s = t;
	}
	return s;
}

static bool
valid_name(const char *name)
{
	if (*name == '\0')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static const struct controller *
need_controller(struct config *cfg, const char *name, const char *file,
    int line, struct diag_list *dl)
{
	const struct controller *found = config_controller(cfg, name);
	struct controller *c;
	char *path;

	if (found)
		return found;
	if (!valid_name(name) ||
	    (path = find_file(cfg, "mappings/controllers", name)) == NULL) {
		char *where = search_path_text(cfg);
		diag_error(dl, file, line,
		    "controller '%s' not found: no mappings/controllers/%s.ini "
		    "in %s", name, name, where);
		free(where);
		return NULL;
	}
	c = controller_load(path, name, dl);
	free(path);
	if (c == NULL)
		return NULL;
	cfg->controllers = xrealloc(cfg->controllers,
	    (size_t)(cfg->ncontrollers + 1) * sizeof(*cfg->controllers));
	cfg->controllers[cfg->ncontrollers++] = c;
	return c;
}

static const struct dialect *
need_dialect(struct config *cfg, const char *name, const char *file,
    int line, struct diag_list *dl)
{
	const struct dialect *found = config_dialect(cfg, name);
	struct dialect *d;
	char *path;

	if (found)
		return found;
	if (!valid_name(name) ||
	    (path = find_file(cfg, "mappings/daws", name)) == NULL) {
		char *where = search_path_text(cfg);
		diag_error(dl, file, line,
		    "daw '%s' not found: no mappings/daws/%s.ini in %s", name,
		    name, where);
		free(where);
		return NULL;
	}
	d = dialect_load(path, name, dl);
	free(path);
	if (d == NULL)
		return NULL;
	cfg->dialects = xrealloc(cfg->dialects,
	    (size_t)(cfg->ndialects + 1) * sizeof(*cfg->dialects));
	cfg->dialects[cfg->ndialects++] = d;
	return d;
}

/* Read a profile, find (or load) the controller and the dialect it
 * names, and compile it against them into the set. */
static void
load_profile(struct config *cfg, const char *path, const char *name,
    const struct daw_at *at, struct diag_list *dl)
{
	struct profile_text *t = profile_read(path, name, dl);
	const struct controller *c = NULL;
	const struct dialect *d = NULL;
	struct profile *p;

	if (t == NULL)
		return;
	if (t->controller)
		c = need_controller(cfg, t->controller, t->file,
		    t->controller_line, dl);
	if (t->dialect)
		d = need_dialect(cfg, t->dialect, t->file, t->dialect_line, dl);
	p = profile_compile(t, c, d, at, dl);
	profile_text_free(t);
	cfg->profiles = xrealloc(cfg->profiles,
	    (size_t)(cfg->nprofiles + 1) * sizeof(*cfg->profiles));
	cfg->profiles[cfg->nprofiles++] = p;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
close_dir(void *dp)
{
	closedir(dp);
}

/* Every NAME.ini stem in sub/ of the search path, first directory wins,
 * sorted so that loading and diagnostics come in a stable order. */
static char **
list_stems(const struct config *cfg, const char *sub, int *count,
    struct diag_list *dl)
{
	char **names = NULL;
	int n = 0;

	for (int i = 0; i < cfg->ndirs; i++) {
		char *dir = xasprintf("%s/%s", cfg->dirs[i], sub);
		DIR *dp = opendir(dir);
		struct dirent *de;

		if (dp == NULL) {
			free(dir);
			continue;
		}
		alloc_hold(dp, close_dir);
		while ((de = readdir(dp)) != NULL) {
			char *stem, *path;
			bool dup = false, regular;
			if (de->d_name[0] == '.' || !ends_with(de->d_name, ".ini"))
				continue;
			/* a FIFO or device would block the loader (and the
			 * daemon with it) on open */
			path = xasprintf("%s/%s", dir, de->d_name);
			if (!(regular = is_regular_file(path)) && access(path, F_OK) == 0)
				diag_warning(dl, path, 0, "not a regular file: skipped");
			free(path);
			if (!regular)
				continue;
			stem = file_stem(de->d_name);
			for (int j = 0; j < n && !dup; j++)
				dup = strcmp(names[j], stem) == 0;
			if (dup) {
				free(stem);
				continue;
			}
			names = xrealloc(names, (size_t)(n + 1) * sizeof(*names));
			names[n++] = stem;
		}
		alloc_let_go(dp);
		closedir(dp);
		free(dir);
	}
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_str);
	*count = n;
	return names;
}

static struct config *
config_new(char *const *dirs, int ndirs)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->dirs = xcalloc((size_t)ndirs, sizeof(char *));
	for (int i = 0; i < ndirs; i++)
		cfg->dirs[i] = xstrdup(dirs[i]);
	cfg->ndirs = ndirs;
	return cfg;
}

/* check FILE: a profile switched to that was not named is read from the
 * search path for its controller alone, which must be the switching
 * profile's, as a full load would say (its other errors are its own). */
static void
switch_to_unloaded(const struct profile *p, const char *name,
    const char *path, int line, struct diag_list *dl)
{
	struct diag_list own;
	struct profile_text *t;

	diag_init(&own);
	t = profile_read(path, name, &own);
	if (t && t->controller && strcmp(t->controller, p->controller->name))
		diag_error(dl, p->file, line, "profile '%s' is for controller "
		    "'%s', not '%s': a controller switches between its own "
		    "profiles", name, t->controller, p->controller->name);
	profile_text_free(t);
	diag_free(&own);
}

/* profile.switch names a profile that exists and drives the same
 * controller.  With only some files loaded (check FILE), a name that is
 * not loaded must exist on the search path, for the same controller. */
static void
check_switch_to(struct config *cfg, const struct profile *p, const char *name,
    int line, bool all_loaded, struct diag_list *dl)
{
	const struct profile *to;
	char *path;

	if ((to = config_profile(cfg, name)) != NULL) {
		/* one whose controller is missing said so */
		if (to->controller != p->controller && to->controller != NULL)
			diag_error(dl, p->file, line, "profile '%s' is for "
			    "controller '%s', not '%s': a controller switches "
			    "between its own profiles", to->name,
			    to->controller->name, p->controller->name);
		return;
	}
	path = all_loaded ? NULL : find_file(cfg, "profiles", name);
	if (path == NULL)
		diag_error(dl, p->file, line, "no profile '%s' to switch to",
		    name);
	else
		switch_to_unloaded(p, name, path, line, dl);
	free(path);
}

static void
check_switches(struct config *cfg, bool all_loaded, struct diag_list *dl)
{
	for (int i = 0; i < cfg->nprofiles; i++) {
		const struct profile *p = cfg->profiles[i];

		if (p->controller == NULL)
			continue;
		for (int j = 0; j < p->nbindings; j++)
			if (binding_profile(&p->bindings[j]))
				check_switch_to(cfg, p,
				    binding_profile(&p->bindings[j]),
				    p->bindings[j].line, all_loaded, dl);
		for (int e = 0; e < HOOK_NEVENTS; e++)
			if (hook_switch_name(&p->hooks[e]))
				check_switch_to(cfg, p,
				    hook_switch_name(&p->hooks[e]),
				    p->hooks[e].line, all_loaded, dl);
	}
}

static int
cmp_profile_name(const void *a, const void *b)
{
	const struct profile *x = *(const struct profile *const *)a;
	const struct profile *y = *(const struct profile *const *)b;

	return strcmp(x->name, y->name);
}

/* profile.next and .previous: each controller's profiles in name order,
 * round, linked once here rather than sorted per press. */
static void
link_profile_rings(struct config *cfg)
{
	const struct profile **ring = xcalloc((size_t)cfg->nprofiles + 1,
	    sizeof(*ring));

	for (int i = 0; i < cfg->nprofiles; i++) {
		struct profile *p = cfg->profiles[i];
		int n = 0, at = 0;

		for (int j = 0; j < cfg->nprofiles; j++)
			if (cfg->profiles[j]->controller == p->controller)
				ring[n++] = cfg->profiles[j];
		qsort(ring, (size_t)n, sizeof(*ring), cmp_profile_name);
		for (int j = 0; j < n; j++)
			if (ring[j] == p)
				at = j;
		p->next = ring[(at + 1) % n];
		p->previous = ring[(at + n - 1) % n];
	}
	free(ring);
}

/* Does an error of dl name this file? */
static bool
file_has_errors(const struct diag_list *dl, const char *file)
{
	for (int i = 0; i < dl->count; i++)
		if (dl->items[i].severity == DIAG_ERROR && dl->items[i].file &&
		    strcmp(dl->items[i].file, file) == 0)
			return true;
	return false;
}

/* A profile that cannot run: errors in its file, or in its controller's
 * or dialect's, or one missing. */
static bool
profile_broken(const struct profile *p, const struct diag_list *dl)
{
	return p->controller == NULL || p->dialect == NULL ||
	    p->controller->errors || p->dialect->errors ||
	    file_has_errors(dl, p->file);
}

static int
profile_index(const struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i]->name, name) == 0)
			return i;
	return -1;
}

/*
 * Errors in files that no running surface needs do not keep the running
 * ones from loading (a broken draft.ini beside a good edit of the running
 * profile).  In use: the running profiles, the profiles they switch to
 * (transitively), and their controllers and dialects; every error must lie
 * outside those files, or the set is left as it is (rejected).  Then the
 * profiles that cannot run, and those that switch to one, are set aside
 * (taken out of the set), their errors count as warnings, and a line says
 * which file was not loaded and why.
 */
static void
set_aside_unused(struct config *cfg, const char *const *running, int nrunning,
    struct diag_list *dl)
{
	int n = cfg->nprofiles;
	bool *in_use = xcalloc((size_t)n + 1, sizeof(bool));
	bool *unusable = xcalloc((size_t)n + 1, sizeof(bool));
	bool *broken = xcalloc((size_t)n + 1, sizeof(bool));
	bool changed = true, ok = true;
	int kept = 0;

	for (int i = 0; i < nrunning; i++) {
		int at = profile_index(cfg, running[i]);
		if (at >= 0)
			in_use[at] = true;
	}
	for (int i = 0; i < n; i++)
		unusable[i] = broken[i] = profile_broken(cfg->profiles[i], dl);
	/* what the running profiles switch to is in use; what switches to
	 * a profile that cannot run cannot run either */
	while (changed) {
		changed = false;
		for (int i = 0; i < n; i++) {
			const struct profile *p = cfg->profiles[i];
			for (int j = 0; j < p->nbindings + HOOK_NEVENTS; j++) {
				const char *name = j < p->nbindings ?
				    binding_profile(&p->bindings[j]) :
				    hook_switch_name(&p->hooks[j - p->nbindings]);
				int to = name ? profile_index(cfg, name) : -1;
				if (to < 0)
					continue;
				if (in_use[i] && !in_use[to])
					in_use[to] = changed = true;
				if (unusable[to] && !unusable[i])
					unusable[i] = changed = true;
			}
		}
	}
	/* every error must be about a file outside what is in use */
	for (int e = 0; e < dl->count && ok; e++) {
		const struct diag *d = &dl->items[e];
		bool outside = d->file != NULL;
		if (d->severity != DIAG_ERROR)
			continue;
		for (int i = 0; i < n && outside; i++) {
			const struct profile *p = cfg->profiles[i];
			if (!in_use[i])
				continue;
			if (strcmp(d->file, p->file) == 0 || (p->controller &&
			    strcmp(d->file, p->controller->file) == 0) ||
			    (p->dialect && strcmp(d->file, p->dialect->file) == 0))
				outside = false;
		}
		/* and about a file the set knows (not "no profiles found") */
		if (outside) {
			bool known = false;
			for (int i = 0; i < n && !known; i++)
				known = strcmp(d->file, cfg->profiles[i]->file) == 0;
			for (int i = 0; i < cfg->ncontrollers && !known; i++)
				known = strcmp(d->file, cfg->controllers[i]->file) == 0;
			for (int i = 0; i < cfg->ndialects && !known; i++)
				known = strcmp(d->file, cfg->dialects[i]->file) == 0;
			outside = known;
		}
		ok = outside;
	}
	for (int i = 0; i < n && ok; i++)
		if (in_use[i] && unusable[i])
			ok = false;
	if (ok) {
		for (int e = 0; e < dl->count; e++)
			if (dl->items[e].severity == DIAG_ERROR) {
				dl->items[e].severity = DIAG_WARNING;
				dl->errors--;
				dl->warnings++;
			}
		for (int i = 0; i < n; i++) {
			struct profile *p = cfg->profiles[i];
			if (!unusable[i]) {
				cfg->profiles[kept++] = p;
				continue;
			}
			diag_warning(dl, p->file, 0, "not loaded: %s; no running "
			    "surface uses it", broken[i] ? "it has "
			    "errors (above)" : "it switches to a profile that "
			    "is not loaded");
			profile_free(p);
		}
		cfg->nprofiles = kept;
	}
	free(in_use);
	free(unusable);
	free(broken);
}

static struct config *
load_all(char *const *dirs, int ndirs, const struct daw_override *daw,
    const char *const *running, int nrunning, struct diag_list *dl)
{
	struct config *cfg = config_new(dirs, ndirs);
	struct daw_at at = { NULL, 0 };
	char **names;
	int n;

	if (daw && (at.host = daw_override_resolve(daw, dl)) != NULL)
		at.port = daw->port;

	names = list_stems(cfg, "mappings/controllers", &n, dl);
	for (int i = 0; i < n; i++) {
		need_controller(cfg, names[i], names[i], 0, dl);
		free(names[i]);
	}
	free(names);
	names = list_stems(cfg, "mappings/daws", &n, dl);
	for (int i = 0; i < n; i++) {
		need_dialect(cfg, names[i], names[i], 0, dl);
		free(names[i]);
	}
	free(names);
	names = list_stems(cfg, "profiles", &n, dl);
	for (int i = 0; i < n; i++) {
		char *path = find_file(cfg, "profiles", names[i]);
		if (path)
			load_profile(cfg, path, names[i], at.host ? &at : NULL,
			    dl);
		free(path);
		free(names[i]);
	}
	free(names);
	free(at.host);
	check_switches(cfg, true, dl);
	link_profile_rings(cfg);
	hooks_check(cfg, true, dl);
	if (running != NULL && dl->errors > 0)
		set_aside_unused(cfg, running, nrunning, dl);
	link_profile_rings(cfg);
	config_assign_targets(cfg);
	if (cfg->nprofiles == 0 && dl->errors == 0) {
		char *where = xasprintf("%s/profiles", ndirs ? dirs[0] : ".");
		diag_error(dl, where, 0, "no profiles found (searched %d "
		    "director%s)", ndirs, ndirs == 1 ? "y" : "ies");
		free(where);
	}
	return cfg;
}

/* The first section header of a file tells what it is. */
static char *
first_section(const char *path)
{
	FILE *fp = fopen_regular(path);
	char *line = NULL, found[INI_READ_MAX_LINE + 2] = "";
	size_t cap = 0;
	bool done = false;

	if (fp == NULL)
		return NULL;
	/* nothing of ours is allocated while the file and getline's line
	 * are open: running out of memory must not leave them behind */
	while (!done && getline(&line, &cap, fp) >= 0) {
		char *s = line, *end;
		if (ftell(fp) == (long)strlen(line) &&
		    memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;	/* a UTF-8 byte order mark, as inih allows */
		while (isspace((unsigned char)*s))
			s++;
		if (*s != '[')
			continue;
		if ((end = strchr(s, ']')) == NULL)
			break;
		*end = '\0';
		s++;
		while (isspace((unsigned char)*s))
			s++;
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		snprintf(found, sizeof(found), "%s", s);
		done = true;
	}
	free(line);
	fclose(fp);
	return xstrdup(found);
}

static struct config *
load_files(char *const *dirs, int ndirs, char *const *files, int nfiles,
    struct diag_list *dl)
{
	struct config *cfg = config_new(dirs, ndirs);

	for (int i = 0; i < nfiles; i++) {
		char *kind = first_section(files[i]);
		char *stem = file_stem(files[i]);

		/* a file that lost its first header is still known by the
		 * other section, so its loader can say what is missing */
		if (kind == NULL)
			diag_error(dl, files[i], 0, "cannot open: %s",
			    errno == EINVAL ? "not a regular file" :
			    strerror(errno));
		else if (strcmp(kind, "controller") == 0 ||
		    strcmp(kind, "controls") == 0) {
			struct controller *c = controller_load(files[i], stem, dl);
			if (c) {
				cfg->controllers = xrealloc(cfg->controllers,
				    (size_t)(cfg->ncontrollers + 1) * sizeof(c));
				cfg->controllers[cfg->ncontrollers++] = c;
			}
		} else if (strcmp(kind, "daw") == 0 ||
		    strcmp(kind, "actions") == 0) {
			struct dialect *d = dialect_load(files[i], stem, dl);
			if (d) {
				cfg->dialects = xrealloc(cfg->dialects,
				    (size_t)(cfg->ndialects + 1) * sizeof(d));
				cfg->dialects[cfg->ndialects++] = d;
			}
		} else if (strcmp(kind, "profile") == 0 ||
		    strcmp(kind, "bindings") == 0) {
			load_profile(cfg, files[i], stem, NULL, dl);
		} else if (ini_file_is_utf16(files[i]))
			diag_error(dl, files[i], 1, INI_UTF16_MESSAGE);
		else
			diag_error(dl, files[i], 0, "not a ctlbridge file: it "
			    "should start with [controller], [daw] or [profile]");
		free(kind);
		free(stem);
	}
	check_switches(cfg, false, dl);
	link_profile_rings(cfg);
	hooks_check(cfg, false, dl);
	config_assign_targets(cfg);
	return cfg;
}

/* Running out of memory while loading: whatever was allocated for the set
 * is freed (util.h: alloc_scope) and the caller gets NULL and an error, so
 * a reload keeps the running set and the daemon lives on. */
static void
out_of_memory(char *const *dirs, int ndirs, struct diag_list *dl)
{
	diag_error(dl, ndirs ? dirs[0] : ".", 0, "out of memory while loading "
	    "the configuration: none of it is used");
}

struct config *
config_load_running(char *const *dirs, int ndirs,
    const struct daw_override *daw, const char *const *running, int nrunning,
    struct diag_list *dl)
{
	struct alloc_scope sc;
	struct config *cfg;

	if (setjmp(sc.jump) != 0) {
		alloc_scope_unwind(&sc);
		out_of_memory(dirs, ndirs, dl);
		return NULL;
	}
	alloc_scope_begin(&sc);
	cfg = load_all(dirs, ndirs, daw, running, nrunning, dl);
	alloc_scope_end(&sc);
	return cfg;
}

struct config *
config_load(char *const *dirs, int ndirs, const struct daw_override *daw,
    struct diag_list *dl)
{
	return config_load_running(dirs, ndirs, daw, NULL, 0, dl);
}

struct config *
config_load_files(char *const *dirs, int ndirs, char *const *files, int nfiles,
    struct diag_list *dl)
{
	struct alloc_scope sc;
	struct config *cfg;

	if (setjmp(sc.jump) != 0) {
		alloc_scope_unwind(&sc);
		out_of_memory(dirs, ndirs, dl);
		return NULL;
	}
	alloc_scope_begin(&sc);
	cfg = load_files(dirs, ndirs, files, nfiles, dl);
	alloc_scope_end(&sc);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (int i = 0; i < cfg->nprofiles; i++)
		profile_free(cfg->profiles[i]);
	for (int i = 0; i < cfg->ncontrollers; i++)
		controller_free(cfg->controllers[i]);
	for (int i = 0; i < cfg->ndialects; i++)
		dialect_free(cfg->dialects[i]);
	for (int i = 0; i < cfg->ndirs; i++)
		free(cfg->dirs[i]);
	free(cfg->targets);
	free(cfg->profiles);
	free(cfg->controllers);
	free(cfg->dialects);
	free(cfg->dirs);
	free(cfg);
}

const struct profile *
config_profile(const struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i]->name, name) == 0)
			return cfg->profiles[i];
	return NULL;
}

const char *
config_no_profile(const struct config *cfg, const char *name, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "no profile '%s' (profiles:", name);

	for (int i = 0; i < cfg->nprofiles && n > 0 && (size_t)n + 4 < len; i++)
		n += snprintf(buf + n, len - (size_t)n, "%s %s", i ? "," : "",
		    cfg->profiles[i]->name);
	if (n > 0 && (size_t)n + 2 < len)
		snprintf(buf + n, len - (size_t)n, ")");
	return buf;
}

const struct controller *
config_controller(const struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->ncontrollers; i++)
		if (strcmp(cfg->controllers[i]->name, name) == 0)
			return cfg->controllers[i];
	return NULL;
}

const struct dialect *
config_dialect(const struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->ndialects; i++)
		if (strcmp(cfg->dialects[i]->name, name) == 0)
			return cfg->dialects[i];
	return NULL;
}
