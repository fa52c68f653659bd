/*
 * fieldvisit forms: instances, the answers of one filling of a form.
 *
 * Values are kept as the strings an XForm instance holds.  After a change,
 * only the fields that depend on it (the form's dependants graph) are looked
 * at again, in the form's topological order, so answering one question of a
 * form of thousands stays instant.  A whole answer set (fv_instance_apply)
 * is settled as far as each decision needs and once at the end, with the
 * same result as answering it question by question.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "form_internal.h"

struct fv_instance {
	const fv_form *f;
	int lang;
	double now;
	char **values;            /* stored value per field, never NULL */
	unsigned char *relevant;  /* effective relevance (own and groups') */
	unsigned char *dirty;
	size_t lo;                /* no field before this position is dirty */
	char **eval_error;        /* relevance or calculation error, or NULL */
	int *pos;                 /* position of each field in f->order */
	fv_buf msg;               /* last message of fv_instance_field_error */
	const fv_choice **choice_buf;
	size_t choice_cap;
	const fv_choice_list *filter_list;  /* while a choice_filter runs */
	size_t filter_choice;
};

static const char *env_value(void *ctx, int field, fv_qtype *type)
{
	fv_instance *in = ctx;
	*type = in->f->fields[field].type;
	return in->values[field];
}

static const char *env_choice_label(void *ctx, int field, const char *choice)
{
	fv_instance *in = ctx;
	const fv_field *fd = &in->f->fields[field];
	const fv_choice *c = fd->choices ? fv_choice_find(fd->choices, choice) : NULL;
	return c ? fv_text_get(in->f, &c->label, in->lang) : NULL;
}

static const char *env_column(void *ctx, int col)
{
	fv_instance *in = ctx;
	const fv_choice *c;
	if (!in->filter_list)
		return "";
	c = &in->filter_list->choices[in->filter_choice];
	if (col == 0)
		return c->name;
	if ((size_t)col - 1 < in->filter_list->nextra)
		return c->extra[col - 1];
	return "";
}

static fv_expr_env make_env(fv_instance *in, int dot)
{
	fv_expr_env env = {
		.ctx = in, .value = env_value, .choice_label = env_choice_label,
		.dot = dot, .now = in->now, .column = env_column,
	};
	return env;
}

static void set_value(fv_instance *in, int field, const char *v)
{
	if (strcmp(in->values[field], v) == 0)
		return;
	free(in->values[field]);
	in->values[field] = fv_xstrdup(v);
}

static void set_eval_error(fv_instance *in, int field, const char *col, const char *msg)
{
	free(in->eval_error[field]);
	in->eval_error[field] = msg ? fv_xasprintf("%s: %s", col, msg) : NULL;
}

/* Mark dirty the dependants of a changed field whose relevance or
 * calculation may read it: those come after it in the order.  (One before
 * it reads it only in a constraint, required or choice filter, which are
 * not kept but evaluated when asked.) */
static void mark_dependants(fv_instance *in, int field)
{
	const fv_form *f = in->f;
	int at = in->pos[field];
	for (size_t k = 0; k < f->ndependants[field]; k++) {
		int d = f->dependants[field][k];
		if (in->pos[d] > at) {
			in->dirty[d] = 1;
			if ((size_t)in->pos[d] < in->lo)
				in->lo = (size_t)in->pos[d];
		}
	}
}

/* Recompute the relevance and (for a calculate) the value of one field.
 * Returns 1 when either changed. */
static int evaluate(fv_instance *in, int field, fv_buf *tmp)
{
	const fv_form *f = in->f;
	const fv_field *fd = &f->fields[field];
	fv_expr_env env = make_env(in, -1);
	char msg[256];
	int rel = 1, changed = 0;

	if (fd->group >= 0 && !in->relevant[fd->group])
		rel = 0;
	set_eval_error(in, field, NULL, NULL);
	if (rel && fd->relevant) {
		if (fv_expr_eval_bool(fd->relevant, &env, &rel, msg, sizeof msg) != FV_OK) {
			set_eval_error(in, field, "relevant", msg);
			rel = 1;
		}
	}
	if (rel != in->relevant[field]) {
		in->relevant[field] = (unsigned char)rel;
		changed = 1;
	}
	if (fd->type == FV_Q_CALCULATE) {
		fv_buf_reset(tmp);
		if (rel && fv_expr_eval_string(fd->calculation, &env, tmp, msg, sizeof msg) != FV_OK) {
			set_eval_error(in, field, "calculation", msg);
			fv_buf_reset(tmp);
		}
		if (strcmp(in->values[field], tmp->s) != 0) {
			set_value(in, field, tmp->s);
			changed = 1;
		}
	} else if (!rel && in->values[field][0]) {
		set_value(in, field, "");   /* a non-relevant answer is cleared */
		changed = 1;
	}
	return changed;
}

