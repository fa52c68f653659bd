/*
 * fieldvisit screens: a visit.  At the door the worker checks in (the
 * time is recorded), chooses the forms to fill -- the home visit record,
 * the consent to a psychological assessment, the assessments (only after
 * consent: voluntariness), satisfaction, ... -- and fills each in the form
 * runner; then checks out (the time, the length, the services given) and
 * every form of the visit is submitted at once.  The screen then shows
 * the scores, the alerts raised (each opens its crisis screen, to record
 * the referral) and the next visit the rules propose.
 *
 * A visit is its drafts: the forms of the person saved with the same
 * check-in.  Nothing else is kept on the screen, so a visit interrupted
 * by a lock, a crash or a power cut comes back from the store as it was.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

/*
 * The forms offered on a visit, in this order (those installed in the
 * store).  psych: a psychological assessment, asked only after consent
 * (the psych_consent form answered yes in this visit, or earlier the same
 * day).
 */
static const struct offer {
	const char *form_id;
	int psych;
} offers[] = {
	{"home_visit", 0}, {"psych_consent", 0}, {"phq9", 1},        {"phq2", 1},
	{"gad7", 1},       {"gad2", 1},          {"gds15", 1},       {"who5", 1},
	{"ability2017", 0}, {"satisfaction", 0}, {"contraceptive", 0}, {"emergency_report", 0},
};
#define NOFFERS (sizeof offers / sizeof offers[0])
#define CONSENT_FORM "psych_consent"
#define HOME_FORM "home_visit"

enum { ARRIVE, FORMS, CHECKOUT, DONE };
enum { CONSENT_NONE = -1, CONSENT_NO = 0, CONSENT_YES = 1 };

/* A form filled in this visit (a draft). */
typedef struct vdraft {
	char *id, *form_id;
	int done, total;
	size_t problems;
	char *consent;     /* psych_consent: the answer consent_given */
	char *services;    /* home_visit: the services given */
} vdraft;

typedef struct visit {
	char person[FV_ID_BYTES];
	char checkin[40], checkout[40];
	char *resume;      /* a draft to open in the runner at once */
	int phase;
	size_t cursor;
	int loaded;
	char error[UI_MSG_MAX];

	char *name, *village;
	fv_form *forms[NOFFERS];   /* NULL: not installed */
	vdraft *drafts;
	size_t ndrafts;
	int consent;

	/* after the submit */
	char **lines;      /* the forms submitted, with scores */
	size_t nlines;
	char **submitted;  /* their ids */
	size_t nsubmitted;
	fv_alert *alerts;  /* the alerts they raised */
	size_t nalerts;
	char *next;        /* the next visit proposed, in words */
} visit;

typedef struct visit_arg {
	const char *person, *checkin, *resume;
} visit_arg;

static int32_t today(void)
{
	return (int32_t)floor(fv_clock_now() / 86400.0);
}

/* "10:00" of an ISO date-time. */
static void hhmm(const char *t, char out[8])
{
	snprintf(out, 8, "%.5s", strlen(t) >= 16 ? t + 11 : "");
}

/* The value of answer name in a draft's JSON answers ("" when none);
 * the caller frees. */
static char *answer_of(const fv_answers *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i].name, name) == 0)
			return fv_xstrdup(a->items[i].value);
	return fv_xstrdup("");
}

/* Read visit id: its answers (parsed), its form (the version it was made
 * with) into *f (may be NULL). */
static fv_status read_visit(fv_store *s, const char *id, fv_visit *v, fv_answers *a, fv_form **f,
			    fv_errors *err)
{
	fv_status st = fv_visit_get(s, id, 0, v, err);
	if (st != FV_OK)
		return st;
	st = fv_answers_parse(id, v->answers, strlen(v->answers), a, err);
	if (st == FV_OK && f)
		st = fv_store_form_load_version(s, v->form_id, v->form_version, f, err);
	if (st != FV_OK)
		fv_visit_release(v);
	return st;
}

/* ------------------------------------------------------------------ */
/* Reading the visit from the store                                    */

