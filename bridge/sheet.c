/*
 * ctlbridge sheet: a cheat sheet per role.  One self-contained HTML page
 * (inline SVG and CSS, nothing fetched, no script) that draws the
 * controller as its [layout] places the controls and labels each with
 * what it does in the role (actions.c's short labels).  Several profiles
 * give a page each; pages of one controller mark the controls that do
 * something else in the other role.  Print CSS: one page per role.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "sheet.h"
#include "util.h"

#define CW 100			/* a grid column, SVG units */
#define RH 96			/* a grid row */
#define PAD 12			/* around the drawing */
#define MAX_PROFILES 16
#define AUTO_COLUMNS 8		/* unplaced controls: rows of this many */

/* Where a control is drawn: its own place, or one made up for a control
 * the [layout] leaves out (in rows under the drawing). */
struct spot {
	struct control_place pl;
	bool made_up;
};

struct page {
	const struct profile *p;
	const struct profile *other;	/* the role it is compared with */
	struct spot *spots;		/* per control */
	int rows, cols, made_up_row;	/* made_up_row: first row of those, 0 */
};

static void
html_escape(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
}

/* The label of control i in profile p into buf, "" when unbound. */
static const char *
label_of(const struct profile *p, int i, char *buf, size_t len)
{
	const struct binding *b;

	buf[0] = '\0';
	if (p == NULL || p->by_control[i] < 0)
		return buf;
	b = &p->bindings[p->by_control[i]];
	return action_short_label(b->action, b->track, binding_marker(b),
	    binding_plugin(b), binding_label(b), binding_profile(b), buf, len);
}

static const struct binding *
binding_of(const struct profile *p, int i)
{
	return p && p->by_control[i] >= 0 ? &p->bindings[p->by_control[i]] :
	    NULL;
}

static bool
changed(const struct page *pg, int i)
{
	char a[128], b[128];

	if (pg->other == NULL)
		return false;
	label_of(pg->p, i, a, sizeof(a));
	label_of(pg->other, i, b, sizeof(b));
	return strcmp(a, b) != 0;
}

/* A colour family per kind of action, as the legend names them. */
static const char *
family(const struct binding *b)
{
	const char *n;

	if (b == NULL)
		return "none";
	n = b->action->name;
	if (b->action->effect == EFFECT_SWITCH || b->action->effect ==
	    EFFECT_NEXT || b->action->effect == EFFECT_PREVIOUS)
		return "role";
	if (strncmp(n, "transport.", 10) == 0 || strcmp(n, "loop.section") == 0)
		return "transport";
	if (strncmp(n, "marker.", 7) == 0)
		return "marker";
	if (strncmp(n, "take.", 5) == 0)
		return "take";
	if (strcmp(n, "track.recarm") == 0)
		return "arm";
	if (strcmp(n, "track.mute") == 0 || strcmp(n, "track.solo") == 0 ||
	    strcmp(n, "track.bypass") == 0 || strcmp(n, "track.select") == 0)
		return "switch";
	if (strncmp(n, "bank.", 5) == 0)
		return "bank";
	return "level";
}

static void
layout_page(struct page *pg)
{
	const struct controller *c = pg->p->controller;
	int made = 0;

	pg->spots = xcalloc((size_t)(c->ncontrols ? c->ncontrols : 1),
	    sizeof(*pg->spots));
	for (int i = 0; i < c->ncontrols; i++) {
		const struct control_place *pl = &c->controls[i].place;
		if (!pl->widget)
			continue;
		pg->spots[i].pl = *pl;
		if (pl->row + pl->tall - 1 > pg->rows)
			pg->rows = pl->row + pl->tall - 1;
		if (pl->col + pl->wide - 1 > pg->cols)
			pg->cols = pl->col + pl->wide - 1;
	}
	for (int i = 0; i < c->ncontrols; i++) {
		const struct control *ctl = &c->controls[i];
		struct control_place *pl = &pg->spots[i].pl;
		if (ctl->place.widget)
			continue;
		if (made == 0)
			pg->made_up_row = pg->rows + (pg->rows ? 2 : 1);
		pl->widget = ctl->mode == MODE_BUTTON ? WIDGET_BUTTON :
		    ctl->mode == MODE_RELATIVE ? WIDGET_ENCODER : WIDGET_KNOB;
		pl->row = (uint8_t)(pg->made_up_row + made / AUTO_COLUMNS);
		pl->col = (uint8_t)(1 + made % AUTO_COLUMNS);
		pl->tall = pl->wide = 1;
		pg->spots[i].made_up = true;
		if (pl->row > pg->rows)
			pg->rows = pl->row;
		if (pl->col > pg->cols)
			pg->cols = pl->col;
		made++;
	}
}