/* Evaluate every dirty field up to position to (inclusive) of the
 * topological order, in that order, spreading dirtiness to the dependants
 * of whatever changed.  What lies after stays dirty.  Every evaluation
 * reads only fields before it in the order, so settling a prefix now and
 * the rest later gives what one walk would. */
static void settle_to(fv_instance *in, size_t to)
{
	const fv_form *f = in->f;
	fv_buf tmp;
	if (in->lo >= f->norder || in->lo > to)
		return;
	if (to >= f->norder)
		to = f->norder - 1;
	fv_buf_init(&tmp);
	for (size_t p = in->lo; p <= to; p++) {
		int field = f->order[p];
		if (!in->dirty[field])
			continue;
		in->dirty[field] = 0;
		if (evaluate(in, field, &tmp))
			mark_dependants(in, field);
	}
	in->lo = to + 1;
	fv_buf_release(&tmp);
}

static void settle(fv_instance *in)
{
	settle_to(in, in->f->norder);
}

fv_instance *fv_instance_new(const fv_form *f, int lang)
{
	fv_instance *in = fv_xcalloc(1, sizeof *in);
	size_t n = f->nfields;
	in->f = f;
	in->lang = lang >= 0 && lang < f->nlangs ? lang : f->default_lang;
	in->now = fv_clock_now();
	in->values = fv_xcalloc(n + 1, sizeof *in->values);
	in->relevant = fv_xcalloc(n + 1, 1);
	in->dirty = fv_xcalloc(n + 1, 1);
	in->eval_error = fv_xcalloc(n + 1, sizeof *in->eval_error);
	in->pos = fv_xcalloc(n + 1, sizeof *in->pos);
	fv_buf_init(&in->msg);
	for (size_t i = 0; i < n; i++) {
		in->values[i] = fv_xstrdup(f->fields[i].default_value ? f->fields[i].default_value : "");
		in->relevant[i] = 1;
		in->dirty[i] = 1;
	}
	for (size_t p = 0; p < f->norder; p++)
		in->pos[f->order[p]] = (int)p;
	in->lo = 0;
	settle(in);
	return in;
}

void fv_instance_free(fv_instance *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->f->nfields; i++) {
		free(in->values[i]);
		free(in->eval_error[i]);
	}
	free(in->values);
	free(in->relevant);
	free(in->dirty);
	free(in->eval_error);
	free(in->pos);
	free(in->choice_buf);
	fv_buf_release(&in->msg);
	free(in);
}

size_t fv_instance_choices(fv_instance *in, int field, const fv_choice ***out)
{
	const fv_field *fd = &in->f->fields[field];
	size_t n = 0;
	*out = NULL;
	if (!fd->choices)
		return 0;
	in->choice_buf = fv_xgrow(in->choice_buf, &in->choice_cap, fd->choices->n + 1,
				  sizeof *in->choice_buf);
	fv_expr_env env = make_env(in, -1);
	in->filter_list = fd->choices;
	for (size_t c = 0; c < fd->choices->n; c++) {
		int keep = 1;
		char msg[256];
		in->filter_choice = c;
		if (fd->choice_filter &&
		    fv_expr_eval_bool(fd->choice_filter, &env, &keep, msg, sizeof msg) != FV_OK)
			keep = 0;
		if (keep)
			in->choice_buf[n++] = &fd->choices->choices[c];
	}
	in->filter_list = NULL;
	*out = in->choice_buf;
	return n;
}

/* Is choice name offered by the field's choice filter now? */
static int offered(fv_instance *in, int field, const char *name)
{
	const fv_choice **cs;
	size_t n = fv_instance_choices(in, field, &cs);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cs[i]->name, name) == 0)
			return 1;
	return 0;
}

/* Check an answer and store it, marking what depends on it dirty without
 * settling: fv_instance_set settles right after, fv_instance_apply when it
 * needs to.  The relevance and choice filter are judged on the settled
 * instance, as after every answer before. */