static void free_drafts(visit *d)
{
	for (size_t i = 0; i < d->ndrafts; i++) {
		free(d->drafts[i].id);
		free(d->drafts[i].form_id);
		free(d->drafts[i].consent);
		free(d->drafts[i].services);
	}
	free(d->drafts);
	d->drafts = NULL;
	d->ndrafts = 0;
}

static size_t offer_index(const char *form_id)
{
	for (size_t i = 0; i < NOFFERS; i++)
		if (strcmp(offers[i].form_id, form_id) == 0)
			return i;
	return NOFFERS;
}

/* Drafts in the order of the offers (their ids are random). */
static int by_offer(const void *a, const void *b)
{
	size_t x = offer_index(((const vdraft *)a)->form_id);
	size_t y = offer_index(((const vdraft *)b)->form_id);
	return x < y ? -1 : x > y;
}

/* The drafts of this visit, each with its progress and problems. */
static fv_status load_drafts(ui *u, visit *d, fv_errors *err)
{
	fv_visit_query q = {.person = d->person, .states = FV_VISIT_BIT(FV_VISIT_DRAFT)};
	fv_visit *list;
	size_t n;
	fv_status st = fv_visit_list(u->store, &q, &list, &n, err);
	if (st != FV_OK)
		return st;
	free_drafts(d);
	d->drafts = fv_xcalloc(n ? n : 1, sizeof *d->drafts);
	for (size_t i = 0; i < n && st == FV_OK; i++) {
		if (strcmp(list[i].checkin, d->checkin) != 0)
			continue;
		fv_visit v;
		fv_answers a = {0}, problems = {0};
		fv_form *f = NULL;
		if ((st = read_visit(u->store, list[i].id, &v, &a, &f, err)) != FV_OK)
			break;
		vdraft *vd = &d->drafts[d->ndrafts++];
		fv_runner *r = fv_runner_resume(f, ui_form_lang(u, f), &a, NULL);
		vd->id = fv_xstrdup(v.id);
		vd->form_id = fv_xstrdup(v.form_id);
		fv_runner_progress(r, &vd->done, &vd->total);
		vd->problems = fv_runner_problems(r, &problems);
		vd->consent = answer_of(&a, "consent_given");
		vd->services = answer_of(&a, "services");
		fv_answers_release(&problems);
		fv_runner_free(r);
		fv_form_free(f);
		fv_answers_release(&a);
		fv_visit_release(&v);
	}
	fv_visit_list_free(list, n);
	qsort(d->drafts, d->ndrafts, sizeof *d->drafts, by_offer);
	return st;
}

static const vdraft *draft_of(const visit *d, const char *form_id)
{
	for (size_t i = 0; i < d->ndrafts; i++)
		if (strcmp(d->drafts[i].form_id, form_id) == 0)
			return &d->drafts[i];
	return NULL;
}

/* Consent to a psychological assessment: the consent form of this visit
 * when it is finished, else the last one submitted today. */
static fv_status load_consent(ui *u, visit *d, fv_errors *err)
{
	const vdraft *c = draft_of(d, CONSENT_FORM);
	d->consent = CONSENT_NONE;
	if (c && !c->problems) {
		d->consent = strcmp(c->consent, "yes") == 0 ? CONSENT_YES : CONSENT_NO;
		return FV_OK;
	}
	fv_visit_query q = {.person = d->person,
			    .states = ~FV_VISIT_BIT(FV_VISIT_DRAFT) &
				      ~FV_VISIT_BIT(FV_VISIT_RETURNED) & 0x3f};
	fv_visit *list;
	size_t n;
	char day[16];
	fv_status st = fv_visit_list(u->store, &q, &list, &n, err);
	if (st != FV_OK)
		return st;
	fv_date_format(today(), day);
	for (size_t i = n; i-- > 0;) {
		if (strcmp(list[i].form_id, CONSENT_FORM) != 0 || strcmp(list[i].visit_date, day) != 0)
			continue;
		fv_visit v;
		fv_answers a = {0};
		if ((st = read_visit(u->store, list[i].id, &v, &a, NULL, err)) == FV_OK) {
			char *given = answer_of(&a, "consent_given");
			d->consent = strcmp(given, "yes") == 0 ? CONSENT_YES : CONSENT_NO;
			free(given);
			fv_answers_release(&a);
			fv_visit_release(&v);
		}
		break;
	}
	fv_visit_list_free(list, n);
	return st;
}

