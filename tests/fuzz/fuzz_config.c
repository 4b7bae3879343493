/*
 * The INI loader, all three layers, and a reload onto what it loaded.  The
 * input is three files separated by a line "%%": a controller, a dialect
 * and a profile, written into a configuration directory of their own (the
 * test set's files would only cost time: every run would load them again).
 * Byte 0 names them: bit 0 the controller fz or testctl, bit 1 the dialect
 * fz or testdaw, bit 2 the profile fz or good.  The set loads; when it has
 * no errors, an engine running tests/data/config's profile 'good', a button
 * held and a fader moved, is rebound to the new set's profile of that name
 * on the same controller, its values carried by key, as a reload does.
 *
 * Host names are not looked up (getaddrinfo is wrapped to numeric hosts
 * only: a fuzzed name would wait on DNS).
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "fuzz.h"

#define MS UINT64_C(1000000)

static const char *const names[3][2] = {
	{ "mappings/controllers/fz.ini", "mappings/controllers/testctl.ini" },
	{ "mappings/daws/fz.ini", "mappings/daws/testdaw.ini" },
	{ "profiles/fz.ini", "profiles/good.ini" },
};
static struct config *base;
static char dir[256];

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h = *hints;

	h.ai_flags |= AI_NUMERICHOST;
	return __real_getaddrinfo(node, service, &h, res);
}

static void
cleanup(void)
{
	char path[300];

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i][j]);
			unlink(path);
		}
	snprintf(path, sizeof(path), "%s/mappings/controllers", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/mappings/daws", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/mappings", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/profiles", dir);
	rmdir(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[300];

	base = fuzz_load("tests/data/config");
	snprintf(dir, sizeof(dir), "%s/ctlbridge-fuzz-config.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		exit(2);
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/mappings", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/mappings/controllers", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/mappings/daws", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/profiles", dir);
	mkdir(path, 0700);
	return 0;
}

static void
write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

/* The next part, up to a line "%%" or the end. */
static size_t
part(const uint8_t *data, size_t size, size_t *skip)
{
	for (size_t i = 0; i + 3 <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && data[i] == '%' &&
		    data[i + 1] == '%' && (i + 3 > size || data[i + 2] == '\n')) {
			*skip = i + 3;
			return i;
		}
	*skip = size;
	return size;
}

static void
rebind(const struct config *cfg)
{
	const struct profile *old = config_profile(base, "good");
	const struct profile *p = config_profile(cfg, "good");
	struct target_values *tv, *carried;
	struct engine *eng;
	struct engine_output out;
	struct midi_event ev = { .kind = MIDI_CC, .value = 127 };

	if (p == NULL || p->controller == NULL ||
	    strcmp(p->controller->name, old->controller->name) != 0 ||
	    memcmp(p->controller->cc14_mask, old->controller->cc14_mask,
	    sizeof(p->controller->cc14_mask)) != 0)
		return;
	if ((eng = engine_new(old)) == NULL ||
	    (tv = target_values_new(base->ntargets)) == NULL ||
	    (carried = target_values_new(cfg->ntargets)) == NULL)
		abort();
	eng->values = tv;
	for (int i = 0; i < base->ntargets; i++) {
		int id = config_target(cfg, &base->targets[i]);
		tv->v[i] = i;
		if (id >= 0)
			carried->v[id] = tv->v[i];
	}
	/* a button held across the reload, and a fader moved */
	for (ev.number = 0; ev.number < 128; ev.number++)
		engine_event(eng, &ev, 1000 * MS, &out);
	if (engine_rebind(eng, p, carried) < 0)
		abort();
	ev.value = 0;
	for (ev.number = 0; ev.number < 128; ev.number++)
		engine_event(eng, &ev, 1100 * MS, &out);
	engine_free(eng);
	target_values_free(tv);
	target_values_free(carried);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dirs[] = { dir };
	struct diag_list dl;
	struct config *cfg;
	char files[3][300];
	size_t at = 1;

	if (size < 1)
		return 0;
	for (int i = 0; i < 3; i++) {
		size_t skip, len = part(data + at, size - at, &skip);
		snprintf(files[i], sizeof(files[i]), "%s/%s", dir,
		    names[i][(data[0] >> i) & 1]);
		write_file(files[i], data + at, len);
		at += skip;
	}
	diag_init(&dl);
	if ((cfg = config_load(dirs, 1, NULL, &dl)) != NULL && dl.errors == 0)
		rebind(cfg);
	config_free(cfg);
	diag_free(&dl);
	for (int i = 0; i < 3; i++)
		unlink(files[i]);
	return 0;
}