static fv_status store_answer(fv_instance *in, int field, const char *value, char *errbuf,
			      size_t errlen)
{
	const fv_form *f = in->f;
	if (field < 0 || (size_t)field >= f->nfields) {
		snprintf(errbuf, errlen, "no such question");
		return FV_ENOTFOUND;
	}
	const fv_field *fd = &f->fields[field];
	fv_buf canon;
	switch (fd->type) {
	case FV_Q_NOTE: case FV_Q_CALCULATE: case FV_Q_BEGIN_GROUP: case FV_Q_END_GROUP:
		snprintf(errbuf, errlen, "'%s' is a %s and cannot be answered", fd->name,
			 fv_qtype_name(fd->type));
		return FV_EINVAL;
	default:
		break;
	}
	if (fd->read_only) {
		snprintf(errbuf, errlen, "'%s' is read-only", fd->name);
		return FV_EINVAL;
	}
	settle_to(in, (size_t)in->pos[field]);   /* its relevance */
	if (!in->relevant[field] && *value) {
		snprintf(errbuf, errlen, "'%s' is not asked now (not relevant)", fd->name);
		return FV_EINVAL;
	}
	fv_buf_init(&canon);
	if (!fv_form_canonical(fd, value, &canon, errbuf, errlen)) {
		fv_buf_release(&canon);
		return FV_EINVAL;
	}
	if (fd->choice_filter && canon.len) {
		settle(in);   /* a choice filter may read any field */
		char *copy = fv_xstrdup(canon.s), *save = NULL;
		for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!offered(in, field, tok)) {
				snprintf(errbuf, errlen, "'%s' is not offered here (choice_filter)", tok);
				free(copy);
				fv_buf_release(&canon);
				return FV_EINVAL;
			}
		}
		free(copy);
	}
	if (strcmp(in->values[field], canon.s) != 0) {
		set_value(in, field, canon.s);
		mark_dependants(in, field);
	}
	fv_buf_release(&canon);
	return FV_OK;
}

fv_status fv_instance_set(fv_instance *in, int field, const char *value, char *errbuf,
			  size_t errlen)
{
	fv_status st = store_answer(in, field, value, errbuf, errlen);
	settle(in);
	return st;
}

int fv_instance_has_value(const fv_instance *in, int field)
{
	fv_qtype t = in->f->fields[field].type;
	if (t == FV_Q_NOTE || t == FV_Q_BEGIN_GROUP || t == FV_Q_END_GROUP)
		return 0;
	return t == FV_Q_CALCULATE || in->relevant[field];
}

int fv_instance_alert_raised(const fv_instance *in, int field)
{
	const fv_field *fd = &in->f->fields[field];
	const char *v = in->values[field];
	double d;
	if (fd->type != FV_Q_CALCULATE || strncmp(fd->name, "alert_", 6) != 0)
		return 0;
	if (strcmp(v, "true") == 0)
		return 1;
	return fv_parse_double(v, &d) && d != 0;
}

enum { SEEN = 1, HAZARD = 2 };

/* Push the fields whose values the relevance of field x reads (its own
 * relevance expression and its group), and for a calculate x also what its
 * calculation reads. */
static void push_reads(const fv_form *f, int x, int calc_too, unsigned char *seen, int *stack,
		       size_t *top)
{
	const fv_field *fd = &f->fields[x];
	const fv_expr *es[2] = {fd->relevant, calc_too ? fd->calculation : NULL};
	for (int k = 0; k < 2; k++) {
		const int *refs;
		size_t n = es[k] ? fv_expr_refs(es[k], &refs) : 0;
		for (size_t r = 0; r < n; r++)
			if (!(seen[refs[r]] & SEEN)) {
				seen[refs[r]] |= SEEN;
				stack[(*top)++] = refs[r];
			}
	}
	if (fd->group >= 0 && fd->type != FV_Q_END_GROUP && !(seen[fd->group] & SEEN)) {
		seen[fd->group] |= SEEN;
		stack[(*top)++] = fd->group;
	}
}

/* Mark as a hazard every question whose answer can change the relevance of
 * field x: through what its relevance and its groups read, the relevance of
 * those (a non-relevant answer is cleared) and what calculates read.  seen
 * is kept over one fv_instance_apply, so each field is walked once. */
static void mark_relevance_sources(const fv_form *f, int x, unsigned char *seen, int *stack)
{
	size_t top = 0;
	push_reads(f, x, 0, seen, stack, &top);
	while (top > 0) {
		int r = stack[--top];
		if (fv_form_answerable(&f->fields[r]))
			seen[r] |= HAZARD;
		push_reads(f, r, f->fields[r].type == FV_Q_CALCULATE, seen, stack, &top);
	}
}

