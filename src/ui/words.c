/*
 * fieldvisit screens: people, schedules and visits in words.  Codes
 * (categories, states, alert kinds) have their screen names in the
 * catalog (assets/i18n); the reason of a schedule item is said as
 * `fieldvisit visit list --due` says it, in the screen's language.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

int32_t ui_today(void)
{
	return (int32_t)floor(fv_clock_now() / 86400.0);
}

int ui_age(const char *birth, int32_t day)
{
	int32_t b;
	int by, bm, bd, y, m, d;
	if (!birth || !fv_date_parse(birth, &b) || b > day)
		return -1;
	fv_date_to_ymd(b, &by, &bm, &bd);
	fv_date_to_ymd(day, &y, &m, &d);
	return y - by - (m < bm || (m == bm && d < bd));
}

void ui_mask_id(const char *id, char out[64])
{
	size_t n = strlen(id);
	if (n != 18 || n >= 64) {   /* not a resident ID: nothing to show of it */
		snprintf(out, 64, "%s", n < 64 ? id : "");
		return;
	}
	snprintf(out, 64, "%.6s********%s", id, id + 14);
}

static const struct {
	const char *code;
	ui_str s;
} categories[] = {
	{"shidu", UI_S_CAT_SHIDU}, {"shangcan", UI_S_CAT_SHANGCAN},
	{"gaoling", UI_S_CAT_GAOLING}, {"zili", UI_S_CAT_ZILI},
	{"banshineng", UI_S_CAT_BANSHINENG}, {"shineng", UI_S_CAT_SHINENG},
	{"ec_user", UI_S_CAT_EC_USER}, {"iud_user", UI_S_CAT_IUD_USER},
	{"migrant", UI_S_CAT_MIGRANT}, {"newlywed", UI_S_CAT_NEWLYWED},
};

ui_str ui_category_str(const char *code)
{
	for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
		if (strcmp(categories[i].code, code) == 0)
			return categories[i].s;
	return UI_NSTR;
}

char *ui_categories(const ui *u, const char *codes)
{
	fv_buf b;
	char *copy = fv_xstrdup(codes ? codes : "");
	fv_buf_init(&b);
	for (char *c = strtok(copy, " "); c; c = strtok(NULL, " ")) {
		ui_str s = ui_category_str(c);
		if (b.len)
			fv_buf_adds(&b, ui_tr(u, UI_S_LIST_SEP));
		fv_buf_adds(&b, s == UI_NSTR ? c : ui_tr(u, s));
	}
	free(copy);
	return fv_buf_take(&b);
}

/* Whether s has a Chinese (or other wide) character. */
static int has_wide(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += fv_utf8_decode(s + i, n - i, &cp);
		if (ui_cp_width(cp) == 2)
			return 1;
	}
	return 0;
}

char *ui_form_short(const char *title, ui_lang l)
{
	const char *slash = strstr(title, " / ");
	const char *s = title;
	size_t n = strlen(title);
	if (slash) {   /* "Chinese / English": the part of the language */
		int first_zh = has_wide(title, (size_t)(slash - title));
		if ((l == UI_ZH) == first_zh) {
			n = (size_t)(slash - title);
		} else {
			s = slash + 3;
			n = strlen(s);
		}
	}
	const char *paren = strstr(s, " (");
	if (paren && (size_t)(paren - s) < n && paren > s)
		n = (size_t)(paren - s);
	return fv_xstrndup(s, n);
}

static const char *period_word(const ui *u, fv_rules_period p)
{
	static const ui_str words[] = {UI_S_PERIOD_MONTH, UI_S_PERIOD_QUARTER, UI_S_PERIOD_YEAR,
				       UI_S_PERIOD_EVENT};
	return ui_tr(u, words[p]);
}

static const char *category_word(const ui *u, const char *code)
{
	ui_str s = ui_category_str(code);
	return s == UI_NSTR ? code : ui_tr(u, s);
}

