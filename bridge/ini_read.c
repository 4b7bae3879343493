#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "ini_read.h"
#include "util.h"

struct ini_reader_ctx {
	FILE *fp;
	const char *path;
	int line;
	char *buf;
	size_t cap;
	struct diag_list *dl;
	ini_section_fn on_section;
	ini_key_fn on_key;
	void *user;
	char last_section[INI_READ_MAX_LINE + 2];
	/* after a section header that could not be read: its keys would
	 * each be reported as belonging to the section before it, one
	 * cause giving a screenful; they are skipped up to the next header */
	bool in_broken_section;
};

static int
line_is_valid(const char *s)
{
	size_t n;

	if (*s == '\0' || *s == ';' || *s == '#')
		return 1;
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL)
			return 0;
		for (const char *p = s + 1; p < end; p++)
			if (!isspace((unsigned char)*p))
				return 1;
		return 0;	/* "[]" or "[ ]" */
	}
	/* inih also splits at ':', but "key: value" is not our syntax, and
	 * a line missing its '=' often has a ':' in its value ("i:{track}") */
	n = strcspn(s, "=:");
	if (s[n] != '=' || n == 0)
		return 0;
	return 1;
}

/*
 * Our callbacks run inside inih, which holds a line buffer of its own:
 * memory running out in one (util.h: alloc_scope) must not jump over
 * inih's frames.  The jump lands here instead; no callback runs after it,
 * the reader tells inih the file ended, and ini_read_file, once inih has
 * returned and the file is closed, jumps on.
 */
static void
shielded_section(struct ini_reader_ctx *c, const char *name)
{
	jmp_buf here;
	jmp_buf *prev = alloc_shield(&here);

	if (setjmp(here) == 0)
		c->on_section(c->user, name, c->line);
	alloc_unshield(prev);
}

static void
shielded_key(struct ini_reader_ctx *c, const char *name, const char *value)
{
	jmp_buf here;
	jmp_buf *prev = alloc_shield(&here);

	if (setjmp(here) == 0)
		c->on_key(c->user, c->last_section, name, value, c->line);
	alloc_unshield(prev);
}