/* Words of s in lines of at most width characters, a word longer than
 * that cut; at most max lines (the last ends in an ellipsis when more
 * was left).  The lines go into out, separated by '\0'. */
static int
wrap_all(const char *s, int width, int max, char out[][64], bool *cut)
{
	int n = 0;

	*cut = false;
	while (*s && n < max) {
		int len = (int)strlen(s), take = len;
		if (len > width) {
			take = width;
			for (int k = width; k > 0; k--)
				if (s[k] == ' ') {
					take = k;
					break;
				}
			for (int k = width - 1; take == width && k > 2; k--)
				if (s[k] == '-') {
					take = k + 1;	/* "producer-" "xtouch" */
					break;
				}
			if (take == width && s[take] != ' ')
				*cut = true;	/* a word cut in two */
		}
		if (take > 60)
			take = 60;
		snprintf(out[n], 64, "%.*s", take, s);
		s += take;
		while (*s == ' ')
			s++;
		if (*s && n == max - 1) {
			strcpy(out[n] + strlen(out[n]), "\xe2\x80\xa6");	/* … */
			*cut = true;
		}
		n++;
	}
	return n;
}

static int
wrap(const char *s, int width, int max, char out[][64])
{
	bool cut;

	return wrap_all(s, width, max, out, &cut);
}

/* s centred at x in lines from y; in a smaller type, one line more, when
 * it would not fit whole. */
static void
text_lines(FILE *out, double x, double y, const char *cls, const char *s,
    int width, int max, double step)
{
	char lines[6][64];
	bool cut, small = false;
	int n = wrap_all(s, width, max, lines, &cut);

	if (cut) {
		n = wrap_all(s, width * 5 / 4, max + 1, lines, &cut);
		small = true;
		step *= 0.8;
		y -= step * 0.5;
	}
	for (int k = 0; k < n; k++) {
		fprintf(out, "<text class=\"%s%s\" x=\"%.1f\" y=\"%.1f\">", cls,
		    small ? " small" : "", x, y + k * step);
		html_escape(out, lines[k]);
		fputs("</text>", out);
	}
}

static int
text_width(const struct control_place *pl)
{
	return (int)((pl->wide * CW - 14) / 9.8);
}

/* The line a layered control adds under its cell's label: "B: Trim T1". */
static const char *
layer_text(const struct page *pg, int i, char *buf, size_t len)
{
	char label[128];

	label_of(pg->p, i, label, sizeof(label));
	snprintf(buf, len, "%s: %s", pg->spots[i].pl.layer,
	    *label ? label : "\xe2\x80\x93");
	return buf;
}

/* How many lines it takes (as text_lines draws it, at most 3). */
static int
layer_lines(const struct page *pg, int i)
{
	char text[160], lines[6][64];

	int width = text_width(&pg->spots[i].pl) + 2, n;
	bool cut;

	layer_text(pg, i, text, sizeof(text));
	n = wrap_all(text, width, 2, lines, &cut);
	if (cut)	/* text_lines goes smaller, one line more */
		n = wrap_all(text, width * 5 / 4, 3, lines, &cut);
	return n;
}

/* Control i, drawn in its cell; layer: it shares the cell with the
 * control without a layer, and is a line of text under that one's
 * label (the nth such line). */