static fv_status load_results(ui *u, visit *d, fv_errors *err);

static void visit_load(ui_screen *sc)
{
	ui *u = sc->u;
	visit *d = sc->data;
	fv_person p;
	fv_errors err;
	fv_status st;

	fv_errors_init(&err);
	d->error[0] = '\0';
	st = fv_person_get(u->store, d->person, &p, &err);
	if (st == FV_OK) {
		free(d->name);
		free(d->village);
		d->name = fv_xstrdup(p.name);
		d->village = fv_xstrdup(p.village);
		fv_person_release(&p);
	}
	for (size_t i = 0; st == FV_OK && !d->loaded && i < NOFFERS; i++) {
		fv_errors ferr;
		fv_errors_init(&ferr);
		if (fv_store_form_load(u->store, offers[i].form_id, &d->forms[i], &ferr) != FV_OK)
			d->forms[i] = NULL;   /* not installed: not offered */
		fv_errors_release(&ferr);
	}
	d->loaded = st == FV_OK;
	if (st == FV_OK && d->phase == DONE)
		st = load_results(u, d, &err);
	if (st == FV_OK && d->phase >= FORMS && d->phase != DONE)
		st = load_drafts(u, d, &err);
	if (st == FV_OK && d->phase >= FORMS && d->phase != DONE)
		st = load_consent(u, d, &err);
	if (st != FV_OK) {
		char *t = ui_trf(u, UI_S_VISIT_LOAD_FAILED, err.n ? err.lines[0] : "", NULL);
		snprintf(d->error, sizeof d->error, "%s", t);
		free(t);
	}
	fv_errors_release(&err);
	if (st == FV_OK && d->resume) {
		char *id = d->resume;
		const vdraft *vd = NULL;
		for (size_t i = 0; i < d->ndrafts; i++)
			if (strcmp(d->drafts[i].id, id) == 0)
				vd = &d->drafts[i];
		d->resume = NULL;
		ui_runner_start(u, vd ? vd->form_id : "", d->person, d->checkin, id);
		free(id);
	}
}

/* What the submit gave: lines, alerts, the proposal (not the ids). */
static void free_results(visit *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	fv_alert_list_free(d->alerts, d->nalerts);
	free(d->next);
	d->lines = NULL;
	d->alerts = NULL;
	d->nlines = d->nalerts = 0;
	d->next = NULL;
}

static void visit_drop(ui_screen *sc)
{
	visit *d = sc->data;
	free_drafts(d);
	free_results(d);
	for (size_t i = 0; i < NOFFERS; i++) {
		fv_form_free(d->forms[i]);
		d->forms[i] = NULL;
	}
	free(d->name);
	free(d->village);
	d->name = d->village = NULL;
	d->loaded = 0;
}

/* Why the rules propose the next visit, in words. */
static char *next_words(ui *u, visit *d, int32_t next, const fv_sched_item *why)
{
	char date[16], due[16];
	char *reason, *text;
	if (next == FV_SCHED_NO_DATE)
		return fv_xstrdup(ui_tr(u, UI_S_VISIT_NEXT_NONE));
	fv_date_format(next, date);
	fv_date_format(why->due, due);
	switch (why->type) {
	case FV_SCHED_MAKEUP: reason = ui_trf(u, UI_S_VISIT_WHY_MAKEUP, due, NULL); break;
	case FV_SCHED_FESTIVAL: {
		const fv_rules_festival *fs;
		size_t n = fv_rules_festivals(u->rules, &fs);
		const char *name = why->festival >= 0 && (size_t)why->festival < n
					   ? (u->lang == UI_ZH ? fs[why->festival].name_zh
							       : fs[why->festival].name_en)
					   : "";
		reason = ui_trf(u, UI_S_VISIT_WHY_FESTIVAL, name, due, NULL);
		break;
	}
	case FV_SCHED_FOLLOWUP:
		reason = why->alert_kind ? ui_trf(u, UI_S_VISIT_WHY_ALERT, due, NULL)
					 : ui_trf(u, UI_S_VISIT_WHY_FOLLOWUP, due, NULL);
		break;
	default: reason = ui_trf(u, UI_S_VISIT_WHY_REGULAR, due, NULL); break;
	}
	text = ui_trf(u, UI_S_VISIT_NEXT, date, reason, NULL);
	free(reason);
	(void)d;
	return text;
}

