/*
 * fieldvisit screens: the form runner.  One question per screen (or a
 * page of questions for a field-list group), as the forms engine's runner
 * (fv_runner) walks the form: labels, hints, required marks, choices by
 * number or with the arrow keys, typed answers in a text field, the
 * problems of a step shown under the question, progress, back, a list of
 * the questions to jump to, and a summary of every answer and problem
 * before submit.
 *
 * A visit's form is saved as a draft after every answer (fv_visit_save_draft),
 * so that a killed program loses at most what was typed into the field on
 * the screen; the draft is where the filling resumes (fv_runner_resume).
 * When an answer raises an alert (a calculate alert_KIND becomes true) the
 * crisis screen comes at once.  A registration (no person yet) keeps its
 * answers after every answer as the store's pending draft "register"
 * (fv_store_pending_put), resumes from it, and registers the person on
 * submit, which clears it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

typedef struct runner {
	char *form_id, *person, *checkin;
	/* a correction: the next version of a returned visit, submitted from
	 * the summary with its own check-out and services */
	int correction;
	char *checkout, *services;
	char visit_id[FV_ID_BYTES];   /* the draft, "" until the first answer */
	fv_form *form;
	fv_runner *r;
	int lang;
	char *raised;        /* per form field: the alert calculate is raised */
	int at_field;        /* the field of the step shown (over a lock); -1 summary */
	char error[UI_MSG_MAX];   /* the form could not be read */

	/* the step shown */
	size_t step;
	int *fields;
	size_t nfields;
	ui_field *text;      /* one per field (used by typed questions) */
	size_t focus;        /* index into fields */
	size_t cursor;       /* the choice the cursor is on (focused select) */
	int moved;           /* ... moved there with Up/Down */
	int err_field;       /* the field whose problem is shown, -1 none */
	char err[UI_MSG_MAX];

	int jump;            /* the list of questions is shown */
	size_t jump_cursor;
	int scroll;          /* summary: the first line shown */
	fv_answers problems; /* summary: what the store refused (registration) */
} runner;

typedef struct runner_arg {
	const char *form_id, *person, *checkin, *draft;
	int correction;
} runner_arg;

/* ------------------------------------------------------------------ */
/* Fields                                                              */

static const fv_field *fld(runner *d, int i)
{
	return &d->form->fields[i];
}

static int is_typed(fv_qtype t)
{
	return t == FV_Q_TEXT || t == FV_Q_INTEGER || t == FV_Q_DECIMAL || t == FV_Q_DATE ||
	       t == FV_Q_TIME || t == FV_Q_DATETIME;
}

static int is_select(fv_qtype t)
{
	return t == FV_Q_SELECT_ONE || t == FV_Q_SELECT_MULTIPLE;
}

static int focusable(fv_qtype t)
{
	return is_typed(t) || is_select(t) || t == FV_Q_ACKNOWLEDGE;
}

static const char *label_of(runner *d, int i)
{
	return fv_text_get(d->form, &fld(d, i)->label, d->lang);
}

/* Is choice name among the space-separated value? */
static int has_choice(const char *value, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = value; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && memcmp(p, name, n) == 0)
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}


int ui_form_lang(const ui *u, const fv_form *f)
{
	int l = fv_form_lang(f, ui_lang_code(u->lang));
	return l >= 0 ? l : f->default_lang;
}

void ui_form_title(const fv_form *f, int lang, fv_buf *out)
{
	/* "TITLE_ZH / TITLE_EN": one part per language of the form */
	const char *t = f->title && *f->title ? f->title : f->id;
	const char *parts[FV_MAX_LANGS];
	size_t lens[FV_MAX_LANGS], n = 0;
	for (const char *p = t; n < FV_MAX_LANGS;) {
		const char *sep = strstr(p, " / ");
		parts[n] = p;
		lens[n++] = sep ? (size_t)(sep - p) : strlen(p);
		if (!sep)
			break;
		p = sep + 3;
	}
	if ((int)n == f->nlangs && lang >= 0 && lang < f->nlangs)
		fv_buf_add(out, parts[lang], lens[lang]);
	else
		fv_buf_adds(out, t);
}

/* An answer as the summary shows it: the labels of the choices chosen. */
static void shown_value(ui *u, runner *d, int field, fv_buf *out)
{
	const char *v = fv_instance_get(fv_runner_instance(d->r), field);
	const fv_field *fd = fld(d, field);
	if (fd->type == FV_Q_ACKNOWLEDGE) {
		if (*v)
			fv_buf_adds(out, ui_tr(u, UI_S_RUN_ACK_DONE));
		return;
	}
	if (!is_select(fd->type) || !fd->choices) {
		fv_buf_adds(out, v);
		return;
	}
	int first = 1;
	for (size_t i = 0; i < fd->choices->n; i++) {
		const fv_choice *c = &fd->choices->choices[i];
		if (!has_choice(v, c->name))
			continue;
		fv_buf_addf(out, "%s%s", first ? "" : ui_tr(u, UI_S_RUN_LIST_SEP),
			    fv_text_get(d->form, &c->label, d->lang));
		first = 0;
	}
}

