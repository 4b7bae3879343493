/*
 * ctlbridge sheet, end to end in a real browser: the page made for every
 * shipped profile (in the role pairs that switch between each other) is
 * loaded by headless Chromium; its DOM must hold one SVG element per
 * control of the controller on each page, and every bound control's
 * label (actions.c's short label) on the control's element.  One page is
 * also taken as a picture (make sheets takes them all).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "proc.h"

static char tmp[256];
static char *test_dirs[] = { "." };

static int
setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/%s", test_unique("ctlb-sheet"));
	return mkdir(tmp, 0755);
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
chromium(void)
{
	return access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" :
	    NULL;
}

/* Output of a shell command (its stderr dropped), or NULL. */
static char *
run(const char *cmd)
{
	FILE *fp = popen(cmd, "r");
	size_t len = 0, cap = 65536, n;
	char *buf;

	if (fp == NULL)
		return NULL;
	buf = malloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
		len += n;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	if (pclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ctlbridge sheet -c . -o FILE PROFILES; the HTML file's path. */
static void
make_sheet(const char *profiles, char *html, size_t len)
{
	char cmd[1024], *out;

	snprintf(html, len, "%s/sheet.html", tmp);
	snprintf(cmd, sizeof(cmd), "'%s' sheet -c . -o '%s' %s && echo ok",
	    ctlbridge_path(), html, profiles);
	out = run(cmd);
	assert_non_null(out);
	assert_string_equal(out, "ok\n");
	free(out);
}

static char *
dump_dom(const char *html)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "'%s' --headless --no-sandbox --disable-gpu "
	    "--disable-background-networking --user-data-dir='%s/chromium' "
	    "--dump-dom 'file://%s' 2>/dev/null", chromium(), tmp, html);
	return run(cmd);
}

/* An attribute value as Chromium writes it back: & and " escaped. */
static void
attr(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 7 < len; s++) {
		if (*s == '&')
			n += (size_t)snprintf(out + n, len - n, "&amp;");
		else if (*s == '"')
			n += (size_t)snprintf(out + n, len - n, "&quot;");
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* One page of the DOM: what lies between its section tag and the next. */
static char *
page_of(const char *dom, const char *profile)
{
	char id[128];
	const char *at, *end;
	char *page;

	snprintf(id, sizeof(id), "id=\"role-%s\"", profile);
	at = strstr(dom, id);
	if (at == NULL)
		return NULL;
	end = strstr(at, "</section>");
	assert_non_null(end);
	page = strndup(at, (size_t)(end - at));
	return page;
}

/* Every control of p's controller drawn once on its page, every bound
 * one with its label. */
static void
check_page(const char *dom, const struct config *cfg, const char *name)
{
	const struct profile *p = config_profile(cfg, name);
	const struct controller *c;
	char *page, want[512], esc_name[128], esc_label[256], label[128];
	int missing = 0;

	assert_non_null(p);
	c = p->controller;
	page = page_of(dom, name);
	if (page == NULL)
		fail_msg("no page for %s in the DOM", name);
	if (count_substr(page, "<g class=\"ctl ") != c->ncontrols)
		fail_msg("%s: %d control elements in the SVG, the controller has "
		    "%d", name, count_substr(page, "<g class=\"ctl "),
		    c->ncontrols);
	for (int i = 0; i < c->ncontrols; i++) {
		const struct binding *b = p->by_control[i] >= 0 ?
		    &p->bindings[p->by_control[i]] : NULL;
		attr(c->controls[i].name, esc_name, sizeof(esc_name));
		if (b) {
			action_short_label(b->action, b->track,
			    binding_marker(b), binding_plugin(b),
			    binding_label(b), binding_profile(b), label,
			    sizeof(label));
			assert_true(*label != '\0');
		} else
			*label = '\0';
		attr(label, esc_label, sizeof(esc_label));
		snprintf(want, sizeof(want), "data-control=\"%s\" data-label=\"%s\"",
		    esc_name, esc_label);
		if (count_substr(page, want) != 1) {
			print_message("# %s: '%s' not once in the DOM\n", name, want);
			missing++;
		}
	}
	free(page);
	assert_int_equal(missing, 0);
}

static void
check_sheet(const struct config *cfg, const char *a, const char *b)
{
	char profiles[256], html[400], *dom;

	snprintf(profiles, sizeof(profiles), "%s %s", a, b ? b : "");
	make_sheet(profiles, html, sizeof(html));
	dom = dump_dom(html);
	if (dom == NULL || strstr(dom, "<svg") == NULL)
		fail_msg("chromium did not load %s", html);
	check_page(dom, cfg, a);
	if (b)
		check_page(dom, cfg, b);
	free(dom);
}

static struct config *
shipped(void)
{
	struct diag_list dl;
	struct config *cfg;

	diag_init(&dl);
	cfg = config_load(test_dirs, 1, NULL, &dl);
	assert_int_equal(dl.errors, 0);
	diag_free(&dl);
	return cfg;
}

static void
test_every_shipped_profile(void **state)
{
	struct config *cfg;
	int seen = 0;
	static const char *const pairs[][2] = {
		{ "engineer", "producer" },
		{ "engineer-pan", NULL },
		{ "engineer-fx", NULL },
		{ "producer-takes", NULL },
		{ "engineer-xtouch", "producer-xtouch" },
		{ "engineer-midimix", "producer-midimix" },
		{ "engineer-apcmini", "producer-apcmini" },
	};

	(void)state;
	if (chromium() == NULL)
		fail_msg("chromium is not installed (make test installs it: "
		    ".ci/install-deps)");
	cfg = shipped();
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		check_sheet(cfg, pairs[i][0], pairs[i][1]);
		seen += 1 + (pairs[i][1] != NULL);
	}
	/* none left out */
	assert_int_equal(seen, cfg->nprofiles);
	config_free(cfg);
}