static void
draw_control(FILE *out, const struct page *pg, int i, int first_line,
    bool draws_widget, int nlines)
{
	const struct controller *c = pg->p->controller;
	const struct control *ctl = &c->controls[i];
	const struct control_place *pl = &pg->spots[i].pl;
	const struct binding *b = binding_of(pg->p, i);
	char label[128];
	double x = PAD + (pl->col - 1) * CW, y = PAD + (pl->row - 1) * RH;
	double w = pl->wide * CW, h = pl->tall * RH, cx = x + w / 2;
	bool is_switch = b && strcmp(family(b), "role") == 0;
	bool is_ind = pg->p->indicator == i;
	bool diff = changed(pg, i);
	int width = text_width(pl), layer_h = nlines * 15;

	label_of(pg->p, i, label, sizeof(label));
	fprintf(out, "<g class=\"ctl %s %s%s%s%s%s\" data-control=\"",
	    b ? "bound" : "unbound", family(b), *pl->layer ? " layer" : "",
	    is_switch ? " role-switch" : "", is_ind ? " indicator" : "",
	    diff ? " changed" : "");
	html_escape(out, ctl->name);
	fputs("\" data-label=\"", out);
	html_escape(out, label);
	fputs("\"><title>", out);
	html_escape(out, ctl->name);
	fputs(": ", out);
	html_escape(out, b ? label : "not bound");
	if (b && b->guard)
		fputs(" (twice while recording)", out);
	if (is_ind)
		fputs(" (lit while this role is active)", out);
	fputs("</title>", out);

	if (*pl->layer && !draws_widget) {
		/* lines under the label of the cell's own control */
		double ly = y + h - 8 - (nlines - 1 - first_line) * 15;
		char line[160];
		layer_text(pg, i, line, sizeof(line));
		text_lines(out, cx, ly, b ? "layer-text" : "layer-text empty",
		    line, width + 2, 2, 15);
		fputs("</g>", out);
		return;
	}

	switch (pl->widget) {
	case WIDGET_FADER: {
		double top = y + 12, bottom = y + h - 50 - layer_h;
		double cap = top + (bottom - top) * 0.35;
		fprintf(out, "<rect class=\"slot\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"6\" height=\"%.1f\" rx=\"3\"/>", cx - 3, top,
		    bottom - top);
		fprintf(out, "<rect class=\"shape cap\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"30\" height=\"16\" rx=\"3\"/>", cx - 15, cap - 8);
		if (*label)
			text_lines(out, cx, bottom + 21, "label", label, width, 2,
			    18);
		break;
	}
	case WIDGET_KNOB:
	case WIDGET_ENCODER: {
		double r = (h - 44 - layer_h) / 2 - 2, cy;
		if (r > 18)
			r = 18;
		if (r < 9)
			r = 9;
		cy = y + 8 + r;
		if (pl->widget == WIDGET_ENCODER)
			fprintf(out, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"%.1f\"/>", cx, cy, r + 4);
		fprintf(out, "<circle class=\"shape\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"%.1f\"/><line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", cx, cy, r, cx, cy, cx - r * 0.5,
		    cy - r * 0.8);
		if (*label)
			text_lines(out, cx, cy + r + 22, "label", label, width, 2,
			    18);
		break;
	}
	default: {
		double inset = pl->widget == WIDGET_PAD ? 4 : 7;
		double bh = h - 2 * inset - layer_h;
		int lines = bh > 56 ? 3 : 2;
		fprintf(out, "<rect class=\"shape\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" rx=\"%d\"/>", x + inset,
		    y + inset, w - 2 * inset, bh,
		    pl->widget == WIDGET_PAD ? 3 : 9);
		if (*label) {
			char tmp[6][64];
			int n = wrap(label, width, lines, tmp);
			double ty = y + inset + bh / 2 - (n - 1) * 9 + 6;
			text_lines(out, cx, ty, "label in", label, width, lines,
			    18);
		}
		break;
	}
	}
	if (is_ind)
		fprintf(out, "<circle class=\"led\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"6\"/>", x + w - 14, y + 14);
	if (diff)
		fprintf(out, "<path class=\"diff\" d=\"M%.1f %.1fh16l-16 16z\"/>",
		    x + 3, y + 3);
	if (b && b->guard)
		fprintf(out, "<text class=\"badge\" x=\"%.1f\" y=\"%.1f\">2\xc3\x97"
		    "</text>", x + w - 11, y + 23);
	if (b && b->action->type != ACTION_CONTINUOUS &&
	    b->trigger == TRIGGER_MOMENTARY)
		fprintf(out, "<text class=\"badge\" x=\"%.1f\" y=\"%.1f\">hold"
		    "</text>", x + w - 12, y + h - layer_h - 12);
	fputs("</g>", out);
}