/* The problem of a field in the words of the screen: the form's message,
 * or ours when the form gives none. */
static const char *problem_text(ui *u, const char *msg)
{
	return strcmp(msg, "this question is required") == 0 ? ui_tr(u, UI_S_RUN_REQUIRED) : msg;
}

/* ------------------------------------------------------------------ */
/* The step shown                                                      */

static void free_step(runner *d)
{
	for (size_t i = 0; i < d->nfields; i++)
		ui_field_release(&d->text[i]);
	free(d->text);
	free(d->fields);
	d->text = NULL;
	d->fields = NULL;
	d->nfields = 0;
}

/* The cursor on the answer of a select_one (or the first choice). */
static void place_cursor(runner *d)
{
	d->cursor = 0;
	d->moved = 0;
	if (d->focus >= d->nfields)
		return;
	int f = d->fields[d->focus];
	if (!is_select(fld(d, f)->type))
		return;
	fv_instance *in = fv_runner_instance(d->r);
	const fv_choice **ch;
	size_t n = fv_instance_choices(in, f, &ch);
	const char *v = fv_instance_get(in, f);
	for (size_t i = 0; i < n; i++)
		if (has_choice(v, ch[i]->name)) {
			d->cursor = i;
			return;
		}
}

/* Show the current step: its fields, the typed answers in their text
 * fields, the focus on keep (a field) when it is there, else on the
 * first question. */
static void enter_step(runner *d, int keep)
{
	const int *fields;
	fv_instance *in = fv_runner_instance(d->r);
	free_step(d);
	d->step = fv_runner_at(d->r);
	d->nfields = fv_runner_step_fields(d->r, d->step, &fields);
	d->fields = fv_xcalloc(d->nfields ? d->nfields : 1, sizeof *d->fields);
	d->text = fv_xcalloc(d->nfields ? d->nfields : 1, sizeof *d->text);
	memcpy(d->fields, fields, d->nfields * sizeof *fields);
	d->focus = d->nfields;
	for (size_t i = 0; i < d->nfields; i++) {
		const fv_field *fd = fld(d, d->fields[i]);
		ui_field_init(&d->text[i], 0);
		if (is_typed(fd->type)) {
			const char *v = fv_instance_get(in, d->fields[i]);
			size_t n = strlen(v) < UI_FIELD_MAX ? strlen(v) : 0;
			memcpy(d->text[i].text, v, n);
			d->text[i].len = d->text[i].cursor = n;
		}
		if (d->fields[i] == keep || (d->focus == d->nfields && focusable(fd->type)))
			d->focus = i;
	}
	if (d->focus == d->nfields)
		d->focus = 0;
	place_cursor(d);
	d->scroll = 0;
}

