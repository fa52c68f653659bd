/*
 * fieldvisit screens: the crisis screen.  When an answer raises an alert
 * (PHQ-9 item 9, an emergency found on a home visit, a serious adverse
 * reaction, an emergency report) it covers the form at once: the alert's
 * message, and the protocol of assets/protocols/KIND.md in the language
 * of the screens, with every {hotline:ID} filled in from the hotline
 * table (number and the date it was last checked).  The worker reads it
 * and goes on with the form.
 *
 * Opened on a submitted alert (ui_alert_open) it shows the same, and the
 * referral to record: where the person was referred, when, the next
 * follow-up, what was done (fv_alert_refer).  The alert is closed only
 * after a follow-up visit (fv_alert_close says so when it is too early).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

enum { F_TO, F_ON, F_FOLLOW, F_DONE, NFIELDS };

static const ui_str field_labels[NFIELDS] = {UI_S_CRISIS_TO, UI_S_CRISIS_ON, UI_S_CRISIS_FOLLOW,
					     UI_S_CRISIS_DONE};

typedef struct crisis {
	char *alert_id;       /* NULL: raised by an answer of the form below */
	char *kind, *message, *state, *person;
	fv_buf protocol;      /* its lines; a heading starts with '\1' */
	int scroll;
	ui_field f[NFIELDS];
	int focus;
	fv_buf refs;          /* the referrals recorded, one per line */
	char err[UI_MSG_MAX * 2];
	int loaded;
} crisis;

/* ------------------------------------------------------------------ */
/* The protocol                                                        */

/* {hotline:ID} as its number and when it was last checked. */
static void fill_hotline(ui *u, const char *id, size_t n, fv_buf *out)
{
	char *key = fv_xstrndup(id, n);
	const fv_rules_hotline *h = fv_rules_hotline_find(u->rules, key);
	if (h) {
		char day[16];
		fv_date_format(h->last_verified, day);
		char *t = ui_trf(u, UI_S_CRISIS_HOTLINE, h->number, day, NULL);
		fv_buf_adds(out, t);
		free(t);
	} else {
		fv_buf_addf(out, "{hotline:%s}", key);
	}
	free(key);
}

/* One line of Markdown as the screen shows it: no '**', headings marked,
 * hotlines filled in. */
static void add_line(ui *u, const char *s, size_t n, fv_buf *out)
{
	if (n >= 3 && memcmp(s, "## ", 3) == 0) {
		fv_buf_addc(out, '\1');
		s += 3;
		n -= 3;
	}
	for (size_t i = 0; i < n;) {
		if (i + 1 < n && s[i] == '*' && s[i + 1] == '*') {
			i += 2;
		} else if (n - i > 9 && memcmp(s + i, "{hotline:", 9) == 0 &&
			   memchr(s + i, '}', n - i)) {
			const char *end = memchr(s + i, '}', n - i);
			fill_hotline(u, s + i + 9, (size_t)(end - (s + i + 9)), out);
			i = (size_t)(end - s) + 1;
		} else {
			fv_buf_addc(out, s[i++]);
		}
	}
	fv_buf_addc(out, '\n');
}

/* The section "# LANGUAGE (code)" of the screens' language. */
static void read_protocol(ui *u, crisis *d)
{
	char *path = fv_xasprintf("%s/%s.md", u->protocols, d->kind);
	char *data;
	size_t len;
	fv_errors err;
	fv_buf_release(&d->protocol);
	fv_buf_init(&d->protocol);
	fv_errors_init(&err);
	if (fv_read_file(path, &data, &len, &err) != FV_OK) {
		char *t = ui_trf(u, UI_S_CRISIS_NO_PROTOCOL, path, NULL);
		fv_buf_adds(&d->protocol, t);
		free(t);
	} else {
		char want[16];
		int in = 0;
		snprintf(want, sizeof want, "(%s)", ui_lang_code(u->lang));
		for (char *l = data; *l;) {
			size_t n = strcspn(l, "\n");
			if (n >= 2 && l[0] == '#' && l[1] == ' ') {
				char *head = fv_xstrndup(l, n);
				in = strstr(head, want) != NULL;
				free(head);
			} else if (in) {
				add_line(u, l, n, &d->protocol);
			}
			l += n + (l[n] == '\n');
		}
		free(data);
	}
	fv_errors_release(&err);
	free(path);
}