char *ui_sched_why(const ui *u, const fv_rules *r, const fv_sched_item *it, const char *form)
{
	char from[16], due[16], n1[16], n2[16], n3[16];
	fv_date_format(it->from, from);
	fv_date_format(it->due, due);
	snprintf(n1, sizeof n1, "%d", it->done);
	snprintf(n2, sizeof n2, "%d", it->needed);
	switch (it->type) {
	case FV_SCHED_REGULAR:
	case FV_SCHED_MAKEUP: {
		const fv_rules_frequency *q = it->rule;
		const char *cat = category_word(u, q->category);
		char *mins, *s;
		snprintf(n3, sizeof n3, "%d", q->min_minutes);
		mins = q->min_minutes > 0 ? ui_trf(u, UI_S_WHY_MINUTES, n3, NULL) : fv_xstrdup("");
		if (it->type == FV_SCHED_MAKEUP) {
			char of[16];
			fv_date_format(it->short_of, of);
			s = ui_trf(u, UI_S_WHY_MAKEUP, cat, period_word(u, q->period), of, n1, n2, mins,
				   NULL);
		} else {
			snprintf(n2, sizeof n2, "%d", q->visits);
			s = ui_trf(u, it->state == FV_SCHED_UPCOMING ? UI_S_WHY_REGULAR_AHEAD
								     : UI_S_WHY_REGULAR,
				   cat, n2, period_word(u, q->period), n1, mins, NULL);
		}
		free(mins);
		return s;
	}
	case FV_SCHED_FESTIVAL: {
		const fv_rules_festival *fs;
		(void)fv_rules_festivals(r, &fs);
		return ui_trf(u, UI_S_WHY_FESTIVAL,
			      u->lang == UI_ZH ? fs[it->festival].name_zh : fs[it->festival].name_en,
			      from, due, NULL);
	}
	case FV_SCHED_FOLLOWUP:
		if (it->alert_kind)
			return ui_trf(u, UI_S_WHY_FOLLOWUP_ALERT, ui_alert_kind_word(u, it->alert_kind),
				      NULL);
		return ui_trf(u, it->rule ? UI_S_WHY_FOLLOWUP_EC : UI_S_WHY_FOLLOWUP_FORM,
			      form ? form : it->form_id, NULL);
	}
	return fv_xstrdup("");
}

const char *ui_sched_state_word(const ui *u, int state)
{
	static const ui_str words[] = {UI_S_SCHED_DONE, UI_S_SCHED_DUE, UI_S_SCHED_OVERDUE,
				       UI_S_SCHED_UPCOMING};
	return ui_tr(u, words[state]);
}

const char *ui_sched_type_word(const ui *u, int type)
{
	static const ui_str words[] = {UI_S_SCHED_REGULAR, UI_S_SCHED_MAKEUP, UI_S_SCHED_FESTIVAL,
				       UI_S_SCHED_FOLLOWUP};
	return ui_tr(u, words[type]);
}

const char *ui_visit_state_word(const ui *u, int state)
{
	static const ui_str words[] = {UI_S_VISIT_DRAFT, UI_S_VISIT_SUBMITTED, UI_S_VISIT_SENT,
				       UI_S_VISIT_RECEIVED, UI_S_VISIT_APPROVED, UI_S_VISIT_RETURNED};
	return ui_tr(u, words[state]);
}

/* The word of code among codes[i] -> words[i], else the code. */
static const char *word_of(const ui *u, const char *code, const char *const *codes,
			   const ui_str *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(codes[i], code) == 0)
			return ui_tr(u, words[i]);
	return code;
}

const char *ui_status_word(const ui *u, const char *status)
{
	static const char *const codes[] = {"active", "moved", "died", "archived"};
	static const ui_str words[] = {UI_S_STATUS_ACTIVE, UI_S_STATUS_MOVED, UI_S_STATUS_DIED,
				       UI_S_STATUS_ARCHIVED};
	return word_of(u, status, codes, words, 4);
}

const char *ui_alert_kind_word(const ui *u, const char *kind)
{
	static const char *const codes[] = {"item9", "emergency", "adverse"};
	static const ui_str words[] = {UI_S_ALERT_ITEM9, UI_S_ALERT_EMERGENCY, UI_S_ALERT_ADVERSE};
	return word_of(u, kind, codes, words, 3);
}