static int focused_field(runner *d)
{
	return d->focus < d->nfields ? d->fields[d->focus] : -1;
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

/* The pending draft of a registration (no person to hang a visit on). */
#define PENDING_REGISTER "register"

/* Save the answers as the draft of the visit, or of the registration. */
static void save_draft(ui *u, runner *d)
{
	fv_answers a = {0};
	fv_errors err;
	fv_visit_input in = {d->person, d->checkin, d->checkout, d->services};
	fv_status st;
	if (!d->person)
		fv_runner_answers(d->r, &a);
	fv_errors_init(&err);
	st = d->person ? fv_visit_save_draft_instance(u->store, d->form, &in,
						      fv_runner_instance(d->r), d->visit_id, &err)
		       : fv_store_pending_put(u->store, PENDING_REGISTER, &a, &err);
	if (st != FV_OK)
		ui_say(u, 1, UI_S_RUN_SAVE_FAILED, err.n ? err.lines[0] : "", NULL);
	fv_errors_release(&err);
	fv_answers_release(&a);
}

/* The alerts the answers raise now; a new one shows its crisis screen. */
static void check_alerts(ui *u, runner *d, int show)
{
	fv_instance *in = fv_runner_instance(d->r);
	for (size_t i = 0; i < d->form->nfields; i++) {
		int now = fv_instance_alert_raised(in, (int)i);
		if (now && !d->raised[i] && show)
			ui_crisis_show(u, fld(d, (int)i)->name + strlen("alert_"),
				       label_of(d, (int)i));
		d->raised[i] = (char)now;
	}
}

/* The words of a value that does not fit its type. */
static void type_problem(ui *u, runner *d, int field, const char *msg)
{
	static const struct {
		fv_qtype t;
		ui_str s;
	} words[] = {
		{FV_Q_INTEGER, UI_S_RUN_NOT_INTEGER}, {FV_Q_DECIMAL, UI_S_RUN_NOT_NUMBER},
		{FV_Q_DATE, UI_S_RUN_NOT_DATE},       {FV_Q_TIME, UI_S_RUN_NOT_TIME},
		{FV_Q_DATETIME, UI_S_RUN_NOT_DATETIME},
	};
	const char *text = msg;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (words[i].t == fld(d, field)->type)
			text = ui_tr(u, words[i].s);
	d->err_field = field;
	snprintf(d->err, sizeof d->err, "%s", text);
}

/* Answer field with value: saved at once; 0 when the value does not fit
 * (the problem is shown under the question). */
static int answer(ui *u, runner *d, int field, const char *value)
{
	char eb[256];
	if (fv_runner_answer(d->r, field, value, eb, sizeof eb) != FV_OK) {
		type_problem(u, d, field, eb);
		return 0;
	}
	if (d->err_field == field)
		d->err_field = -1;
	save_draft(u, d);
	/* relevance may have changed the page */
	enter_step(d, focused_field(d));
	check_alerts(u, d, 1);
	return 1;
}

/* Take what was typed into the focused field as its answer. */
static int commit(ui *u, runner *d)
{
	int f = focused_field(d);
	if (f < 0 || !is_typed(fld(d, f)->type))
		return 1;
	ui_field *t = &d->text[d->focus];
	if (strcmp(t->text, fv_instance_get(fv_runner_instance(d->r), f)) == 0)
		return 1;
	char *value = fv_xstrndup(t->text, t->len);
	int ok = answer(u, d, f, value);
	free(value);
	return ok;
}

static void choose(ui *u, runner *d, size_t k)
{
	int f = focused_field(d);
	fv_instance *in = fv_runner_instance(d->r);
	const fv_choice **ch;
	size_t n = fv_instance_choices(in, f, &ch);
	if (k >= n)
		return;
	d->cursor = k;
	if (fld(d, f)->type == FV_Q_SELECT_ONE) {
		answer(u, d, f, ch[k]->name);
	} else {
		/* select_multiple: toggle, keeping the list's order */
		const char *v = fv_instance_get(in, f);
		fv_buf b;
		fv_buf_init(&b);
		for (size_t i = 0; i < n; i++) {
			int on = has_choice(v, ch[i]->name);
			if (i == k)
				on = !on;
			if (on)
				fv_buf_addf(&b, "%s%s", b.len ? " " : "", ch[i]->name);
		}
		answer(u, d, f, b.s);
		fv_buf_release(&b);
	}
	d->cursor = k;
}

/* Move the focus to the next (dir 1) or previous (-1) question of the
 * page; 0 when there is none. */
static int move_focus(runner *d, int dir)
{
	for (size_t i = d->focus + (size_t)dir; i < d->nfields; i += (size_t)dir)
		if (focusable(fld(d, d->fields[i])->type)) {
			d->focus = i;
			place_cursor(d);
			return 1;
		}
	return 0;
}

/* Enter: the answer taken; the next question of the page, or the next
 * step when the step has no problem. */
static void next(ui *u, runner *d)
{
	const char *msg;
	int f = focused_field(d);
	if (!commit(u, d))
		return;
	if (f >= 0 && fld(d, f)->type == FV_Q_SELECT_ONE) {
		fv_instance *in = fv_runner_instance(d->r);
		const fv_choice **ch;
		size_t n = fv_instance_choices(in, f, &ch);
		/* the choice moved to with the arrows: never one the worker
		 * did not pick */
		if (d->moved && d->cursor < n &&
		    strcmp(fv_instance_get(in, f), ch[d->cursor]->name) != 0)
			choose(u, d, d->cursor);
	} else if (f >= 0 && fld(d, f)->type == FV_Q_ACKNOWLEDGE &&
		   !*fv_instance_get(fv_runner_instance(d->r), f)) {
		answer(u, d, f, "OK");
	}
	if (ui_top(u)->data != d)
		return;   /* a crisis screen came: the worker reads it first */
	if (move_focus(d, 1))
		return;
	int bad = fv_runner_next(d->r, &msg);
	if (bad >= 0) {
		d->err_field = bad;
		snprintf(d->err, sizeof d->err, "%s", problem_text(u, msg));
		for (size_t i = 0; i < d->nfields; i++)
			if (d->fields[i] == bad) {
				d->focus = i;
				place_cursor(d);
			}
		return;
	}
	d->err_field = -1;
	enter_step(d, -1);
}

/* ------------------------------------------------------------------ */
/* Submit                                                              */

static void submit(ui *u, runner *d)
{
	fv_answers problems = {0};
	size_t n = fv_runner_problems(d->r, &problems);
	fv_answers_release(&problems);
	if (n) {
		char count[24];
		snprintf(count, sizeof count, "%zu", n);
		ui_say(u, 1, UI_S_RUN_HAS_PROBLEMS, count, NULL);
		return;
	}
	if (!d->person) {
		fv_answers_release(&d->problems);
		if (ui_register_submit(u, d->r, &d->problems)) {
			fv_errors err;
			fv_errors_init(&err);
			if (fv_store_pending_put(u->store, PENDING_REGISTER, NULL, &err) != FV_OK)
				ui_say(u, 1, UI_S_RUN_SAVE_FAILED, err.n ? err.lines[0] : "", NULL);
			fv_errors_release(&err);
			ui_pop(u);
		} else {
			d->scroll = 0;
		}
		return;
	}
	save_draft(u, d);
	fv_buf title;
	fv_buf_init(&title);
	ui_form_title(d->form, d->lang, &title);
	if (d->correction) {   /* its times are those of the visit: submitted now */
		fv_errors err;
		fv_errors_init(&err);
		if (fv_visit_move(u->store, d->visit_id, FV_VISIT_SUBMITTED, &err) != FV_OK) {
			ui_say(u, 1, UI_S_RUN_SAVE_FAILED, err.n ? err.lines[0] : "", NULL);
			fv_errors_release(&err);
			fv_buf_release(&title);
			return;
		}
		fv_errors_release(&err);
		ui_say(u, 0, UI_S_RUN_CORRECTED, title.s, NULL);
	} else {
		ui_say(u, 0, UI_S_RUN_FINISHED, title.s, NULL);
	}
	fv_buf_release(&title);
	ui_pop(u);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

/* Lines laid out from the top of an area, scrolled by skip; with draw 0
 * only counted (to find what must show). */
typedef struct canvas {
	ui *u;
	int x, w, top, bottom;
	int y, skip, draw;
} canvas;

static void cv_text(canvas *c, int indent, ui_attr a, const char *s)
{
	int y = c->top + c->y - c->skip;
	if (c->draw && y >= c->top && y < c->bottom)
		ui_text(c->u, y, c->x + indent, c->w - indent, a, s);
	c->y++;
}

static void cv_wrapped(canvas *c, int indent, ui_attr a, const char *s)
{
	ui_lines l;
	ui_lines_init(&l);
	ui_wrap(s, c->w - indent > 2 ? (size_t)(c->w - indent) : 2, &l);
	for (size_t i = 0; i < l.n; i++) {
		char *line = fv_xstrndup(s + l.start[i], l.len[i]);
		cv_text(c, indent, a, line);
		free(line);
	}
	ui_lines_release(&l);
}

/* One field of the step; *lo..*hi get the lines that must show when it
 * has the focus (down to the choice under the cursor, and its problem). */
static void draw_field(ui *u, runner *d, canvas *c, size_t idx, int *lo, int *hi)
{
	int f = d->fields[idx], focus = idx == d->focus;
	const fv_field *fd = fld(d, f);
	fv_instance *in = fv_runner_instance(d->r);
	const char *v = fv_instance_get(in, f);
	const char *hint = fv_text_get(d->form, &fd->hint, d->lang);
	*lo = c->y;
	if (fd->type == FV_Q_NOTE) {
		cv_wrapped(c, 0, UI_NORMAL, label_of(d, f));
	} else {
		char *label = fv_instance_required(in, f)
				      ? ui_trf(u, UI_S_RUN_REQUIRED_MARK, label_of(d, f), NULL)
				      : fv_xstrdup(label_of(d, f));
		cv_wrapped(c, 0, UI_HEADING, label);
		free(label);
	}
	if (*hint)
		cv_wrapped(c, 2, UI_DIM, hint);
	*hi = c->y;
	if (is_select(fd->type)) {
		const fv_choice **ch;
		size_t n = fv_instance_choices(in, f, &ch);
		for (size_t i = 0; i < n; i++) {
			int on = has_choice(v, ch[i]->name);
			char num[8] = "  ";
			if (i < 9)
				snprintf(num, sizeof num, "%zu.", i + 1);
			char *line = fv_xasprintf(
				"%s%s %s %s", focus && i == d->cursor ? "> " : "  ",
				fd->type == FV_Q_SELECT_ONE ? (on ? "(*)" : "( )") : (on ? "[x]" : "[ ]"),
				num, fv_text_get(d->form, &ch[i]->label, d->lang));
			cv_wrapped(c, 0, focus && i == d->cursor ? UI_SELECTED : UI_NORMAL, line);
			free(line);
			if (i == d->cursor)
				*hi = c->y;
		}
	} else if (is_typed(fd->type)) {
		int y = c->top + c->y - c->skip;
		if (c->draw && y >= c->top && y < c->bottom)
			ui_field_draw(u, &d->text[idx], y, c->x + 2, c->w - 2 < 60 ? c->w - 2 : 60, ">",
				      focus);
		c->y++;
		*hi = c->y;
	} else if (fd->type == FV_Q_ACKNOWLEDGE) {
		char *line = fv_xasprintf("%s %s", *v ? "[x]" : "[ ]",
					  ui_tr(u, *v ? UI_S_RUN_ACK_DONE : UI_S_RUN_ACK_TODO));
		cv_text(c, 2, focus ? UI_SELECTED : UI_NORMAL, line);
		free(line);
		*hi = c->y;
	}
	if (d->err_field == f) {
		cv_wrapped(c, 2, UI_ERROR, d->err);
		*hi = c->y;
	}
}

static void draw_header(ui *u, runner *d, const ui_rect *body, ui_str what)
{
	int done, total;
	char s1[24], s2[24], s3[24], s4[24];
	fv_buf title;
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	fv_runner_progress(d->r, &done, &total);
	snprintf(s1, sizeof s1, "%zu", d->step < nsteps ? d->step + 1 : nsteps);
	snprintf(s2, sizeof s2, "%zu", nsteps);
	snprintf(s3, sizeof s3, "%d", done);
	snprintf(s4, sizeof s4, "%d", total);
	char *progress = ui_trf(u, what, s1, s2, s3, s4, NULL);
	int pw = (int)ui_width(progress) + 1;
	fv_buf_init(&title);
	ui_form_title(d->form, d->lang, &title);
	ui_text(u, body->y, body->x, body->w - pw, UI_HEADING, title.s);
	ui_text_right(u, body->y, body->x + body->w - pw, pw, UI_DIM, progress);
	u->counts[0] = '\0';   /* the progress is on the first line */
	free(progress);
	fv_buf_release(&title);
}

static void draw_step(ui *u, runner *d, const ui_rect *body)
{
	canvas c = {u, body->x, body->w, body->y + 2, body->y + body->h - 1, 0, 0, 0};
	int lo = 0, hi = 0, flo = 0, fhi = 0;
	draw_header(u, d, body, UI_S_RUN_PROGRESS);
	/* first count, to scroll the focused question into view */
	for (int pass = 0; pass < 2; pass++) {
		c.y = 0;
		c.draw = pass;
		for (size_t i = 0; i < d->nfields; i++) {
			draw_field(u, d, &c, i, &lo, &hi);
			if (i == d->focus) {
				flo = lo;
				fhi = hi;
			}
			if (i + 1 < d->nfields)
				c.y++;
		}
		if (!pass) {
			int room = c.bottom - c.top;
			c.skip = fhi - room > 0 ? fhi - room : 0;
			if (flo < c.skip && fhi - flo <= room)
				c.skip = flo;
		}
	}
	/* how to answer the focused question */
	int f = focused_field(d);
	ui_str how = UI_S_RUN_HOW_NEXT;
	if (f >= 0) {
		fv_qtype t = fld(d, f)->type;
		how = t == FV_Q_SELECT_ONE ? UI_S_RUN_HOW_ONE
		      : t == FV_Q_SELECT_MULTIPLE ? UI_S_RUN_HOW_MANY
		      : t == FV_Q_ACKNOWLEDGE ? UI_S_RUN_HOW_ACK
		      : is_typed(t) ? UI_S_RUN_HOW_TYPE : UI_S_RUN_HOW_NEXT;
	}
	ui_text(u, body->y + body->h - 1, body->x, body->w, UI_DIM, ui_tr(u, how));
}

/* The summary: alerts, problems, then every question with its answer. */
static void draw_summary(ui *u, runner *d, const ui_rect *body)
{
	canvas c = {u, body->x, body->w, body->y + 2, body->y + body->h, 0, 0, 1};
	fv_answers problems = {0};
	fv_instance *in = fv_runner_instance(d->r);
	size_t np = fv_runner_problems(d->r, &problems);
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	draw_header(u, d, body, UI_S_RUN_SUMMARY_PROGRESS);
	for (int pass = 0; pass < 2; pass++) {
		c.y = 0;
		c.draw = pass;
		c.skip = d->scroll;
		for (size_t i = 0; i < d->form->nfields; i++)
			if (d->raised[i]) {
				char *t = ui_trf(u, UI_S_RUN_ALERT, label_of(d, (int)i), NULL);
				cv_wrapped(&c, 0, UI_ERROR, t);
				free(t);
			}
		if (np) {
			char count[24];
			snprintf(count, sizeof count, "%zu", np);
			char *t = ui_trf(u, UI_S_RUN_PROBLEMS, count, NULL);
			cv_wrapped(&c, 0, UI_ERROR, t);
			free(t);
		} else {
			cv_wrapped(&c, 0, UI_HEADING,
				   ui_tr(u, d->correction ? UI_S_RUN_READY_CORRECTION
					   : d->person ? UI_S_RUN_READY : UI_S_RUN_READY_REGISTER));
		}
		for (size_t i = 0; i < d->problems.n; i++) {
			char *t = ui_trf(u, UI_S_RUN_REFUSED, d->problems.items[i].value, NULL);
			cv_wrapped(&c, 0, UI_ERROR, t);
			free(t);
		}
		for (size_t s = 0; s < nsteps; s++) {
			const int *fields;
			size_t n = fv_runner_step_fields(d->r, s, &fields);
			for (size_t k = 0; k < n; k++) {
				int f = fields[k];
				const fv_field *fd = fld(d, f);
				if (fd->type == FV_Q_NOTE)
					continue;
				fv_buf v;
				fv_buf_init(&v);
				shown_value(u, d, f, &v);
				c.y++;
				cv_wrapped(&c, 0, UI_NORMAL, label_of(d, f));
				cv_wrapped(&c, 4, v.len ? UI_HEADING : UI_DIM,
					   v.len ? v.s : ui_tr(u, UI_S_RUN_NO_ANSWER));
				for (size_t p = 0; p < problems.n; p++)
					if (strcmp(problems.items[p].name, fd->name) == 0)
						cv_wrapped(&c, 4, UI_ERROR,
							   problem_text(u, problems.items[p].value));
				fv_buf_release(&v);
			}
		}
		if (!pass) {
			int room = c.bottom - c.top, max = c.y - room;
			if (d->scroll > (max > 0 ? max : 0))
				d->scroll = max > 0 ? max : 0;
		}
	}
	fv_answers_release(&problems);
	(void)in;
}

/* The list of the steps, to jump to one; the summary last. */
static void draw_jump(ui *u, runner *d, const ui_rect *body)
{
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	fv_instance *in = fv_runner_instance(d->r);
	int room = body->h - 2;
	draw_header(u, d, body, UI_S_RUN_PROGRESS);
	ui_text(u, body->y + 1, body->x, body->w, UI_DIM, ui_tr(u, UI_S_RUN_JUMP_TITLE));
	int first = (int)d->jump_cursor - room + 1 > 0 ? (int)d->jump_cursor - room + 1 : 0;
	for (int row = 0; row < room && (size_t)(first + row) <= nsteps; row++) {
		size_t s = (size_t)(first + row);
		ui_attr a = s == d->jump_cursor ? UI_SELECTED : UI_NORMAL;
		char *line;
		if (s == nsteps) {
			line = fv_xasprintf("    %s", ui_tr(u, UI_S_RUN_JUMP_SUMMARY));
		} else {
			/* a step: answered when its questions all hold an answer */
			const int *fields;
			size_t n = fv_runner_step_fields(d->r, s, &fields);
			int questions = 0, answered = 0;
			for (size_t k = 0; k < n; k++)
				if (focusable(fld(d, fields[k])->type)) {
					questions++;
					answered += *fv_instance_get(in, fields[k]) != '\0';
				}
			const char *mark = !questions ? " " : answered == questions ? "+" : answered ? "~" : "-";
			line = fv_xasprintf("%s %2zu. %s", mark, s + 1, label_of(d, steps[s]));
		}
		/* one line each: the label cut at the first line break */
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ui_text(u, body->y + 2 + row, body->x, body->w, a, line);
		free(line);
	}
}

static void runner_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	runner *d = sc->data;
	if (!d->r) {
		ui_rect r = *body;
		ui_wrapped(u, &r, 0, UI_ERROR, d->error);
		return;
	}
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	if (d->jump)
		draw_jump(u, d, body);
	else if (fv_runner_at(d->r) >= nsteps)
		draw_summary(u, d, body);
	else
		draw_step(u, d, body);
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */

static int jump_key(ui *u, runner *d, ui_action act)
{
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	(void)u;
	switch (act) {
	case UI_ACT_UP:
		if (d->jump_cursor)
			d->jump_cursor--;
		return 1;
	case UI_ACT_DOWN:
		if (d->jump_cursor < nsteps)
			d->jump_cursor++;
		return 1;
	case UI_ACT_OK:
		fv_runner_jump(d->r, d->jump_cursor);
		d->jump = 0;
		d->err_field = -1;
		enter_step(d, -1);
		return 1;
	case UI_ACT_BACK:
	case UI_ACT_JUMP: d->jump = 0; return 1;
	default: return act == UI_ACT_NONE;   /* typing does nothing here */
	}
}

static void open_jump(runner *d)
{
	d->jump = 1;
	d->jump_cursor = fv_runner_at(d->r);
}

static int runner_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	runner *d = sc->data;
	if (!d->r)
		return act == UI_ACT_BACK ? (ui_pop(u), 1) : 0;
	if (d->jump)
		return jump_key(u, d, act);
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	if (fv_runner_at(d->r) >= nsteps) {
		/* the summary */
		switch (act) {
		case UI_ACT_UP: d->scroll = d->scroll > 0 ? d->scroll - 1 : 0; return 1;
		case UI_ACT_DOWN: d->scroll++; return 1;
		case UI_ACT_OK:
		case UI_ACT_SUBMIT: submit(u, d); return 1;
		case UI_ACT_PREV_STEP:
			fv_runner_prev(d->r);
			enter_step(d, -1);
			return 1;
		case UI_ACT_JUMP: open_jump(d); return 1;
		case UI_ACT_BACK: ui_pop(u); return 1;
		default: return 0;
		}
	}
	int f = focused_field(d);
	fv_qtype t = f >= 0 ? fld(d, f)->type : FV_Q_NOTE;
	switch (act) {
	case UI_ACT_OK: next(u, d); return 1;
	case UI_ACT_BACK:
		commit(u, d);   /* a value that does not fit cannot be kept */
		ui_pop(u);
		return 1;
	case UI_ACT_PREV_STEP:
		if (commit(u, d)) {
			fv_runner_prev(d->r);
			d->err_field = -1;
			enter_step(d, -1);
		}
		return 1;
	case UI_ACT_JUMP:
		if (commit(u, d))
			open_jump(d);
		return 1;
	case UI_ACT_NEXT_FIELD:
	case UI_ACT_PREV_FIELD:
		if (commit(u, d))
			move_focus(d, act == UI_ACT_NEXT_FIELD ? 1 : -1);
		return 1;
	case UI_ACT_UP:
	case UI_ACT_DOWN:
		if (is_select(t)) {
			const fv_choice **ch;
			size_t n = fv_instance_choices(fv_runner_instance(d->r), f, &ch);
			if (act == UI_ACT_UP && d->cursor > 0)
				d->cursor--;
			else if (act == UI_ACT_DOWN && d->cursor + 1 < n)
				d->cursor++;
			d->moved = 1;
		} else if (commit(u, d)) {
			move_focus(d, act == UI_ACT_DOWN ? 1 : -1);
		}
		return 1;
	default: break;
	}
	if (is_typed(t))
		return ui_field_key(&d->text[d->focus], key, act);
	if (act != UI_ACT_NONE)
		return 0;
	if (is_select(t) && key >= '1' && key <= '9') {
		choose(u, d, (size_t)(key - '1'));
		return 1;
	}
	if (is_select(t) && key == ' ') {
		choose(u, d, d->cursor);
		return 1;
	}
	if (t == FV_Q_ACKNOWLEDGE && key == ' ') {
		answer(u, d, f, *fv_instance_get(fv_runner_instance(d->r), f) ? "" : "OK");
		return 1;
	}
	return 0;
}

static int runner_can(ui_screen *sc, ui_action act)
{
	runner *d = sc->data;
	if (!d->r)
		return act != UI_ACT_OK && act != UI_ACT_JUMP && act != UI_ACT_SUBMIT &&
		       act != UI_ACT_PREV_STEP;
	const int *steps;
	size_t nsteps = fv_runner_steps(d->r, &steps);
	int summary = !d->jump && fv_runner_at(d->r) >= nsteps;
	switch (act) {
	case UI_ACT_SUBMIT: return summary;
	case UI_ACT_PREV_STEP: return !d->jump && fv_runner_at(d->r) > 0;
	case UI_ACT_NEXT_FIELD:
	case UI_ACT_PREV_FIELD: return !d->jump && !summary && d->nfields > 1;
	case UI_ACT_UP:
	case UI_ACT_DOWN: {
		int f = focused_field(d);
		return d->jump || summary || d->nfields > 1 ||
		       (f >= 0 && is_select(fld(d, f)->type));
	}
	default: return 1;
	}
}

static int runner_busy(ui_screen *sc)
{
	(void)sc;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Life                                                                */

static void runner_open(ui_screen *sc, void *arg)
{
	const runner_arg *a = arg;
	runner *d = fv_xcalloc(1, sizeof *d);
	d->form_id = fv_xstrdup(a->form_id);
	d->person = a->person ? fv_xstrdup(a->person) : NULL;
	d->checkin = a->checkin ? fv_xstrdup(a->checkin) : NULL;
	d->correction = a->correction;
	if (a->draft)
		snprintf(d->visit_id, sizeof d->visit_id, "%s", a->draft);
	d->at_field = -2;   /* not shown yet: where the filling stopped */
	d->err_field = -1;
	sc->data = d;
}

/* The form, and the filling: the draft in the store, the answers kept
 * over a lock, or a new one. */
static void runner_load(ui_screen *sc)
{
	ui *u = sc->u;
	runner *d = sc->data;
	fv_visit v;
	fv_answers saved = {0};
	fv_errors err;
	fv_status st;
	int have = 0;

	if (d->r)
		return;
	fv_errors_init(&err);
	d->error[0] = '\0';
	if (d->visit_id[0]) {
		st = fv_visit_get(u->store, d->visit_id, 0, &v, &err);
		if (st == FV_OK) {
			if (v.state != FV_VISIT_DRAFT) {
				char *t = ui_trf(u, UI_S_RUN_NOT_DRAFT,
						 fv_visit_state_name(v.state), NULL);
				fv_errors_add(&err, NULL, 0, "%s", t);
				free(t);
				st = FV_EINVAL;
			}
			if (st == FV_OK)
				st = fv_store_form_load_version(u->store, v.form_id, v.form_version,
								&d->form, &err);
			if (st == FV_OK)
				st = fv_answers_parse(d->visit_id, v.answers, strlen(v.answers), &saved,
						      &err);
			if (st == FV_OK && !d->person)
				d->person = fv_xstrdup(v.person);
			if (st == FV_OK && !d->checkin && *v.checkin)
				d->checkin = fv_xstrdup(v.checkin);
			if (st == FV_OK && d->correction && !d->services) {
				d->checkout = *v.checkout ? fv_xstrdup(v.checkout) : NULL;
				d->services = fv_xstrdup(v.services);
			}
			have = st == FV_OK;
			fv_visit_release(&v);
		}
	} else {
		st = fv_store_form_load(u->store, d->form_id, &d->form, &err);
		/* a registration begun before (a crash, a lock, Esc) goes on */
		if (st == FV_OK && !d->person)
			st = fv_store_pending_get(u->store, PENDING_REGISTER, &saved, &err);
		have = saved.n > 0;
	}
	if (st != FV_OK) {
		char *t = ui_trf(u, UI_S_RUN_LOAD_FAILED, err.n ? err.lines[0] : "", NULL);
		snprintf(d->error, sizeof d->error, "%s", t);
		free(t);
		fv_form_free(d->form);
		d->form = NULL;
		fv_answers_release(&saved);
		fv_errors_release(&err);
		return;
	}
	fv_errors_release(&err);
	d->lang = ui_form_lang(u, d->form);
	d->r = have ? fv_runner_resume(d->form, d->lang, &saved, NULL)
		    : fv_runner_new(d->form, d->lang);
	fv_answers_release(&saved);
	d->raised = fv_xcalloc(d->form->nfields, 1);
	check_alerts(u, d, 0);
	/* back where the worker was before a lock */
	if (d->at_field != -2) {
		const int *steps;
		size_t n = fv_runner_steps(d->r, &steps), at = n;
		for (size_t i = 0; i < n; i++)
			if (steps[i] == d->at_field)
				at = i;
		fv_runner_jump(d->r, at);
	}
	enter_step(d, -1);
}

/* Locked: everything read from the store goes (a registration's answers
 * too: they are the store's pending draft). */
static void runner_drop(ui_screen *sc)
{
	runner *d = sc->data;
	if (d->r) {
		const int *steps;
		size_t n = fv_runner_steps(d->r, &steps), at = fv_runner_at(d->r);
		d->at_field = at < n ? steps[at] : -1;
	}
	free_step(d);
	fv_runner_free(d->r);
	d->r = NULL;
	fv_form_free(d->form);
	d->form = NULL;
	free(d->raised);
	d->raised = NULL;
	d->jump = 0;
}

static void runner_close(ui_screen *sc)
{
	runner *d = sc->data;
	runner_drop(sc);
	fv_answers_release(&d->problems);
	free(d->form_id);
	free(d->person);
	free(d->checkin);
	free(d->checkout);
	free(d->services);
	free(d);
}

const ui_screen_ops ui_scr_runner = {
	.id = UI_SCR_RUNNER,
	.open = runner_open,
	.load = runner_load,
	.drop = runner_drop,
	.draw = runner_draw,
	.key = runner_key,
	.can = runner_can,
	.busy = runner_busy,
	.close = runner_close,
};

void ui_runner_start(ui *u, const char *form_id, const char *person, const char *checkin,
		     const char *draft)
{
	runner_arg a = {form_id, person, checkin, draft, 0};
	ui_push(u, &ui_scr_runner, &a);
}

void ui_correct_start(ui *u, const char *visit_id)
{
	fv_visit v;
	fv_errors err;
	fv_errors_init(&err);
	fv_status st = fv_visit_get(u->store, visit_id, 0, &v, &err);
	if (st == FV_OK) {
		/* returned: its next version, a draft with the same answers */
		if (v.state == FV_VISIT_RETURNED)
			st = fv_visit_move(u->store, visit_id, FV_VISIT_DRAFT, &err);
		if (st == FV_OK) {
			runner_arg a = {v.form_id, v.person, NULL, visit_id, 1};
			ui_push(u, &ui_scr_runner, &a);
		}
		fv_visit_release(&v);
	}
	if (st != FV_OK)
		ui_say(u, 1, UI_S_VISIT_LOAD_FAILED, err.n ? err.lines[0] : "", NULL);
	fv_errors_release(&err);
}