/* The words of the README's role tables, the marks, the differences. */
static void
test_engineer_and_producer(void **state)
{
	char html[400], *dom, *eng, *prod, cmd[1200];
	struct stat st;

	(void)state;
	make_sheet("engineer producer", html, sizeof(html));
	dom = dump_dom(html);
	assert_non_null(dom);
	eng = page_of(dom, "engineer");
	prod = page_of(dom, "producer");
	assert_non_null(eng);
	assert_non_null(prod);
	assert_non_null(strstr(eng, "data-control=\"fader1\" data-label=\"Gain T1\""));
	assert_non_null(strstr(eng, "data-control=\"rec1\" data-label=\"Arm T1\""));
	assert_non_null(strstr(eng, "data-control=\"cycle\" data-label=\"Role: producer\""));
	assert_non_null(strstr(prod, "data-control=\"rec2\" data-label=\"Marker: Verse\""));
	assert_non_null(strstr(prod, "data-control=\"rec8\" data-label=\"Take: keep\""));
	assert_non_null(strstr(prod, "data-control=\"solo5\" data-label=\"Take: good\""));
	/* the switch is marked on both; the producer's indicator is cycle */
	assert_non_null(strstr(eng, "<g class=\"ctl bound role role-switch changed\" "
	    "data-control=\"cycle\""));
	assert_non_null(strstr(prod, "<g class=\"ctl bound role role-switch "
	    "indicator changed\" data-control=\"cycle\""));
	/* unbound: drawn, empty; the same in both roles: not marked */
	assert_non_null(strstr(prod, "<g class=\"ctl unbound none changed\" "
	    "data-control=\"fader1\" data-label=\"\""));
	assert_non_null(strstr(eng, "<g class=\"ctl bound transport\" "
	    "data-control=\"play\""));
	assert_non_null(strstr(eng, "<g class=\"ctl unbound none\" "
	    "data-control=\"forward\""));
	/* the producer's [on] hook, under its legend */
	assert_non_null(strstr(prod, "<ul class=\"hooks\"><li>on <b>recording.start"
	    "</b>: profile.switch profile=producer-takes</li></ul>"));
	assert_null(strstr(eng, "class=\"hooks\""));
	/* one printed page per role */
	assert_non_null(strstr(dom, "@page"));
	assert_non_null(strstr(dom, "break-after: page"));
	/* nothing fetched: no other address than the SVG namespace */
	assert_int_equal(count_substr(dom, "http"), count_substr(dom,
	    "http://www.w3.org/2000/svg"));
	free(eng);
	free(prod);
	free(dom);

	/* a picture, as make sheets takes them */
	snprintf(cmd, sizeof(cmd), "'%s' --headless --no-sandbox --disable-gpu "
	    "--disable-background-networking --user-data-dir='%s/chromium' "
	    "--hide-scrollbars --window-size=1500,1400 --screenshot='%s/sheet.png' "
	    "'file://%s' >/dev/null 2>&1", chromium(), tmp, tmp, html);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/sheet.png", tmp);
	assert_int_equal(stat(cmd, &st), 0);
	assert_true(st.st_size > 20000);
}

/* Printed (Chromium's print to PDF, its default paper): one page per
 * role, a wide controller and a tall one. */
static void
test_one_printed_page_per_role(void **state)
{
	static const char *const pairs[] = { "engineer producer",
	    "engineer-apcmini producer-apcmini" };
	char html[400], cmd[1200], pdf[300];

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		FILE *fp;
		char *buf;
		long len;
		make_sheet(pairs[i], html, sizeof(html));
		snprintf(pdf, sizeof(pdf), "%s/sheet.pdf", tmp);
		snprintf(cmd, sizeof(cmd), "'%s' --headless --no-sandbox "
		    "--disable-gpu --disable-background-networking "
		    "--user-data-dir='%s/chromium' --no-pdf-header-footer "
		    "--print-to-pdf='%s' 'file://%s' >/dev/null 2>&1", chromium(),
		    tmp, pdf, html);
		assert_int_equal(system(cmd), 0);
		fp = fopen(pdf, "rb");
		assert_non_null(fp);
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		buf = calloc(1, (size_t)len + 1);
		assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
		fclose(fp);
		/* one media box per page; binary-safe count */
		{
			int pages = 0;
			for (long k = 0; k + 9 <= len; k++)
				pages += memcmp(buf + k, "/MediaBox", 9) == 0;
			if (pages != 2)
				fail_msg("%s: %d printed pages, not 2", pairs[i], pages);
		}
		free(buf);
	}
}

static void
test_errors(void **state)
{
	char cmd[600], *out;

	(void)state;
	snprintf(cmd, sizeof(cmd), "'%s' sheet -c . nosuchrole 2>&1; echo rc=$?",
	    ctlbridge_path());
	out = run(cmd);
	assert_non_null(out);
	assert_non_null(strstr(out, "no profile 'nosuchrole' (profiles: "
	    "engineer, engineer-apcmini, "));
	assert_non_null(strstr(out, "rc=1"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' sheet 2>&1; echo rc=$?",
	    ctlbridge_path());
	out = run(cmd);
	assert_non_null(strstr(out, "usage: ctlbridge sheet"));
	assert_non_null(strstr(out, "rc=2"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_shipped_profile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_engineer_and_producer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_printed_page_per_role,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