/*
 * Question by question, in form order, as a person fills the form: an
 * answer is taken when its question is relevant after the answers before
 * it, and every answer settles what depends on it.  Settling after every
 * answer made a form of thousands of questions quadratic (each answer
 * recomputed the calculates after it), so the instance is settled only as
 * far as each decision reads (up to the question in the evaluation order
 * for its relevance, all of it for a choice filter) and once at the end.
 *
 * That gives the same instance because an evaluation depends only on the
 * stored answers: what settling after every answer adds is the history,
 * an answer cleared when its question is not relevant for a while.  Only a
 * question holding an answer can lose it, and only when a later answer
 * changes its relevance: one answered earlier (or already in the instance)
 * whose relevance reads a question further on.  The questions whose
 * answers can change the relevance of those are marked, and each answer to
 * one of them is settled at once, as before.
 */
size_t fv_instance_apply(fv_instance *in, const fv_answers *a, fv_answers *problems)
{
	const fv_form *f = in->f;
	size_t n = f->nfields, before = problems->n;
	int *first = fv_xcalloc(n + 1, sizeof *first), *last = fv_xcalloc(n + 1, sizeof *last);
	int *next = fv_xcalloc(a->n + 1, sizeof *next), *stack = fv_xcalloc(n + 1, sizeof *stack);
	unsigned char *seen = fv_xcalloc(n + 1, 1);
	char msg[512];

	for (size_t fi = 0; fi < n; fi++)
		first[fi] = last[fi] = -1;
	/* each field's answers, in the order given */
	for (size_t i = 0; i < a->n; i++) {
		int fi = fv_form_field_index(f, a->items[i].name);
		next[i] = -1;
		if (fi < 0) {
			fv_answers_add(problems, a->items[i].name, "no such question in the form");
			continue;
		}
		if (first[fi] < 0)
			first[fi] = (int)i;
		else
			next[last[fi]] = (int)i;
		last[fi] = (int)i;
	}
	/* the answers the instance holds already can be cleared by any of these */
	for (size_t x = 0; x < n; x++)
		if (f->fields[x].type != FV_Q_CALCULATE && in->values[x][0])
			mark_relevance_sources(f, (int)x, seen, stack);
	for (size_t fi = 0; fi < n; fi++) {
		for (int i = first[fi]; i >= 0; i = next[i]) {
			settle_to(in, (size_t)in->pos[fi]);
			if (!in->relevant[fi])
				continue;
			if (store_answer(in, (int)fi, a->items[i].value, msg, sizeof msg) != FV_OK) {
				fv_answers_add(problems, a->items[i].name, msg);
				continue;
			}
			if (seen[fi] & HAZARD)
				settle(in);
			if (f->relevance_after[fi] && in->values[fi][0])
				mark_relevance_sources(f, (int)fi, seen, stack);
		}
	}
	settle(in);
	free(first);
	free(last);
	free(next);
	free(stack);
	free(seen);
	return problems->n - before;
}

size_t fv_instance_report(fv_instance *in, const fv_answers *refused, fv_answers *out)
{
	const fv_form *f = in->f;
	size_t before = out->n;
	for (size_t i = 0; i < refused->n; i++)
		if (fv_form_field_index(f, refused->items[i].name) < 0)
			fv_answers_add(out, refused->items[i].name, refused->items[i].value);
	for (size_t fi = 0; fi < f->nfields; fi++) {
		const char *msg = NULL;
		if (f->fields[fi].type == FV_Q_END_GROUP)
			continue;
		for (size_t i = 0; i < refused->n && !msg; i++)
			if (strcmp(refused->items[i].name, f->fields[fi].name) == 0)
				msg = refused->items[i].value;
		if (!msg)
			msg = fv_instance_field_error(in, (int)fi);
		if (msg)
			fv_answers_add(out, f->fields[fi].name, msg);
	}
	return out->n - before;
}

int fv_instance_lang(const fv_instance *in)
{
	return in->lang;
}

const char *fv_instance_get(const fv_instance *in, int field)
{
	return in->values[field];
}

int fv_instance_relevant(const fv_instance *in, int field)
{
	return in->relevant[field];
}

int fv_instance_required(const fv_instance *in, int field)
{
	const fv_field *fd = &in->f->fields[field];
	int req = 0;
	char msg[256];
	if (!fd->required)
		return 0;
	fv_expr_env env = make_env((fv_instance *)in, -1);
	if (fv_expr_eval_bool(fd->required, &env, &req, msg, sizeof msg) != FV_OK)
		return 1;
	return req;
}