/* Draw the protocol in r from its line skip; returns its number of lines. */
static int draw_protocol(ui *u, crisis *d, const ui_rect *r, int skip)
{
	int y = 0;
	for (const char *l = d->protocol.s; l && *l;) {
		size_t n = strcspn(l, "\n");
		int head = *l == '\1';
		char *line = fv_xstrndup(l + head, n - (size_t)head);
		ui_lines w;
		ui_lines_init(&w);
		ui_wrap(line, (size_t)(r->w > 2 ? r->w : 2), &w);
		for (size_t i = 0; i < (w.n ? w.n : 1); i++, y++) {
			int sy = r->y + y - skip;
			if (sy < r->y || sy >= r->y + r->h)
				continue;
			char *part = w.n ? fv_xstrndup(line + w.start[i], w.len[i]) : fv_xstrdup("");
			ui_text(u, sy, r->x, r->w, head ? UI_HEADING : UI_NORMAL, part);
			free(part);
		}
		ui_lines_release(&w);
		free(line);
		l += n + (l[n] == '\n');
	}
	return y;
}

/* ------------------------------------------------------------------ */
/* The alert and its referrals                                         */

static void set_field(ui_field *f, const char *s)
{
	size_t n = strlen(s);
	ui_field_clear(f);
	if (n > UI_FIELD_MAX)
		return;
	memcpy(f->text, s, n);
	f->len = f->cursor = n;
}

static void default_dates(ui *u, crisis *d)
{
	char day[16];
	int32_t today = (int32_t)floor(fv_clock_now() / 86400.0);
	fv_date_format(today, day);
	set_field(&d->f[F_ON], day);
	fv_date_format(today + fv_rules_alert_followup_days(u->rules), day);
	set_field(&d->f[F_FOLLOW], day);
}

static void crisis_load(ui_screen *sc)
{
	ui *u = sc->u;
	crisis *d = sc->data;
	fv_alert *al;
	fv_referral *rf;
	size_t n, nr;
	fv_errors err;

	if (!d->alert_id) {
		d->loaded = 1;
		return;
	}
	fv_errors_init(&err);
	d->loaded = 0;
	fv_buf_release(&d->refs);
	fv_buf_init(&d->refs);
	if (fv_alert_list(u->store, NULL, 0, &al, &n, &err) == FV_OK) {
		ui_forms forms = {0};
		for (size_t i = 0; i < n; i++)
			if (strcmp(al[i].id, d->alert_id) == 0) {
				free(d->kind);
				free(d->message);
				free(d->state);
				free(d->person);
				d->kind = fv_xstrdup(al[i].kind);
				/* in the screen's language, not the filling's */
				d->message = fv_xstrdup(ui_alert_text(u, &forms, &al[i]));
				d->state = fv_xstrdup(al[i].state);
				d->person = fv_xstrdup(al[i].person);
				d->loaded = 1;
			}
		ui_forms_release(&forms);
		fv_alert_list_free(al, n);
	}
	if (d->loaded && fv_referral_list(u->store, d->person, &rf, &nr, &err) == FV_OK) {
		for (size_t i = 0; i < nr; i++)
			if (strcmp(rf[i].alert, d->alert_id) == 0) {
				char *t = ui_trf(u, UI_S_CRISIS_REFERRAL, rf[i].referred_on,
						 rf[i].referred_to, rf[i].outcome, rf[i].follow_up_on, NULL);
				fv_buf_addf(&d->refs, "%s\n", t);
				free(t);
			}
		fv_referral_list_free(rf, nr);
	}
	if (!d->loaded)
		snprintf(d->err, sizeof d->err, "%s", err.n ? err.lines[0] : d->alert_id);
	fv_errors_release(&err);
	if (d->loaded) {
		read_protocol(u, d);
		if (!d->f[F_ON].len)
			default_dates(u, d);
	}
}

static int can_refer(const crisis *d)
{
	return d->alert_id && d->loaded && strcmp(d->state, "open") == 0;
}

static void save_referral(ui *u, crisis *d)
{
	char ref[FV_ID_BYTES];
	fv_errors err;
	fv_referral_input in = {d->f[F_TO].text, d->f[F_ON].text, d->f[F_FOLLOW].text,
				d->f[F_DONE].text};
	fv_errors_init(&err);
	d->err[0] = '\0';
	if (fv_alert_refer(u->store, d->alert_id, &in, ref, &err) != FV_OK) {
		fv_buf b;
		fv_buf_init(&b);
		for (size_t i = 0; i < err.n; i++)
			fv_buf_addf(&b, "%s%s", i ? "\n" : "", err.lines[i]);
		snprintf(d->err, sizeof d->err, "%s", b.s);
		fv_buf_release(&b);
		ui_say(u, 1, UI_S_CRISIS_REFER_FAILED, NULL);
	} else {
		for (int i = 0; i < NFIELDS; i++)
			ui_field_clear(&d->f[i]);
		d->focus = F_TO;
		ui_say(u, 0, UI_S_CRISIS_REFERRED, NULL);
		crisis_load(u->stack + u->depth - 1);
	}
	fv_errors_release(&err);
}