static const fv_form *offered_form(visit *d, const char *form_id)
{
	for (size_t i = 0; i < NOFFERS; i++)
		if (d->forms[i] && strcmp(offers[i].form_id, form_id) == 0)
			return d->forms[i];
	return NULL;
}

static void title_of(ui *u, visit *d, const char *form_id, fv_buf *out)
{
	const fv_form *f = offered_form(d, form_id);
	if (f)
		ui_form_title(f, ui_form_lang(u, f), out);
	else
		fv_buf_adds(out, form_id);
}

/* After the submit: each form with its score, the alerts it raised, the
 * next visit proposed. */
static fv_status load_results(ui *u, visit *d, fv_errors *err)
{
	fv_status st = FV_OK;
	fv_alert *al;
	size_t nal;
	free_results(d);
	d->lines = fv_xcalloc(d->nsubmitted ? d->nsubmitted : 1, sizeof *d->lines);
	for (size_t i = 0; i < d->nsubmitted && st == FV_OK; i++) {
		fv_visit v;
		fv_buf t;
		if ((st = fv_visit_get(u->store, d->submitted[i], 0, &v, err)) != FV_OK)
			break;
		fv_buf_init(&t);
		title_of(u, d, v.form_id, &t);
		if (!isnan(v.score)) {
			fv_buf score;
			fv_buf_init(&score);
			fv_number_format(v.score, &score);
			d->lines[d->nlines++] = ui_trf(u, UI_S_VISIT_SCORE, t.s, score.s, v.band, NULL);
			fv_buf_release(&score);
		} else {
			d->lines[d->nlines++] = ui_trf(u, UI_S_VISIT_SUBMITTED_FORM, t.s, NULL);
		}
		fv_buf_release(&t);
		fv_visit_release(&v);
	}
	/* the alerts these visits raised, newest first */
	if (st == FV_OK && (st = fv_alert_list(u->store, d->person, 0, &al, &nal, err)) == FV_OK) {
		ui_forms forms = {0};
		d->alerts = fv_xcalloc(nal ? nal : 1, sizeof *d->alerts);
		for (size_t i = 0; i < nal; i++) {
			int ours = 0;
			for (size_t k = 0; k < d->nsubmitted; k++)
				ours |= strcmp(al[i].visit, d->submitted[k]) == 0;
			if (ours) {
				/* the message in the screen's language */
				char *m = fv_xstrdup(ui_alert_text(u, &forms, &al[i]));
				free(al[i].message);
				al[i].message = m;
				d->alerts[d->nalerts++] = al[i];
				memset(&al[i], 0, sizeof al[i]);
			}
		}
		ui_forms_release(&forms);
		fv_alert_list_free(al, nal);   /* what is left: the others */
	}
	if (st == FV_OK) {
		fv_schedule_facts facts;
		double t;
		int32_t day = today(), since;
		int y, m, dd;
		if (fv_datetime_parse(d->checkin, &t))
			day = (int32_t)floor(t / 86400.0);
		/* a yearly rule looks back a year, follow-ups stay open for two */
		fv_date_to_ymd(day, &y, &m, &dd);
		(void)fv_date_from_ymd(y - 2, 1, 1, &since);
		if ((st = fv_store_schedule_facts(u->store, d->person, since, &facts, err)) == FV_OK) {
			fv_sched_item why;
			int32_t next = facts.n == 1
					       ? fv_schedule_propose(u->rules, &facts.people[0], day, &why)
					       : FV_SCHED_NO_DATE;
			d->next = next_words(u, d, next, &why);
			fv_schedule_facts_release(&facts);
		}
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* Check-in, forms, check-out, submit                                  */

static void check_in(ui_screen *sc)
{
	visit *d = sc->data;
	fv_datetime_format(fv_clock_now(), d->checkin);
	d->phase = FORMS;
	visit_load(sc);
	char hm[8];
	hhmm(d->checkin, hm);
	ui_say(sc->u, 0, UI_S_VISIT_CHECKED_IN, hm, NULL);
}

/* The offers installed, as indices into offers. */
static size_t shown_offers(visit *d, size_t idx[NOFFERS])
{
	size_t n = 0;
	for (size_t i = 0; i < NOFFERS; i++)
		if (d->forms[i])
			idx[n++] = i;
	return n;
}

static void open_form(ui *u, visit *d)
{
	size_t idx[NOFFERS], n = shown_offers(d, idx);
	if (d->cursor >= n)
		return;
	const struct offer *o = &offers[idx[d->cursor]];
	const vdraft *vd = draft_of(d, o->form_id);
	if (vd) {
		ui_runner_start(u, o->form_id, d->person, d->checkin, vd->id);
		return;
	}
	if (o->psych && d->consent != CONSENT_YES) {
		ui_say(u, 1, d->consent == CONSENT_NO ? UI_S_VISIT_REFUSED : UI_S_VISIT_NO_CONSENT,
		       NULL);
		return;
	}
	ui_runner_start(u, o->form_id, d->person, d->checkin, NULL);
}

static void check_out(ui *u, visit *d)
{
	if (!d->ndrafts) {
		ui_say(u, 1, UI_S_VISIT_NOTHING, NULL);
		return;
	}
	for (size_t i = 0; i < d->ndrafts; i++)
		if (d->drafts[i].problems) {
			fv_buf t;
			fv_buf_init(&t);
			title_of(u, d, d->drafts[i].form_id, &t);
			ui_say(u, 1, UI_S_VISIT_UNFINISHED, t.s, NULL);
			fv_buf_release(&t);
			return;
		}
	fv_datetime_format(fv_clock_now(), d->checkout);
	d->phase = CHECKOUT;
}

/* Every form of the visit: the check-out (and, on the home visit record,
 * the services given) saved with it, then submitted. */
static void submit_visit(ui_screen *sc)
{
	ui *u = sc->u;
	visit *d = sc->data;
	const vdraft *home = draft_of(d, HOME_FORM);
	fv_errors err;
	fv_status st = FV_OK;

	fv_errors_init(&err);
	d->submitted = fv_xrealloc(d->submitted,
				   (d->nsubmitted + d->ndrafts + 1) * sizeof *d->submitted);
	for (size_t i = 0; i < d->ndrafts && st == FV_OK; i++) {
		fv_visit v;
		fv_answers a = {0};
		fv_form *f = NULL;
		char id[FV_ID_BYTES];
		snprintf(id, sizeof id, "%s", d->drafts[i].id);
		if ((st = read_visit(u->store, id, &v, &a, &f, &err)) != FV_OK)
			break;
		fv_visit_input in = {NULL, d->checkin, d->checkout,
				     &d->drafts[i] == home ? home->services : NULL};
		/* the answers as the runner gives them: the questions asked */
		fv_answers asked = {0};
		fv_runner *r = fv_runner_resume(f, ui_form_lang(u, f), &a, NULL);
		fv_runner_answers(r, &asked);
		fv_runner_free(r);
		st = fv_visit_save_draft(u->store, f, &in, &asked, id, &err);
		fv_answers_release(&asked);
		if (st == FV_OK)
			st = fv_visit_move(u->store, id, FV_VISIT_SUBMITTED, &err);
		if (st == FV_OK)
			d->submitted[d->nsubmitted++] = fv_xstrdup(id);
		fv_form_free(f);
		fv_answers_release(&a);
		fv_visit_release(&v);
	}
	if (st != FV_OK) {
		ui_say(u, 1, UI_S_VISIT_SUBMIT_FAILED, err.n ? err.lines[0] : "", NULL);
		fv_errors_release(&err);
		d->phase = FORMS;
		visit_load(sc);
		return;
	}
	fv_errors_release(&err);
	d->phase = DONE;
	d->cursor = 0;
	visit_load(sc);
	ui_say(u, 0, UI_S_VISIT_SUBMITTED_ALL, NULL);
	/* an alert raised: what was done and the referral, now */
	if (d->nalerts)
		ui_alert_open(u, d->alerts[0].id);
}

/* ------------------------------------------------------------------ */
/* Drawing and keys                                                    */

/* The services given, in words: the home visit record's answer. */
static void services_words(ui *u, const char *codes, fv_buf *out)
{
	for (const char *p = codes; *p;) {
		size_t k = strcspn(p, " ");
		char *code = fv_xstrndup(p, k);
		const fv_rules_service *sv = fv_rules_service_find(u->rules, code);
		fv_buf_addf(out, "%s%s", out->len ? ui_tr(u, UI_S_RUN_LIST_SEP) : "",
			    sv ? (u->lang == UI_ZH ? sv->name_zh : sv->name_en) : code);
		free(code);
		p += k;
		p += strspn(p, " ");
	}
}

static void draw_forms(ui *u, visit *d, const ui_rect *body, int y)
{
	size_t idx[NOFFERS], n = shown_offers(d, idx);
	int tw = 0;
	fv_buf *titles = fv_xcalloc(n ? n : 1, sizeof *titles);
	for (size_t i = 0; i < n; i++) {
		fv_buf_init(&titles[i]);
		ui_form_title(d->forms[idx[i]], ui_form_lang(u, d->forms[idx[i]]), &titles[i]);
		int w = (int)ui_width(titles[i].s);
		tw = w > tw ? w : tw;
	}
	if (tw > body->w - 34)
		tw = body->w - 34;
	for (size_t i = 0; i < n && y < body->y + body->h - 1; i++, y++) {
		const struct offer *o = &offers[idx[i]];
		const vdraft *vd = draft_of(d, o->form_id);
		char *state = NULL;
		ui_attr a = UI_NORMAL;
		if (vd && !vd->problems) {
			state = fv_xstrdup(ui_tr(u, UI_S_VISIT_FORM_DONE));
		} else if (vd) {
			char s1[24], s2[24];
			snprintf(s1, sizeof s1, "%d", vd->done);
			snprintf(s2, sizeof s2, "%d", vd->total);
			state = ui_trf(u, UI_S_VISIT_FORM_DRAFT, s1, s2, NULL);
		} else if (o->psych && d->consent != CONSENT_YES) {
			state = fv_xstrdup(ui_tr(u, d->consent == CONSENT_NO ? UI_S_VISIT_FORM_REFUSED
									  : UI_S_VISIT_FORM_CONSENT));
			a = UI_DIM;
		} else {
			state = fv_xstrdup("");
		}
		if (i == d->cursor)
			a = UI_SELECTED;
		ui_text(u, y, body->x, 2, a, i == d->cursor ? ">" : "");
		ui_text(u, y, body->x + 2, tw + 1, a, titles[i].s);
		ui_text(u, y, body->x + tw + 3, 1, a, "");
		ui_text(u, y, body->x + tw + 4, body->w - tw - 4, a, state);
		free(state);
	}
	for (size_t i = 0; i < n; i++)
		fv_buf_release(&titles[i]);
	free(titles);
}

static void visit_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	visit *d = sc->data;
	ui_rect r = *body;
	char hm[8], *t;
	int y = body->y, bottom = body->y + body->h - 1;

	u->counts[0] = '\0';
	if (!d->loaded || d->error[0]) {
		ui_wrapped(u, &r, 0, UI_ERROR, d->error);
		return;
	}
	t = ui_trf(u, UI_S_VISIT_PERSON, d->name, d->village, NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, t);
	free(t);
	if (d->phase == ARRIVE) {
		r.y = y + 1;
		r.h = body->h - 2;
		ui_wrapped(u, &r, 0, UI_NORMAL, ui_tr(u, UI_S_VISIT_ARRIVE));
		return;
	}
	hhmm(d->checkin, hm);
	double tin = 0;
	long mins = 0;
	if (fv_datetime_parse(d->checkin, &tin))
		mins = (long)floor((fv_clock_now() - tin) / 60.0);
	char ms[24];
	snprintf(ms, sizeof ms, "%ld", mins > 0 ? mins : 0);
	t = ui_trf(u, UI_S_VISIT_SINCE, hm, ms, NULL);
	ui_text(u, y++, body->x, body->w, UI_NORMAL, t);
	free(t);
	y++;
	if (d->phase == FORMS) {
		draw_forms(u, d, body, y);
		ui_text(u, bottom, body->x, body->w, UI_DIM, ui_tr(u, UI_S_VISIT_HOW_FORMS));
	} else if (d->phase == CHECKOUT) {
		char out[8], len[24] = "";
		fv_buf sv;
		double tout = 0;
		hhmm(d->checkout, out);
		if (fv_datetime_parse(d->checkout, &tout))
			snprintf(len, sizeof len, "%ld", (long)floor((tout - tin) / 60.0));
		t = ui_trf(u, UI_S_VISIT_CHECKOUT_AT, out, len, NULL);
		ui_text(u, y++, body->x, body->w, UI_HEADING, t);
		free(t);
		fv_buf_init(&sv);
		const vdraft *home = draft_of(d, HOME_FORM);
		if (home)
			services_words(u, home->services, &sv);
		t = home ? ui_trf(u, UI_S_VISIT_SERVICES, sv.len ? sv.s : ui_tr(u, UI_S_RUN_NO_ANSWER),
				  NULL)
			 : fv_xstrdup(ui_tr(u, UI_S_VISIT_NO_HOME));
		r.y = y;
		r.h = bottom - y;
		y += ui_wrapped(u, &r, 0, UI_NORMAL, t) + 1;
		free(t);
		fv_buf_release(&sv);
		ui_text(u, y++, body->x, body->w, UI_NORMAL, ui_tr(u, UI_S_VISIT_TO_SUBMIT));
		for (size_t i = 0; i < d->ndrafts && y < bottom; i++) {
			fv_buf tt;
			fv_buf_init(&tt);
			title_of(u, d, d->drafts[i].form_id, &tt);
			ui_text(u, y++, body->x + 2, body->w - 2, UI_NORMAL, tt.s);
			fv_buf_release(&tt);
		}
		ui_text(u, bottom, body->x, body->w, UI_DIM, ui_tr(u, UI_S_VISIT_HOW_CHECKOUT));
	} else {
		for (size_t i = 0; i < d->nlines && y < bottom; i++)
			ui_text(u, y++, body->x + 2, body->w - 2, UI_NORMAL, d->lines[i]);
		y++;
		for (size_t i = 0; i < d->nalerts && y < bottom; i++) {
			t = ui_trf(u, UI_S_VISIT_ALERT, d->alerts[i].message, NULL);
			ui_text(u, y++, body->x, body->w, i == d->cursor ? UI_SELECTED : UI_ERROR, t);
			free(t);
		}
		if (d->nalerts)
			y++;
		r.y = y;
		r.h = bottom - y;
		if (r.h > 0 && d->next)
			ui_wrapped(u, &r, 0, UI_HEADING, d->next);
		ui_text(u, bottom, body->x, body->w, UI_DIM,
			ui_tr(u, d->nalerts ? UI_S_VISIT_HOW_ALERTS : UI_S_VISIT_HOW_DONE));
	}
}

static int visit_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	visit *d = sc->data;
	size_t idx[NOFFERS], n;
	(void)key;
	if (!d->loaded)
		return 0;
	switch (d->phase) {
	case ARRIVE:
		if (act != UI_ACT_OK)
			return 0;
		check_in(sc);
		return 1;
	case FORMS:
		n = shown_offers(d, idx);
		switch (act) {
		case UI_ACT_UP: d->cursor = d->cursor ? d->cursor - 1 : 0; return 1;
		case UI_ACT_DOWN: d->cursor = d->cursor + 1 < n ? d->cursor + 1 : d->cursor; return 1;
		case UI_ACT_OK: open_form(u, d); return 1;
		case UI_ACT_CHECKOUT: check_out(u, d); return 1;
		default: return 0;
		}
	case CHECKOUT:
		if (act == UI_ACT_OK) {
			submit_visit(sc);
			return 1;
		}
		if (act == UI_ACT_BACK) {
			d->phase = FORMS;
			return 1;
		}
		return 0;
	default:
		switch (act) {
		case UI_ACT_UP: d->cursor = d->cursor ? d->cursor - 1 : 0; return 1;
		case UI_ACT_DOWN:
			d->cursor = d->cursor + 1 < d->nalerts ? d->cursor + 1 : d->cursor;
			return 1;
		case UI_ACT_OK:
			if (d->cursor < d->nalerts)
				ui_alert_open(u, d->alerts[d->cursor].id);
			return 1;
		default: return 0;
		}
	}
}