static void
draw_page(FILE *out, const struct page *pg)
{
	const struct controller *c = pg->p->controller;
	const struct profile *p = pg->p;
	int W = 2 * PAD + pg->cols * CW, H = 2 * PAD + pg->rows * RH;
	int nbound = 0, nctl = c->ncontrols, hooks = 0;
	bool tall = H > W;

	for (int i = 0; i < nctl; i++)
		nbound += p->by_control[i] >= 0;
	fprintf(out, "<section class=\"page%s\" id=\"role-", tall ? " tall" : "");
	html_escape(out, p->name);
	fputs("\">\n<header><h1>", out);
	html_escape(out, p->title ? p->title : p->name);
	fputs("</h1><p class=\"sub\"><b>", out);
	html_escape(out, c->title);
	fputs("</b> \xc2\xb7 profile <code>", out);
	html_escape(out, p->name);
	fputs("</code> \xc2\xb7 ", out);
	html_escape(out, p->dialect ? p->dialect->title : "?");
	fprintf(out, " \xc2\xb7 %d of %d controls bound</p></header>\n",
	    nbound, nctl);
	fprintf(out, "<svg class=\"layout\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
	html_escape(out, c->title);
	fputs("\">\n", out);
	fprintf(out, "<rect class=\"body\" x=\"2\" y=\"2\" width=\"%d\" "
	    "height=\"%d\" rx=\"14\"/>\n", W - 4,
	    (pg->made_up_row ? PAD + (pg->made_up_row - 2) * RH + PAD / 2 :
	    H) - 4);
	if (pg->made_up_row)
		fprintf(out, "<text class=\"caption\" x=\"%d\" y=\"%d\">not on the "
		    "layout of the controller file</text>\n", PAD + 4,
		    PAD + (pg->made_up_row - 1) * RH - 8);
	/* who draws each cell: its control without a layer, else its first;
	 * the others are lines under that one's label, as many in each cell
	 * of a row as in its fullest, so that a row's widgets match */
	{
		size_t ncells = (size_t)(pg->rows + 1) * (size_t)(pg->cols + 1);
		int *owner = xmalloc(ncells * sizeof(int));
		int *used = xcalloc(ncells, sizeof(int));
		int *rowmax = xcalloc((size_t)pg->rows + 1, sizeof(int));
		int *total = xcalloc(ncells, sizeof(int));
#define CELL(pl) ((size_t)(pl)->row * (size_t)(pg->cols + 1) + (pl)->col)
		for (size_t k = 0; k < ncells; k++)
			owner[k] = -1;
		for (int i = 0; i < nctl; i++) {
			const struct control_place *pl = &pg->spots[i].pl;
			int *o = &owner[CELL(pl)];
			if (*o < 0 || (*pl->layer == '\0' &&
			    *pg->spots[*o].pl.layer != '\0'))
				*o = i;
		}
		for (int i = 0; i < nctl; i++) {
			const struct control_place *pl = &pg->spots[i].pl;
			if (owner[CELL(pl)] != i)
				total[CELL(pl)] += layer_lines(pg, i);
			if (total[CELL(pl)] > rowmax[pl->row])
				rowmax[pl->row] = total[CELL(pl)];
		}
		for (int i = 0; i < nctl; i++) {
			const struct control_place *pl = &pg->spots[i].pl;
			bool draws = owner[CELL(pl)] == i;
			draw_control(out, pg, i, used[CELL(pl)], draws,
			    rowmax[pl->row]);
			if (!draws)
				used[CELL(pl)] += layer_lines(pg, i);
			fputc('\n', out);
		}
#undef CELL
		free(owner);
		free(used);
		free(rowmax);
		free(total);
	}
	fputs("</svg>\n<ul class=\"legend\">", out);
	fputs("<li><span class=\"sw transport\"></span>transport</li>"
	    "<li><span class=\"sw marker\"></span>markers</li>"
	    "<li><span class=\"sw take\"></span>takes</li>"
	    "<li><span class=\"sw arm\"></span>record arm</li>"
	    "<li><span class=\"sw switch\"></span>mute, solo, bypass</li>"
	    "<li><span class=\"sw level\"></span>levels</li>"
	    "<li><span class=\"sw bank\"></span>banks</li>"
	    "<li><span class=\"sw role\"></span>switches role</li>"
	    "<li><span class=\"sw none\"></span>not bound</li>", out);
	if (p->indicator >= 0)
		fputs("<li><span class=\"dot\"></span>lit while this role is "
		    "active</li>", out);
	fputs("<li><b>2\xc3\x97</b> press twice while recording</li>", out);
	if (pg->other) {
		fputs("<li><span class=\"tri\"></span>not the same in ", out);
		html_escape(out, pg->other->title ? pg->other->title :
		    pg->other->name);
		fputs("</li>", out);
	}
	fputs("</ul>\n", out);
	/* what the DAW's state does to the role ([on]) */
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (p->hooks[e].nactions) {
			fputs(hooks++ ? "<li>" : "<ul class=\"hooks\"><li>", out);
			fprintf(out, "on <b>%s</b>: ", hook_event_name(e));
			html_escape(out, p->hooks[e].text);
			fputs("</li>", out);
		}
	if (hooks)
		fputs("</ul>\n", out);
	fputs("</section>\n", out);
}

static const char style[] =
"@page { size: landscape; margin: 10mm; }\n"
"@page tall { size: portrait; margin: 10mm; }\n"
"html { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif;"
" color: #1d232a; background: #e9ecef; }\n"
"body { margin: 0; padding: 16px; }\n"
".page { background: #fff; max-width: 1400px; margin: 0 auto 24px;"
" padding: 18px 22px; border-radius: 6px;"
" box-shadow: 0 1px 4px rgba(0,0,0,.15); }\n"
"header { display: flex; align-items: baseline; gap: 18px;"
" border-bottom: 3px solid #1d232a; margin-bottom: 12px; }\n"
"h1 { font-size: 28px; margin: 0 0 6px; letter-spacing: .5px; }\n"
".sub { margin: 0; color: #56606b; font-size: 14px; }\n"
"svg.layout { width: 100%; height: auto; display: block; }\n"
".body { fill: #2b3038; stroke: #15181c; stroke-width: 2; }\n"
".caption { fill: #56606b; font-size: 13px; font-style: italic; }\n"
".ctl .shape { stroke: #15181c; stroke-width: 1.5; fill: #fff; }\n"
".ctl .slot { fill: #15181c; }\n"
".ctl .ring { fill: none; stroke: #8a939d; stroke-width: 3;"
" stroke-dasharray: 3 3; }\n"
".ctl .tick { stroke: #15181c; stroke-width: 2.5; stroke-linecap: round; }\n"
".ctl text { text-anchor: middle; font-size: 16.5px; }\n"
".ctl .label { fill: #fff; font-weight: 600; }\n"
".ctl .label.in { fill: #15181c; }\n"
".ctl .small { font-size: 13.5px; }\n"
".ctl .layer-text { fill: #ffd479; font-size: 13px; font-weight: 600; }\n"
".ctl .layer-text.empty { fill: #8a939d; }\n"
".ctl .badge { fill: #b00020; font-size: 12px; font-weight: 700;"
" text-anchor: end; }\n"
".ctl .led { fill: #3ddc84; stroke: #fff; stroke-width: 2; }\n"
".ctl .diff { fill: #ff3b30; }\n"
".unbound .shape { fill: #4a515b; stroke: #5d6570; }\n"
".unbound .tick { stroke: #6d7580; }\n"
".transport .shape { fill: #b8f0c4; }\n"
".marker .shape { fill: #bcd4ff; }\n"
".take .shape { fill: #e2c6ff; }\n"
".arm .shape { fill: #ffb3b3; }\n"
".switch .shape { fill: #ffe9a8; }\n"
".level .shape { fill: #ffffff; }\n"
".bank .shape { fill: #d5dae0; }\n"
".role .shape { fill: #ffb45c; stroke: #ff7a00; stroke-width: 3; }\n"
".ctl.cap, .ctl .cap { }\n"
".legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px;"
" padding: 0; margin: 12px 0 0; font-size: 13px; color: #333; }\n"
".legend li { display: flex; align-items: center; gap: 6px; }\n"
".hooks { list-style: none; padding: 0; margin: 6px 0 0; font-size: 13px; }\n"
".sw { width: 16px; height: 12px; border: 1.5px solid #15181c;"
" border-radius: 3px; display: inline-block; }\n"
".sw.transport { background: #b8f0c4; } .sw.marker { background: #bcd4ff; }\n"
".sw.take { background: #e2c6ff; } .sw.arm { background: #ffb3b3; }\n"
".sw.switch { background: #ffe9a8; } .sw.level { background: #fff; }\n"
".sw.bank { background: #d5dae0; }\n"
".sw.role { background: #ffb45c; border-color: #ff7a00; }\n"
".sw.none { background: #4a515b; }\n"
".dot { width: 12px; height: 12px; border-radius: 50%;"
" background: #3ddc84; display: inline-block; border: 1px solid #15181c; }\n"
".tri { width: 0; height: 0; border-top: 12px solid #ff3b30;"
" border-right: 12px solid transparent; display: inline-block; }\n"
"@media print {\n"
"  html, body { background: #fff; padding: 0; }\n"
"  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
"  .page { box-shadow: none; margin: 0; padding: 0; max-width: none;"
" break-after: page; page-break-after: always; break-inside: avoid; }\n"
"  .page:last-child { break-after: auto; page-break-after: auto; }\n"
"  .page.tall { page: tall; }\n"
"  svg.layout { max-height: 150mm; }\n"
"  .page.tall svg.layout { max-height: 205mm; }\n"
"}\n";

static void
usage(FILE *out)
{
	fprintf(out, "usage: ctlbridge sheet [-c DIR] [-o FILE] PROFILE...\n"
	    "  a printable cheat sheet (HTML) of what each control does in\n"
	    "  each role; -o FILE writes it there instead of standard output\n");
}

int
sheet_main(int argc, char **argv, char *const *dirs, int ndirs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct page pages[MAX_PROFILES];
	const char *names[MAX_PROFILES], *outpath = NULL;
	char *own_dirs[1];
	struct diag_list dl;
	struct config *cfg;
	int ch, n = 0, rc = 0;
	FILE *out = stdout;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			own_dirs[0] = optarg;
			dirs = own_dirs;
			ndirs = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc || argc - optind > MAX_PROFILES) {
		usage(stderr);
		return 2;
	}
	if (dirs == own_dirs && confdir_check(own_dirs[0]) < 0)
		return 1;
	for (int i = optind; i < argc; i++)
		names[n++] = argv[i];
	if (ndirs == 0) {
		log_errx("no configuration directory found; give one with -c DIR");
		return 1;
	}
	diag_init(&dl);
	cfg = config_load_running(dirs, ndirs, NULL, names, n, &dl);
	diag_print(&dl, stderr);
	if (dl.errors) {
		diag_free(&dl);
		config_free(cfg);
		return 1;
	}
	diag_free(&dl);
	memset(pages, 0, sizeof(pages));
	for (int i = 0; i < n; i++) {
		if ((pages[i].p = config_profile(cfg, names[i])) == NULL) {
			char msg[600];
			log_errx("%s", config_no_profile(cfg, names[i], msg,
			    sizeof(msg)));
			config_free(cfg);
			return 1;
		}
		layout_page(&pages[i]);
	}
	/* each page is compared with the next of its controller, the last
	 * with the one before */
	for (int i = 0; i < n; i++)
		for (int k = 1; k < n && pages[i].other == NULL; k++) {
			const struct page *q = &pages[(i + k) % n];
			if (q->p->controller == pages[i].p->controller &&
			    q->p != pages[i].p)
				pages[i].other = q->p;
		}
	if (outpath && (out = fopen(outpath, "w")) == NULL) {
		log_err("%s", outpath);
		rc = 1;
		goto done;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>ctlbridge cheat sheet: ", out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		html_escape(out, pages[i].p->title ? pages[i].p->title :
		    pages[i].p->name);
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	for (int i = 0; i < n; i++)
		draw_page(out, &pages[i]);
	fputs("</body>\n</html>\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		log_err("%s", outpath ? outpath : "standard output");
		rc = 1;
	}
	if (out != stdout)
		fclose(out);
done:
	for (int i = 0; i < n; i++)
		free(pages[i].spots);
	config_free(cfg);
	return rc;
}
