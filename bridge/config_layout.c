/*
 * A controller's [layout]: where each control is on the device, for the
 * cheat sheet (sheet.c).  One line places one control or a range:
 *
 *   NAMES = WIDGET ROW COLUMN [tall=N] [wide=N] [layer=NAME]
 *
 * ROW and COLUMN are 1-based grid cells, counted from the top left; for a
 * range of names either may be a range too, stepped evenly over the names
 * (knob1..8 = knob 1 7..21: columns 7, 9, ... 21).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define LAYOUT_MAX 64		/* rows and columns */

static const char *const widgets[] = {
	[WIDGET_NONE] = "none", [WIDGET_FADER] = "fader",
	[WIDGET_KNOB] = "knob", [WIDGET_ENCODER] = "encoder",
	[WIDGET_BUTTON] = "button", [WIDGET_PAD] = "pad",
};

const char *
widget_name(enum widget w)
{
	return (unsigned)w < sizeof(widgets) / sizeof(widgets[0]) ?
	    widgets[w] : "?";
}

/* The first cell and step of n cells written as "a" or "a..b"; false with
 * a diagnostic. */
static bool
cells(const char *what, const char *text, int n, long *first, long *step,
    const char *path, int line, struct diag_list *dl)
{
	int count = parse_int_range(text, first);
	long last = *first + count - 1;

	*step = 0;
	if (count <= 0 || *first < 1 || last > LAYOUT_MAX) {
		diag_error(dl, path, line, "layout: %s '%s' is not a number or "
		    "a range in 1..%d", what, text, LAYOUT_MAX);
		return false;
	}
	if (count == 1)
		return true;
	if (n < 2 || (last - *first) % (n - 1) != 0) {
		diag_error(dl, path, line, "layout: %d control%s cannot step "
		    "evenly over the %ss %s", n, n == 1 ? "" : "s", what, text);
		return false;
	}
	*step = (last - *first) / (n - 1);
	return true;
}

static bool
overlaps(const struct control_place *a, const struct control_place *b)
{
	return a->widget && b->widget && strcmp(a->layer, b->layer) == 0 &&
	    a->row < b->row + b->tall && b->row < a->row + a->tall &&
	    a->col < b->col + b->wide && b->col < a->col + a->wide;
}

/* The words after the cells; false with a diagnostic. */
static bool
place_word(struct control_place *pl, const char *t, const char *path,
    int line, struct diag_list *dl)
{
	long v;

	if (strncmp(t, "tall=", 5) == 0 || strncmp(t, "wide=", 5) == 0) {
		if (!parse_int(t + 5, 1, 16, &v)) {
			diag_error(dl, path, line, "layout: %.4s '%s' is out of "
			    "range 1..16", t, t + 5);
			return false;
		}
		if (*t == 't')
			pl->tall = (uint8_t)v;
		else
			pl->wide = (uint8_t)v;
	} else if (strncmp(t, "layer=", 6) == 0) {
		if (t[6] == '\0' || strlen(t + 6) >= sizeof(pl->layer)) {
			diag_error(dl, path, line, "layout: a layer is a name of "
			    "1 to %zu characters", sizeof(pl->layer) - 1);
			return false;
		}
		snprintf(pl->layer, sizeof(pl->layer), "%s", t + 6);
	} else {
		diag_error(dl, path, line, "layout: unknown word '%s' (expected "
		    "tall=N, wide=N or layer=NAME)", t);
		return false;
	}
	return true;
}

void
layout_line(struct controller *c, const char *path, const char *key,
    const char *value, int line, struct diag_list *dl)
{
	char tok[TOKEN_MAX][TOKEN_LEN], prefix[TOKEN_LEN];
	struct control_place pl = { .tall = 1, .wide = 1, .line = line };
	long first_name, row, col, drow, dcol;
	const char *err;
	int ntok, n, w;

	if ((n = parse_name_range(key, prefix, sizeof(prefix), &first_name)) < 0) {
		diag_error(dl, path, line, "layout: bad control name range '%s' "
		    "(write e.g. fader1..8)", key);
		return;
	}
	if ((ntok = tokenize(value, tok, TOKEN_MAX, &err)) < 0) {
		diag_error(dl, path, line, "layout: %s in '%s'", err, value);
		return;
	}
	for (w = WIDGET_FADER; ntok > 0 && w <= WIDGET_PAD; w++)
		if (strcmp(tok[0], widgets[w]) == 0)
			break;
	if (ntok == 0 || w > WIDGET_PAD) {
		diag_error(dl, path, line, "layout: unknown widget '%s' (expected "
		    "fader, knob, encoder, button or pad)", ntok ? tok[0] : "");
		return;
	}
	if (ntok < 3) {
		diag_error(dl, path, line, "layout: '%s' needs a row and a column "
		    "(%s ROW COLUMN)", key, tok[0]);
		return;
	}
	pl.widget = (uint8_t)w;
	if (w == WIDGET_FADER)
		pl.tall = 3;	/* the usual: a fader is three buttons high */
	if (!cells("row", tok[1], n, &row, &drow, path, line, dl) ||
	    !cells("column", tok[2], n, &col, &dcol, path, line, dl))
		return;
	for (int i = 3; i < ntok; i++)
		if (!place_word(&pl, tok[i], path, line, dl))
			return;
	for (int i = 0; i < n; i++) {
		char name[TOKEN_LEN + 32];
		struct control *ctl;
		int at;

		range_name(name, sizeof(name), prefix, first_name, i);
		if ((at = controller_control(c, name)) < 0) {
			diag_error(dl, path, line, "layout: no control '%s' in "
			    "[controls]", name);
			return;
		}
		ctl = &c->controls[at];
		if (ctl->place.widget) {
			diag_error(dl, path, line, "layout: '%s' is already placed "
			    "at line %d", name, ctl->place.line);
			return;
		}
		pl.row = (uint8_t)(row + i * drow);
		pl.col = (uint8_t)(col + i * dcol);
		for (int j = 0; j < c->ncontrols; j++)
			if (j != at && overlaps(&pl, &c->controls[j].place)) {
				diag_error(dl, path, line, "layout: '%s' at row %d, "
				    "column %d overlaps '%s' (line %d)%s", name,
				    pl.row, pl.col, c->controls[j].name,
				    c->controls[j].place.line, *pl.layer ? "" :
				    "; a control of a shift layer takes layer=NAME");
				return;
			}
		ctl->place = pl;
	}
}