static int visit_can(ui_screen *sc, ui_action act)
{
	visit *d = sc->data;
	switch (act) {
	case UI_ACT_CHECKOUT: return d->phase == FORMS;
	case UI_ACT_UP:
	case UI_ACT_DOWN: return d->phase == FORMS || (d->phase == DONE && d->nalerts > 1);
	case UI_ACT_OK: return d->phase != DONE || d->nalerts > 0;
	default: return 1;
	}
}

/* Checked in with forms not submitted: leaving asks first. */
static int visit_busy(ui_screen *sc)
{
	visit *d = sc->data;
	return d->phase == CHECKOUT || (d->phase == FORMS && d->ndrafts > 0);
}

static void visit_open(ui_screen *sc, void *arg)
{
	const visit_arg *a = arg;
	visit *d = fv_xcalloc(1, sizeof *d);
	snprintf(d->person, sizeof d->person, "%s", a->person);
	if (a->checkin && *a->checkin) {
		snprintf(d->checkin, sizeof d->checkin, "%s", a->checkin);
		d->phase = FORMS;
	}
	d->resume = a->resume ? fv_xstrdup(a->resume) : NULL;
	sc->data = d;
}

static void visit_close(ui_screen *sc)
{
	visit *d = sc->data;
	visit_drop(sc);
	for (size_t i = 0; i < d->nsubmitted; i++)
		free(d->submitted[i]);
	free(d->submitted);
	free(d->resume);
	free(d);
}

