/* Reads a role profile (profiles/NAME.ini) as text: its [profile] keys,
 * its [bindings] lines, its own [actions] and [feedback], and its [on]
 * lines (hooks), which config_compile.c compiles once config.c
 * has found the controller and the dialect the profile names. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "ini_read.h"
#include "util.h"

struct profile_reader {
	struct profile_text *t;
	struct diag_list *dl;
	bool seen_profile;
};

/* "~/takes.csv" -> "$HOME/takes.csv" */
static char *
expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static void
on_section(void *user, const char *section, int line)
{
	struct profile_reader *R = user;

	if (strcmp(section, "profile") == 0)
		R->seen_profile = true;
	else if (strcmp(section, "bindings") != 0 &&
	    strcmp(section, "actions") != 0 &&
	    strcmp(section, "feedback") != 0 && strcmp(section, "on") != 0)
		diag_error(R->dl, R->t->file, line,
		    "unknown section [%s] (expected [profile], [bindings], "
		    "[actions], [feedback] or [on])", section);
}

/* A [profile] key that names something: kept with its line. */
static void
set_named(char **field, int *field_line, const char *value, int line)
{
	free(*field);
	*field = xstrdup(value);
	if (field_line)
		*field_line = line;
}

static void
profile_key(struct profile_reader *R, const char *key, const char *value,
    int line)
{
	struct profile_text *t = R->t;
	long port;

	if (strcmp(key, "name") == 0)
		set_named(&t->title, NULL, value, line);
	else if (strcmp(key, "controller") == 0)
		set_named(&t->controller, &t->controller_line, value, line);
	else if (strcmp(key, "daw") == 0)
		set_named(&t->dialect, &t->dialect_line, value, line);
	else if (strcmp(key, "host") == 0)
		set_named(&t->host, &t->host_line, value, line);
	else if (strcmp(key, "port") == 0) {
		if (!parse_int(value, 1, 65535, &port))
			diag_error(R->dl, t->file, line,
			    "port '%s' is out of range 1..65535", value);
		else
			t->port = (int)port;
	} else if (strcmp(key, "journal") == 0) {
		free(t->journal);
		t->journal = expand_home(value);
	} else if (strcmp(key, "indicator") == 0)
		set_named(&t->indicator, &t->indicator_line, value, line);
	else
		diag_error(R->dl, t->file, line,
		    "unknown key '%s' in [profile] (expected name, "
		    "controller, daw, host, port, indicator, journal)", key);
}

static void
on_key(void *user, const char *section, const char *key, const char *value,
    int line)
{
	struct profile_reader *R = user;

	if (strcmp(section, "profile") == 0)
		profile_key(R, key, value, line);
	else if (strcmp(section, "bindings") == 0)
		pending_add(&R->t->lines, key, value, line);
	else if (strcmp(section, "on") == 0)
		pending_add(&R->t->hooks, key, value, line);
	else if (strcmp(section, "actions") == 0)
		pending_add(&R->t->actions, key, value, line);
	else if (strcmp(section, "feedback") == 0)
		pending_add(&R->t->feedback, key, value, line);
	else if (*section == '\0')
		diag_error(R->dl, R->t->file, line,
		    "key '%s' is outside any section", key);
}

struct profile_text *
profile_read(const char *path, const char *name, struct diag_list *dl)
{
	struct profile_reader R;
	struct profile_text *t = xcalloc(1, sizeof(*t));

	t->name = xstrdup(name);
	t->file = xstrdup(path);
	memset(&R, 0, sizeof(R));
	R.t = t;
	R.dl = dl;
	if (ini_read_file(path, on_section, on_key, &R, dl) < 0) {
		profile_text_free(t);
		return NULL;
	}
	if (!R.seen_profile)
		diag_error(dl, path, 0, "missing [profile] section");
	else {
		if (t->controller == NULL)
			diag_error(dl, path, 0, "[profile] needs 'controller', "
			    "the name of a file in mappings/controllers");
		if (t->dialect == NULL)
			diag_error(dl, path, 0, "[profile] needs 'daw', the "
			    "name of a file in mappings/daws");
	}
	return t;
}

void
profile_text_free(struct profile_text *t)
{
	if (t == NULL)
		return;
	pending_free(&t->lines);
	pending_free(&t->hooks);
	pending_free(&t->actions);
	pending_free(&t->feedback);
	free(t->name);
	free(t->file);
	free(t->title);
	free(t->journal);
	free(t->controller);
	free(t->dialect);
	free(t->host);
	free(t->indicator);
	free(t);
}