static void close_alert(ui *u, crisis *d)
{
	fv_errors err;
	fv_errors_init(&err);
	if (fv_alert_close(u->store, d->alert_id, &err) != FV_OK) {
		/* "alert ID: why": the screen shows which alert */
		const char *why = err.n ? err.lines[0] : "";
		char *prefix = fv_xasprintf("alert %s: ", d->alert_id);
		if (strncmp(why, prefix, strlen(prefix)) == 0)
			why += strlen(prefix);
		ui_say(u, 1, UI_S_CRISIS_CLOSE_FAILED, why, NULL);
		free(prefix);
	} else {
		ui_say(u, 0, UI_S_CRISIS_CLOSED, NULL);
		crisis_load(u->stack + u->depth - 1);
	}
	fv_errors_release(&err);
}

/* ------------------------------------------------------------------ */
/* Drawing and keys                                                    */

static void crisis_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	crisis *d = sc->data;
	ui_rect r = *body;
	int bottom = body->y + body->h - 1;
	u->counts[0] = '\0';
	if (!d->loaded) {
		ui_wrapped(u, &r, 0, UI_ERROR, d->err);
		return;
	}
	/* the message first, then the referral at the bottom, the protocol
	 * in between */
	r.y += ui_wrapped(u, &r, 0, UI_ERROR, d->message);
	if (d->alert_id) {
		char *t = ui_trf(u, UI_S_CRISIS_STATE,
				 ui_tr(u, strcmp(d->state, "open") == 0       ? UI_S_CRISIS_OPEN
					  : strcmp(d->state, "referred") == 0 ? UI_S_CRISIS_IS_REFERRED
									      : UI_S_CRISIS_IS_CLOSED),
				 NULL);
		ui_text(u, r.y++, r.x, r.w, UI_HEADING, t);
		free(t);
	}
	int below = 0;
	ui_lines el, rl;
	ui_lines_init(&el);
	ui_lines_init(&rl);
	if (d->err[0])
		ui_wrap(d->err, (size_t)body->w, &el);
	if (d->refs.len)
		ui_wrap(d->refs.s, (size_t)body->w, &rl);
	if (can_refer(d))
		below = 1 + NFIELDS + (int)el.n;
	else if (d->alert_id)
		below = (int)(rl.n < 6 ? rl.n : 6);
	r.y++;
	r.h = bottom - below - r.y - (below ? 1 : 0);
	if (r.h < 3)
		r.h = 3;
	int total = draw_protocol(u, d, &r, d->scroll);
	if (d->scroll > total - r.h)
		d->scroll = total - r.h > 0 ? total - r.h : 0;
	int y = r.y + r.h + 1;
	if (can_refer(d)) {
		int lw = 0;
		ui_text(u, y++, body->x, body->w, UI_HEADING, ui_tr(u, UI_S_CRISIS_RECORD));
		for (int i = 0; i < NFIELDS; i++) {
			int w = (int)ui_width(ui_tr(u, field_labels[i]));
			lw = w > lw ? w : lw;
		}
		for (int i = 0; i < NFIELDS; i++) {
			fv_buf label;
			fv_buf_init(&label);
			fv_buf_adds(&label, ui_tr(u, field_labels[i]));
			for (int w = (int)ui_width(label.s); w < lw; w++)
				fv_buf_addc(&label, ' ');
			ui_field_draw(u, &d->f[i], y++, body->x, body->w, label.s, i == d->focus);
			fv_buf_release(&label);
		}
		for (size_t i = 0; i < el.n && y < bottom; i++, y++) {
			char *l = fv_xstrndup(d->err + el.start[i], el.len[i]);
			ui_text(u, y, body->x, body->w, UI_ERROR, l);
			free(l);
		}
	} else if (d->alert_id) {
		for (size_t i = 0; i < rl.n && y < bottom; i++, y++) {
			char *l = fv_xstrndup(d->refs.s + rl.start[i], rl.len[i]);
			ui_text(u, y, body->x, body->w, UI_NORMAL, l);
			free(l);
		}
	}
	ui_lines_release(&el);
	ui_lines_release(&rl);
	ui_text(u, bottom, body->x, body->w, UI_DIM,
		ui_tr(u, !d->alert_id      ? UI_S_CRISIS_HOW_READ
			 : can_refer(d)    ? UI_S_CRISIS_HOW_REFER
			 : strcmp(d->state, "closed") ? UI_S_CRISIS_HOW_CLOSE
						      : UI_S_CRISIS_HOW_DONE));
}