const ui_screen_ops ui_scr_visit = {
	.id = UI_SCR_VISIT,
	.open = visit_open,
	.load = visit_load,
	.drop = visit_drop,
	.draw = visit_draw,
	.key = visit_key,
	.can = visit_can,
	.busy = visit_busy,
	.close = visit_close,
};

/* A visit of person_id: the one checked in today and not yet submitted
 * (its drafts), or a new one. */
void ui_visit_start(ui *u, const char *person_id)
{
	fv_visit_query q = {.person = person_id, .states = FV_VISIT_BIT(FV_VISIT_DRAFT)};
	fv_visit *list = NULL;
	size_t n = 0;
	fv_errors err;
	char checkin[40] = "";
	fv_errors_init(&err);
	if (fv_visit_list(u->store, &q, &list, &n, &err) == FV_OK) {
		for (size_t i = 0; i < n; i++) {
			double t;
			if (fv_datetime_parse(list[i].checkin, &t) && (int32_t)floor(t / 86400.0) == today())
				snprintf(checkin, sizeof checkin, "%s", list[i].checkin);
		}
		fv_visit_list_free(list, n);
	}
	fv_errors_release(&err);
	visit_arg a = {person_id, checkin, NULL};
	ui_push(u, &ui_scr_visit, &a);
	if (checkin[0]) {
		char hm[8];
		hhmm(checkin, hm);
		ui_say(u, 0, UI_S_VISIT_CONTINUED, hm, NULL);
	}
}

/* The draft visit_id in the runner, over the visit it belongs to. */
void ui_draft_resume(ui *u, const char *visit_id)
{
	fv_visit v;
	fv_errors err;
	char now[40];
	fv_errors_init(&err);
	if (fv_visit_get(u->store, visit_id, 0, &v, &err) != FV_OK) {
		ui_say(u, 1, UI_S_VISIT_LOAD_FAILED, err.n ? err.lines[0] : "", NULL);
		fv_errors_release(&err);
		return;
	}
	fv_errors_release(&err);
	if (v.version > 1) {   /* the correction of a returned visit */
		fv_visit_release(&v);
		ui_correct_start(u, visit_id);
		return;
	}
	fv_datetime_format(fv_clock_now(), now);
	visit_arg a = {v.person, *v.checkin ? v.checkin : now, visit_id};
	ui_push(u, &ui_scr_visit, &a);
	fv_visit_release(&v);
}