const char *fv_instance_field_error(fv_instance *in, int field)
{
	const fv_form *f = in->f;
	const fv_field *fd = &f->fields[field];
	const char *v = in->values[field];
	char msg[256];
	fv_expr_env env = make_env(in, field);

	if (!in->relevant[field] || fd->type == FV_Q_END_GROUP)
		return NULL;
	fv_buf_reset(&in->msg);
	if (in->eval_error[field]) {
		fv_buf_adds(&in->msg, in->eval_error[field]);
		return in->msg.s;
	}
	if (fd->required) {
		int req = 0;
		if (fv_expr_eval_bool(fd->required, &env, &req, msg, sizeof msg) != FV_OK) {
			fv_buf_addf(&in->msg, "required: %s", msg);
			return in->msg.s;
		}
		if (req && !*v) {
			const char *m = fv_text_get(f, &fd->required_msg, in->lang);
			fv_buf_adds(&in->msg, *m ? m : "this question is required");
			return in->msg.s;
		}
	}
	if (fd->constraint && *v) {
		int okc = 0;
		if (fv_expr_eval_bool(fd->constraint, &env, &okc, msg, sizeof msg) != FV_OK) {
			fv_buf_addf(&in->msg, "constraint: %s", msg);
			return in->msg.s;
		}
		if (!okc) {
			const char *m = fv_text_get(f, &fd->constraint_msg, in->lang);
			if (*m)
				fv_buf_adds(&in->msg, m);
			else
				fv_buf_addf(&in->msg, "answer not allowed (constraint: %s)",
					    fd->constraint_src);
			return in->msg.s;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Canonical values                                                    */

static int canonical_select(const fv_field *fd, const char *value, fv_buf *out, char *err,
			    size_t errlen)
{
	char *copy = fv_xstrdup(value), *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(copy, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (!fv_choice_find(fd->choices, tok)) {
			snprintf(err, errlen, "'%s' is not a choice of list '%s'", tok,
				 fd->choices->name);
			free(copy);
			return 0;
		}
		if (fd->type == FV_Q_SELECT_ONE && n > 0) {
			snprintf(err, errlen, "'%s': choose only one", value);
			free(copy);
			return 0;
		}
		/* drop repeated choices of a select_multiple */
		size_t tl = strlen(tok);
		int dup = 0;
		for (const char *p = out->s; (p = strstr(p, tok)) != NULL; p += tl)
			if ((p == out->s || p[-1] == ' ') && (p[tl] == ' ' || p[tl] == '\0'))
				dup = 1;
		if (dup)
			continue;
		if (n++ > 0)
			fv_buf_addc(out, ' ');
		fv_buf_adds(out, tok);
	}
	free(copy);
	return 1;
}

int fv_form_canonical(const fv_field *fd, const char *value, fv_buf *out, char *err,
		      size_t errlen)
{
	long l;
	double d;
	int32_t days, secs;

	if (*value == '\0')
		return 1;
	if (!fv_utf8_valid(value, strlen(value))) {
		snprintf(err, errlen, "the answer is not valid UTF-8");
		return 0;
	}
	switch (fd->type) {
	case FV_Q_INTEGER:
		if (!fv_parse_long(value, &l) || l > 2147483647L || l < -2147483647L - 1) {
			snprintf(err, errlen, "'%s' is not a whole number", value);
			return 0;
		}
		fv_buf_addf(out, "%ld", l);
		return 1;
	case FV_Q_DECIMAL:
		if (!fv_parse_double(value, &d)) {
			snprintf(err, errlen, "'%s' is not a number", value);
			return 0;
		}
		fv_number_format(d, out);
		return 1;
	case FV_Q_SELECT_ONE:
	case FV_Q_SELECT_MULTIPLE:
		return canonical_select(fd, value, out, err, errlen);
	case FV_Q_DATE:
		if (!fv_date_parse(value, &days)) {
			snprintf(err, errlen, "'%s' is not a date (YYYY-MM-DD)", value);
			return 0;
		}
		fv_buf_adds(out, value);
		return 1;
	case FV_Q_TIME:
		if (!fv_time_parse(value, &secs)) {
			snprintf(err, errlen, "'%s' is not a time (HH:MM or HH:MM:SS)", value);
			return 0;
		}
		fv_buf_addf(out, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
		return 1;
	case FV_Q_DATETIME: {
		char buf[40];
		if (!fv_datetime_parse(value, &d)) {
			snprintf(err, errlen, "'%s' is not a date and time (YYYY-MM-DDTHH:MM:SS)", value);
			return 0;
		}
		fv_datetime_format(d, buf);
		fv_buf_adds(out, buf);
		return 1;
	}
	case FV_Q_ACKNOWLEDGE:
		if (strcmp(value, "OK") && strcmp(value, "ok") && strcmp(value, "yes") &&
		    strcmp(value, "true")) {
			snprintf(err, errlen, "'%s': acknowledge with OK", value);
			return 0;
		}
		fv_buf_adds(out, "OK");
		return 1;
	default:
		fv_buf_adds(out, value);
		return 1;
	}
}
