/*
 * The runner: the steps of a filling as a screen walks them.  Everything
 * here is derived from the instance (relevance, values, problems); the
 * runner itself only remembers which field the user is on, so that a
 * change of relevance never loses the place.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"

struct fv_runner {
	const fv_form *f;
	fv_instance *in;
	int *steps;            /* the steps shown now */
	size_t nsteps, cap;
	int *page;             /* the fields of the step asked last */
	size_t npage, pcap;
	int current;           /* the field of the current step; -1: the summary */
	int pos_hint;          /* when current left the steps: its form index */
};

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && memcmp(p, w, n) == 0)
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

static int is_page(const fv_field *fd)
{
	return fd->type == FV_Q_BEGIN_GROUP && has_word(fd->appearance, "field-list");
}

/* Shown on screen on its own or in a page: questions, notes, acknowledges. */
static int is_shown(const fv_field *fd)
{
	return fd->type != FV_Q_CALCULATE && fd->type != FV_Q_BEGIN_GROUP &&
	       fd->type != FV_Q_END_GROUP;
}

static int is_question(const fv_field *fd)
{
	return is_shown(fd) && fd->type != FV_Q_NOTE;
}

/* The steps from the instance's relevance now. */
static void build(fv_runner *r)
{
	const fv_form *f = r->f;
	r->nsteps = 0;
	for (size_t i = 0; i < f->nfields; i++) {
		const fv_field *fd = &f->fields[i];
		if (!fv_instance_relevant(r->in, (int)i)) {
			if (fd->type == FV_Q_BEGIN_GROUP)
				i = (size_t)fd->end;   /* skip the whole group */
			continue;
		}
		if (is_page(fd)) {
			r->steps = fv_xgrow(r->steps, &r->cap, r->nsteps + 1, sizeof *r->steps);
			r->steps[r->nsteps++] = (int)i;
			i = (size_t)fd->end;
			continue;
		}
		if (!is_shown(fd))
			continue;
		r->steps = fv_xgrow(r->steps, &r->cap, r->nsteps + 1, sizeof *r->steps);
		r->steps[r->nsteps++] = (int)i;
	}
}

/* The step of field (itself, or the page holding it), or -1. */
static long step_of(const fv_runner *r, int field)
{
	for (size_t k = 0; k < r->nsteps; k++) {
		int s = r->steps[k];
		if (s == field)
			return (long)k;
		const fv_field *fd = &r->f->fields[s];
		if (fd->type == FV_Q_BEGIN_GROUP && field > s && field < fd->end)
			return (long)k;
	}
	return -1;
}

size_t fv_runner_at(fv_runner *r)
{
	if (r->current < 0)
		return r->nsteps;
	long k = step_of(r, r->current);
	if (k >= 0)
		return (size_t)k;
	/* the field is no longer shown: the next step after where it was */
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i] > r->pos_hint)
			return i;
	return r->nsteps;
}

static void go(fv_runner *r, size_t step)
{
	if (step >= r->nsteps) {
		r->current = -1;
		r->pos_hint = (int)r->f->nfields;
	} else {
		r->current = r->steps[step];
		r->pos_hint = r->current;
	}
}

fv_runner *fv_runner_new(const fv_form *f, int lang)
{
	fv_runner *r = fv_xcalloc(1, sizeof *r);
	r->f = f;
	r->in = fv_instance_new(f, lang);
	build(r);
	go(r, 0);
	return r;
}

void fv_runner_free(fv_runner *r)
{
	if (!r)
		return;
	fv_instance_free(r->in);
	free(r->steps);
	free(r->page);
	free(r);
}

const fv_form *fv_runner_form(const fv_runner *r)
{
	return r->f;
}

fv_instance *fv_runner_instance(fv_runner *r)
{
	return r->in;
}

size_t fv_runner_steps(fv_runner *r, const int **out)
{
	*out = r->steps;
	return r->nsteps;
}

