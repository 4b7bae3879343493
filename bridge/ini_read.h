/*
 * Reading INI files through inih with line numbers.  inih does the
 * splitting; our reader in front of it counts lines, rejects lines too long
 * for inih's buffer and lines that are neither "[section]" nor
 * "key = value", and strips leading white space so that an indented line is
 * an ordinary line (inih would otherwise take it as a continuation).
 */
#ifndef CTLBRIDGE_INI_READ_H
#define CTLBRIDGE_INI_READ_H

#include <stdbool.h>

#include "diag.h"

/* Longest line content inih accepts (its buffer holds the newline and NUL). */
#define INI_READ_MAX_LINE 198

/* Called for every key; returns nothing: problems go into dl. */
typedef void (*ini_key_fn)(void *user, const char *section, const char *key,
    const char *value, int line);
/* Called for every section header, so empty and unknown sections are seen. */
typedef void (*ini_section_fn)(void *user, const char *section, int line);

/* Returns 0 when the file was read (diagnostics may still have been added),
 * -1 when it could not be opened or is UTF-16 text (a diagnostic names the
 * cause). */
int ini_read_file(const char *path, ini_section_fn on_section, ini_key_fn on_key,
    void *user, struct diag_list *dl);

/* A file saved as UTF-16 (Windows' "Unicode"): it starts with its byte
 * order mark, or with a NUL byte beside its first character.  Said once,
 * at line 1, in these words. */
#define INI_UTF16_MESSAGE "the file is UTF-16 text: save it as UTF-8"
bool ini_file_is_utf16(const char *path);

#endif