static int crisis_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	crisis *d = sc->data;
	switch (act) {
	case UI_ACT_UP: d->scroll = d->scroll ? d->scroll - 1 : 0; return 1;
	case UI_ACT_DOWN: d->scroll++; return 1;
	case UI_ACT_PGUP: d->scroll = d->scroll > 8 ? d->scroll - 8 : 0; return 1;
	case UI_ACT_PGDN: d->scroll += 8; return 1;
	default: break;
	}
	if (!can_refer(d)) {
		if (act == UI_ACT_OK && !d->alert_id) {
			ui_pop(u);   /* read: back to the form */
			return 1;
		}
		if (act == UI_ACT_CLOSE_ALERT && d->alert_id && d->loaded) {
			close_alert(u, d);
			return 1;
		}
		return 0;
	}
	switch (act) {
	case UI_ACT_NEXT_FIELD: d->focus = (d->focus + 1) % NFIELDS; return 1;
	case UI_ACT_PREV_FIELD: d->focus = (d->focus + NFIELDS - 1) % NFIELDS; return 1;
	case UI_ACT_OK:
		if (d->focus < F_DONE)
			d->focus++;
		else
			save_referral(u, d);
		return 1;
	case UI_ACT_SUBMIT: save_referral(u, d); return 1;
	case UI_ACT_CLOSE_ALERT: close_alert(u, d); return 1;
	default: return ui_field_key(&d->f[d->focus], key, act);
	}
}

static int crisis_can(ui_screen *sc, ui_action act)
{
	crisis *d = sc->data;
	switch (act) {
	case UI_ACT_NEXT_FIELD:
	case UI_ACT_PREV_FIELD:
	case UI_ACT_SUBMIT: return can_refer(d);
	case UI_ACT_CLOSE_ALERT: return d->alert_id && d->loaded && strcmp(d->state, "closed") != 0;
	case UI_ACT_OK: return !d->alert_id || can_refer(d);
	default: return 1;
	}
}

typedef struct crisis_arg {
	const char *alert_id, *kind, *message;
} crisis_arg;

static void crisis_open(ui_screen *sc, void *arg)
{
	const crisis_arg *a = arg;
	crisis *d = fv_xcalloc(1, sizeof *d);
	d->alert_id = a->alert_id ? fv_xstrdup(a->alert_id) : NULL;
	d->kind = fv_xstrdup(a->kind ? a->kind : "");
	d->message = fv_xstrdup(a->message ? a->message : "");
	d->state = fv_xstrdup("");
	fv_buf_init(&d->protocol);
	fv_buf_init(&d->refs);
	for (int i = 0; i < NFIELDS; i++)
		ui_field_init(&d->f[i], 0);
	sc->data = d;
	if (!d->alert_id)
		read_protocol(sc->u, d);
}

/* Locked: what was read and typed goes (it is about a person). */
static void crisis_drop(ui_screen *sc)
{
	crisis *d = sc->data;
	for (int i = 0; i < NFIELDS; i++)
		ui_field_clear(&d->f[i]);
	if (d->alert_id) {
		d->loaded = 0;
		fv_buf_release(&d->refs);
		fv_buf_init(&d->refs);
	}
	d->err[0] = '\0';
}

static void crisis_close(ui_screen *sc)
{
	crisis *d = sc->data;
	for (int i = 0; i < NFIELDS; i++)
		ui_field_release(&d->f[i]);
	fv_buf_release(&d->protocol);
	fv_buf_release(&d->refs);
	free(d->alert_id);
	free(d->kind);
	free(d->message);
	free(d->state);
	free(d->person);
	free(d);
}

const ui_screen_ops ui_scr_crisis = {
	.id = UI_SCR_CRISIS,
	.open = crisis_open,
	.load = crisis_load,
	.drop = crisis_drop,
	.draw = crisis_draw,
	.key = crisis_key,
	.can = crisis_can,
	.close = crisis_close,
};

void ui_crisis_show(ui *u, const char *kind, const char *message)
{
	crisis_arg a = {NULL, kind, message};
	ui_push(u, &ui_scr_crisis, &a);
}

void ui_alert_open(ui *u, const char *alert_id)
{
	crisis_arg a = {alert_id, NULL, NULL};
	ui_push(u, &ui_scr_crisis, &a);
}