size_t fv_runner_step_fields(fv_runner *r, size_t step, const int **out)
{
	r->npage = 0;
	if (step < r->nsteps) {
		int s = r->steps[step];
		const fv_field *fd = &r->f->fields[s];
		if (fd->type != FV_Q_BEGIN_GROUP) {
			r->page = fv_xgrow(r->page, &r->pcap, 1, sizeof *r->page);
			r->page[r->npage++] = s;
		} else {
			for (int i = s + 1; i < fd->end; i++) {
				const fv_field *g = &r->f->fields[i];
				if (!fv_instance_relevant(r->in, i)) {
					if (g->type == FV_Q_BEGIN_GROUP)
						i = g->end;
					continue;
				}
				if (!is_shown(g))
					continue;
				r->page = fv_xgrow(r->page, &r->pcap, r->npage + 1, sizeof *r->page);
				r->page[r->npage++] = i;
			}
		}
	}
	*out = r->page;
	return r->npage;
}

fv_status fv_runner_answer(fv_runner *r, int field, const char *value, char *errbuf,
			   size_t errlen)
{
	size_t at = fv_runner_at(r);
	fv_status st = fv_instance_set(r->in, field, value, errbuf, errlen);
	build(r);
	/* stay on the step the user was on, even when relevance moved the
	 * steps around it */
	if (r->current >= 0 && step_of(r, r->current) < 0 && at < r->nsteps)
		go(r, fv_runner_at(r));
	return st;
}

int fv_runner_next(fv_runner *r, const char **msg)
{
	size_t at = fv_runner_at(r);
	const int *fields;
	size_t n = fv_runner_step_fields(r, at, &fields);
	*msg = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *e = fv_instance_field_error(r->in, fields[i]);
		if (e) {
			*msg = e;
			return fields[i];
		}
	}
	go(r, at + 1);
	return -1;
}

void fv_runner_prev(fv_runner *r)
{
	size_t at = fv_runner_at(r);
	if (at > 0)
		go(r, at - 1);
	else
		go(r, 0);
}

void fv_runner_jump(fv_runner *r, size_t step)
{
	go(r, step);
}

/* Does the field count for progress: a question, or a required
 * acknowledge? */
static int counts(fv_runner *r, int field)
{
	const fv_field *fd = &r->f->fields[field];
	if (!is_question(fd))
		return 0;
	if (fd->type == FV_Q_ACKNOWLEDGE)
		return fv_instance_required(r->in, field);
	return 1;
}

void fv_runner_progress(fv_runner *r, int *done, int *total)
{
	*done = *total = 0;
	for (size_t k = 0; k < r->nsteps; k++) {
		const int *fields;
		size_t n = fv_runner_step_fields(r, k, &fields);
		for (size_t i = 0; i < n; i++) {
			if (!counts(r, fields[i]))
				continue;
			(*total)++;
			if (*fv_instance_get(r->in, fields[i]))
				(*done)++;
		}
	}
}

void fv_runner_answers(fv_runner *r, fv_answers *out)
{
	for (size_t i = 0; i < r->f->nfields; i++) {
		const fv_field *fd = &r->f->fields[i];
		if (!is_question(fd) || !fv_instance_relevant(r->in, (int)i))
			continue;
		const char *v = fv_instance_get(r->in, (int)i);
		if (*v)
			fv_answers_add(out, fd->name, v);
	}
}

size_t fv_runner_problems(fv_runner *r, fv_answers *out)
{
	fv_answers none = {0};
	return fv_instance_report(r->in, &none, out);
}

fv_runner *fv_runner_resume(const fv_form *f, int lang, const fv_answers *saved,
			    size_t *dropped)
{
	fv_runner *r = fv_xcalloc(1, sizeof *r);
	fv_answers problems = {0};
	r->f = f;
	r->in = fv_instance_new(f, lang);
	size_t k = fv_instance_apply(r->in, saved, &problems);
	fv_answers_release(&problems);
	if (dropped)
		*dropped = k;
	build(r);
	/* where the filling stopped: after the last step with an answer */
	size_t at = 0;
	for (size_t s = 0; s < r->nsteps; s++) {
		const int *fields;
		size_t n = fv_runner_step_fields(r, s, &fields);
		for (size_t i = 0; i < n; i++)
			if (is_question(&f->fields[fields[i]]) && *fv_instance_get(r->in, fields[i]))
				at = s + 1;
	}
	go(r, at);
	return r;
}