/* inih reader: hands inih one checked line at a time. */
static char *
reader(char *str, int num, void *stream)
{
	struct ini_reader_ctx *c = stream;
	ssize_t len;
	char *s;

	if (alloc_failed())
		return NULL;
	len = getline(&c->buf, &c->cap, c->fp);
	if (len < 0)
		return NULL;
	c->line++;
	while (len > 0 && (c->buf[len - 1] == '\n' || c->buf[len - 1] == '\r'))
		c->buf[--len] = '\0';
	s = c->buf;
	if (c->line == 1 && (unsigned char)s[0] == 0xEF &&
	    (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (strlen(s) > INI_READ_MAX_LINE || (int)strlen(s) + 2 > num) {
		diag_error(c->dl, c->path, c->line,
		    "line is too long (%zu characters, at most %d)", strlen(s),
		    INI_READ_MAX_LINE);
		s = "";
	} else if (memchr(c->buf, '\0', (size_t)len) != NULL) {
		diag_error(c->dl, c->path, c->line, "line contains a NUL byte");
		s = "";
	} else if (*s == '[' && !line_is_valid(s)) {
		diag_error(c->dl, c->path, c->line, strchr(s, ']') == NULL ?
		    "section header \"%s\" has no closing ']' (the lines up to "
		    "the next [section] are skipped)" : "empty section header "
		    "\"%s\" (the lines up to the next [section] are skipped)", s);
		c->in_broken_section = true;
		s = "";
	} else if (!line_is_valid(s)) {
		if (!c->in_broken_section)
			diag_error(c->dl, c->path, c->line, "expected \"[section]\" "
			    "or \"key = value\", got \"%s\"", s);
		s = "";
	} else if (c->in_broken_section && *s != '[') {
		s = "";		/* said once, at the header */
	} else if (*s == '[' && utf8_invalid(s) != NULL) {
		const char *bad = utf8_invalid(s);
		diag_error(c->dl, c->path, c->line, "'%.*s\\x%02X...' is not "
		    "valid UTF-8 (save the file as UTF-8; the lines up to the "
		    "next [section] are skipped)", (int)(bad - s), s,
		    (unsigned char)*bad);
		c->in_broken_section = true;
		s = "";
	} else if (*s == '[') {
		c->in_broken_section = false;
		/* report the section here: inih only tells us of sections with keys */
		const char *end = strchr(s, ']');
		size_t n = (size_t)(end - s - 1);
		char name[INI_READ_MAX_LINE + 2];
		memcpy(name, s + 1, n);
		name[n] = '\0';
		while (n > 0 && isspace((unsigned char)name[n - 1]))
			name[--n] = '\0';
		char *nm = name;
		while (isspace((unsigned char)*nm))
			nm++;
		snprintf(c->last_section, sizeof(c->last_section), "%s", nm);
		if (c->on_section)
			shielded_section(c, nm);
	}
	snprintf(str, (size_t)num, "%s\n", s);
	return str;
}

/* Names, labels and text values go to the DAW, the journal (CSV) and the
 * log: text that is not UTF-8 (a file saved as Latin-1) is an error at its
 * line, shown with the bad byte escaped, and the line is not used. */
static bool
utf8_ok(struct ini_reader_ctx *c, const char *name, const char *value)
{
	const char *bad = utf8_invalid(name);
	const char *text = name;

	if (bad == NULL && (bad = utf8_invalid(value)) != NULL)
		text = value;
	if (bad == NULL)
		return true;
	diag_error(c->dl, c->path, c->line, "'%.*s\\x%02X...' is not valid "
	    "UTF-8 (save the file as UTF-8)", (int)(bad - text), text,
	    (unsigned char)*bad);
	return false;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_reader_ctx *c = user;

	if (!utf8_ok(c, name, value))
		return 1;

	/* inih's own section name keeps the blanks of "[ controls ]" and is
	 * cut at 50 characters; ours is trimmed, as on_section saw it */
	(void)section;
	if (alloc_failed())
		return 1;
	if (c->on_key)
		shielded_key(c, name, value);
	return 1;
}

/* Its byte order mark, or, without one, text as UTF-16 writes ASCII: a
 * NUL before or after the first character. */
static bool
starts_utf16(FILE *fp)
{
	int a = getc(fp), b = getc(fp);

	rewind(fp);
	return (a == 0xFF && b == 0xFE) || (a == 0xFE && b == 0xFF) ||
	    (a == 0 && b > 0 && b < 0x80) || (b == 0 && a > 0 && a < 0x80);
}

bool
ini_file_is_utf16(const char *path)
{
	FILE *fp = fopen_regular(path);
	bool utf16;

	if (fp == NULL)
		return false;
	utf16 = starts_utf16(fp);
	fclose(fp);
	return utf16;
}

int
ini_read_file(const char *path, ini_section_fn on_section, ini_key_fn on_key,
    void *user, struct diag_list *dl)
{
	struct ini_reader_ctx c;

	memset(&c, 0, sizeof(c));
	if ((c.fp = fopen_regular(path)) == NULL) {
		diag_error(dl, path, 0, "cannot open: %s", errno == EINVAL ?
		    "not a regular file" : strerror(errno));
		return -1;
	}
	/* every line would be a NUL byte, and the file no file of ours */
	if (starts_utf16(c.fp)) {
		diag_error(dl, path, 1, INI_UTF16_MESSAGE);
		fclose(c.fp);
		return -1;
	}
	c.path = path;
	c.dl = dl;
	c.on_section = on_section;
	c.on_key = on_key;
	c.user = user;
	ini_parse_stream(reader, &c, handler, &c);
	if (ferror(c.fp))
		diag_error(dl, path, c.line + 1, "read error: %s", strerror(errno));
	free(c.buf);
	fclose(c.fp);
	alloc_check();		/* memory ran out in a callback: jump on */
	return 0;
}