const char *ui_alert_state_word(const ui *u, const char *state)
{
	static const char *const codes[] = {"open", "referred", "closed"};
	static const ui_str words[] = {UI_S_ALERT_OPEN, UI_S_ALERT_REFERRED, UI_S_ALERT_CLOSED};
	return word_of(u, state, codes, words, 3);
}

const char *ui_form_name(ui *u, ui_forms *f, const char *form_id)
{
	if ((f->n || f->na) && f->lang != u->lang)
		ui_forms_release(f);
	f->lang = u->lang;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->id[i], form_id) == 0)
			return f->name[i];
	fv_form *form;
	fv_errors err;
	char *name;
	fv_errors_init(&err);
	if (u->store && fv_store_form_load(u->store, form_id, &form, &err) == FV_OK) {
		name = ui_form_short(form->title, u->lang);
		fv_form_free(form);
	} else {   /* not installed: its id says what it was */
		name = fv_xstrdup(form_id);
	}
	fv_errors_release(&err);
	f->id = fv_xrealloc(f->id, (f->n + 1) * sizeof *f->id);
	f->name = fv_xrealloc(f->name, (f->n + 1) * sizeof *f->name);
	f->id[f->n] = fv_xstrdup(form_id);
	f->name[f->n] = name;
	return f->name[f->n++];
}

void ui_forms_release(ui_forms *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->id[i]);
		free(f->name[i]);
	}
	free(f->id);
	free(f->name);
	f->id = f->name = NULL;
	f->n = 0;
	for (size_t i = 0; i < f->na; i++) {
		free(f->akey[i]);
		free(f->atext[i]);
	}
	free(f->akey);
	free(f->atext);
	f->akey = f->atext = NULL;
	f->na = 0;
}

const char *ui_alert_message(ui *u, ui_forms *f, const char *form_id, const char *form_version,
			     const char *kind, const char *stored)
{
	if (!form_id || !*form_id || !kind)
		return stored;
	if ((f->n || f->na) && f->lang != u->lang)
		ui_forms_release(f);
	f->lang = u->lang;
	if (!form_version)
		form_version = "";
	char *key = fv_xasprintf("%s\t%s\t%s", form_id, form_version, kind);
	for (size_t i = 0; i < f->na; i++)
		if (strcmp(f->akey[i], key) == 0) {
			free(key);
			return f->atext[i] ? f->atext[i] : stored;
		}
	fv_form *form;
	fv_errors err;
	char *text = NULL;
	fv_errors_init(&err);
	if (u->store && fv_store_form_load_version(u->store, form_id, *form_version ? form_version : NULL,
						   &form, &err) == FV_OK) {
		char *name = fv_xasprintf("alert_%s", kind);
		int i = fv_form_field_index(form, name);
		if (i >= 0) {
			const char *t = fv_text_get(form, &form->fields[i].label, ui_form_lang(u, form));
			if (*t)
				text = fv_xstrdup(t);
		}
		free(name);
		fv_form_free(form);
	}
	fv_errors_release(&err);
	f->akey = fv_xrealloc(f->akey, (f->na + 1) * sizeof *f->akey);
	f->atext = fv_xrealloc(f->atext, (f->na + 1) * sizeof *f->atext);
	f->akey[f->na] = key;
	f->atext[f->na] = text;   /* NULL: none, the stored message */
	return f->atext[f->na++] ? text : stored;
}

const char *ui_alert_text(ui *u, ui_forms *f, const fv_alert *a)
{
	fv_visit v;
	fv_errors err;
	const char *text = a->message;
	fv_errors_init(&err);
	if (u->store && a->visit && *a->visit &&
	    fv_visit_get(u->store, a->visit, a->visit_version, &v, &err) == FV_OK) {
		text = ui_alert_message(u, f, v.form_id, v.form_version, a->kind, a->message);
		fv_visit_release(&v);
	}
	fv_errors_release(&err);
	return text;
}
