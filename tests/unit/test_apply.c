/*
 * fv_instance_apply (TAP): a whole answer set, settled as far as each
 * decision needs and once at the end, gives the same instance as giving
 * the answers question by question, in form order, each settled at once
 * (fv_instance_set, the way fv_instance_apply worked before, written here
 * with the public calls).
 *
 * Both ways run on the same answer sets and the instances are compared
 * field by field: value, relevance, whether it is required, its error
 * (fv_instance_field_error: relevance and calculation errors, required,
 * constraints), the problems reported for the answers (in order) and
 * fv_instance_report.  Then a second answer set is applied to each
 * instance (as on an instance holding answers) and compared again.
 *
 * Answer sets are random (seeded): valid and invalid values for each
 * question's type, answers to notes and calculates, unknown names, a
 * question answered twice, empty answers.  Forms: every shipped form
 * (forms/ *.csv), the forms of the fuzz corpus that load (every kind of
 * question, nested groups, choice filters, defaults) and of the answers
 * corpus, bench_make_form's chained form, forms written to reach the
 * cases where settling once could differ (a relevance reading a later
 * question, defaults, choice filters reading later calculates) and random
 * forms whose relevance and calculations read any question, before or
 * after them.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/bench.h"
#include "fieldvisit/forms.h"
#include "tap.h"

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (unsigned)(rng_state % n) : 0;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((unsigned)n)];
}
#define PICK(a) pick(a, sizeof a / sizeof a[0])

/* The way fv_instance_apply settled before: every answer at once. */
static void apply_one_by_one(fv_instance *in, const fv_form *f, const fv_answers *a,
			     fv_answers *problems)
{
	int *field = calloc(a->n + 1, sizeof *field);
	char msg[512];
	for (size_t i = 0; i < a->n; i++) {
		field[i] = fv_form_field_index(f, a->items[i].name);
		if (field[i] < 0)
			fv_answers_add(problems, a->items[i].name, "no such question in the form");
	}
	for (size_t fi = 0; fi < f->nfields; fi++)
		for (size_t i = 0; i < a->n; i++) {
			if (field[i] != (int)fi || !fv_instance_relevant(in, (int)fi))
				continue;
			if (fv_instance_set(in, (int)fi, a->items[i].value, msg, sizeof msg) != FV_OK)
				fv_answers_add(problems, a->items[i].name, msg);
		}
	free(field);
}

static int same_answers(const fv_answers *x, const fv_answers *y, const char *what, char *why,
			size_t len)
{
	if (x->n != y->n) {
		snprintf(why, len, "%s: %zu against %zu", what, x->n, y->n);
		return 0;
	}
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->items[i].name, y->items[i].name) ||
		    strcmp(x->items[i].value, y->items[i].value)) {
			snprintf(why, len, "%s %zu: %s=%s against %s=%s", what, i, x->items[i].name,
				 x->items[i].value, y->items[i].name, y->items[i].value);
			return 0;
		}
	return 1;
}

/* Field by field; a difference is described in why. */
static int same_instance(const fv_form *f, fv_instance *x, fv_instance *y, char *why,
			 size_t len)
{
	for (size_t i = 0; i < f->nfields; i++) {
		const char *name = f->fields[i].name ? f->fields[i].name : "(end)";
		if (strcmp(fv_instance_get(x, (int)i), fv_instance_get(y, (int)i))) {
			snprintf(why, len, "%s: value '%s' against '%s'", name,
				 fv_instance_get(x, (int)i), fv_instance_get(y, (int)i));
			return 0;
		}
		if (fv_instance_relevant(x, (int)i) != fv_instance_relevant(y, (int)i)) {
			snprintf(why, len, "%s: relevance %d against %d", name,
				 fv_instance_relevant(x, (int)i), fv_instance_relevant(y, (int)i));
			return 0;
		}
		if (fv_instance_required(x, (int)i) != fv_instance_required(y, (int)i)) {
			snprintf(why, len, "%s: required differs", name);
			return 0;
		}
		const char *ex = fv_instance_field_error(x, (int)i);
		char *exc = ex ? strdup(ex) : NULL;
		const char *ey = fv_instance_field_error(y, (int)i);
		int same = (!exc && !ey) || (exc && ey && strcmp(exc, ey) == 0);
		if (!same)
			snprintf(why, len, "%s: error '%s' against '%s'", name, exc ? exc : "(none)",
				 ey ? ey : "(none)");
		free(exc);
		if (!same)
			return 0;
	}
	return 1;
}

/* A value for field fd: mostly one of its type, sometimes one that does
 * not fit, sometimes empty. */
static void random_value(const fv_field *fd, fv_buf *out)
{
	static const char *const any[] = {"", "1", "abc", "a", "2025-01-01", "OK", "-3", "b c"};
	static const char *const ints[] = {"0", "1", "2", "3", "4", "5", "7", "12", "99", "-1",
					   "007", "2.5", "abc", "", "99999999999"};
	static const char *const decs[] = {"0.5", "1", "3", "-2.25", "1e3", "x", "", "4.0"};
	static const char *const dates[] = {"2025-01-01", "2026-02-30", "2024-12-31", "2020-06-15",
					    "yesterday", ""};
	static const char *const times[] = {"10:30", "08:00:05", "25:00", "9", ""};
	static const char *const dts[] = {"2025-01-01T10:00:00", "2025-03-04T23:59", "x", ""};
	static const char *const acks[] = {"OK", "ok", "yes", "no", ""};
	static const char *const texts[] = {"hi", "a", "b", "c", "", "yes", "x y", "3"};

	fv_buf_reset(out);
	if (rnd(12) == 0) {
		fv_buf_adds(out, PICK(any));
		return;
	}
	switch (fd->type) {
	case FV_Q_INTEGER:
		fv_buf_adds(out, rnd(3) ? PICK(ints) : "");
		if (rnd(3) == 0) {
			fv_buf_reset(out);
			fv_buf_addf(out, "%u", rnd(40));
		}
		return;
	case FV_Q_DECIMAL:
		fv_buf_adds(out, PICK(decs));
		return;
	case FV_Q_DATE:
		fv_buf_adds(out, PICK(dates));
		return;
	case FV_Q_TIME:
		fv_buf_adds(out, PICK(times));
		return;
	case FV_Q_DATETIME:
		fv_buf_adds(out, PICK(dts));
		return;
	case FV_Q_ACKNOWLEDGE:
		fv_buf_adds(out, PICK(acks));
		return;
	case FV_Q_SELECT_ONE:
	case FV_Q_SELECT_MULTIPLE: {
		unsigned k = rnd(8) == 0 ? 0 : rnd(8) == 0 ? 2 + rnd(2) : 1;
		for (unsigned j = 0; j < k && fd->choices && fd->choices->n; j++) {
			if (j)
				fv_buf_addc(out, ' ');
			fv_buf_adds(out, fd->choices->choices[rnd((unsigned)fd->choices->n)].name);
		}
		if (rnd(15) == 0)
			fv_buf_adds(out, " not_a_choice");
		return;
	}
	default:
		fv_buf_adds(out, PICK(texts));
		return;
	}
}

static void random_answers(const fv_form *f, fv_answers *a)
{
	unsigned density = 1 + rnd(4);   /* of 4 */
	fv_buf v;
	fv_buf_init(&v);
	for (size_t i = 0; i < f->nfields; i++) {
		const fv_field *fd = &f->fields[i];
		if (fd->type == FV_Q_END_GROUP || rnd(4) >= density)
			continue;
		if ((fd->type == FV_Q_NOTE || fd->type == FV_Q_CALCULATE ||
		     fd->type == FV_Q_BEGIN_GROUP) && rnd(4))
			continue;
		for (int twice = rnd(12) == 0 ? 2 : 1; twice > 0; twice--) {
			random_value(fd, &v);
			fv_answers_add(a, fd->name, v.s);
		}
	}
	if (rnd(10) == 0)
		fv_answers_add(a, "no_such_question", "1");
	/* in any order: the form's order is what counts, and the order given
	 * for one question answered twice */
	for (size_t i = a->n; i > 1; i--) {
		size_t j = rnd((unsigned)i);
		fv_answer t = a->items[i - 1];
		a->items[i - 1] = a->items[j];
		a->items[j] = t;
	}
	fv_buf_release(&v);
}

/* Apply rounds of random answer sets both ways; returns the number of
 * differing outcomes (the first described in why). */
static int compare_form(const fv_form *f, int sets, char *why, size_t len)
{
	int bad = 0;
	for (int s = 0; s < sets; s++) {
		fv_instance *x = fv_instance_new(f, f->default_lang);
		fv_instance *y = fv_instance_new(f, f->default_lang);
		for (int round = 0; round < 2; round++) {
			fv_answers a = {0}, px = {0}, py = {0}, rx = {0}, ry = {0};
			char w[400];
			random_answers(f, &a);
			size_t kx = fv_instance_apply(x, &a, &px);
			apply_one_by_one(y, f, &a, &py);
			fv_instance_report(x, &px, &rx);
			fv_instance_report(y, &py, &ry);
			int same = kx == px.n && same_answers(&px, &py, "problem", w, sizeof w) &&
				   same_instance(f, x, y, w, sizeof w) &&
				   same_answers(&rx, &ry, "report", w, sizeof w);
			if (kx != px.n)
				snprintf(w, sizeof w, "apply returned %zu for %zu problems", kx, px.n);
			if (!same && bad++ == 0) {
				fv_buf b;
				fv_buf_init(&b);
				for (size_t i = 0; i < a.n; i++)
					fv_buf_addf(&b, " %s=%s", a.items[i].name, a.items[i].value);
				snprintf(why, len, "set %d round %d: %s; answers:%s", s, round, w, b.s);
				fv_buf_release(&b);
			}
			fv_answers_release(&a);
			fv_answers_release(&px);
			fv_answers_release(&py);
			fv_answers_release(&rx);
			fv_answers_release(&ry);
		}
		fv_instance_free(x);
		fv_instance_free(y);
	}
	return bad;
}

static int check_form(const char *name, const fv_form *f, int sets)
{
	char why[2048] = "";
	int bad = compare_form(f, sets, why, sizeof why);
	ok(bad == 0, "%s: %d answer sets (twice on the same instance), both ways the same", name,
	   sets);
	if (bad)
		printf("# %d differ; first: %s\n", bad, why);
	return bad == 0;
}

/* fv_form_field_index (a hash of the names) finds every field but the
 * end of a group, and nothing else. */
static void check_names(const char *name, const fv_form *f)
{
	int bad = 0;
	for (size_t i = 0; i < f->nfields; i++) {
		int want = f->fields[i].type == FV_Q_END_GROUP ? -1 : (int)i;
		if (want >= 0 && fv_form_field_index(f, f->fields[i].name) != want)
			bad++;
	}
	static const char *const none[] = {"", "no_such_question", "Q1", "q1 ", "score_"};
	for (size_t k = 0; k < sizeof none / sizeof none[0]; k++)
		if (fv_form_field_index(f, none[k]) >= 0 &&
		    strcmp(f->fields[fv_form_field_index(f, none[k])].name, none[k]) != 0)
			bad++;
	ok(bad == 0, "%s: every field found by its name", name);
}

static fv_form *load_buf(const char *name, const char *csv, size_t len)
{
	fv_errors err;
	fv_form *f = NULL;
	fv_errors_init(&err);
	if (fv_form_load_buffer(name, csv, len, &f, &err) != FV_OK) {
		if (getenv("FV_TEST_VERBOSE"))
			for (size_t i = 0; i < err.n; i++)
				printf("# %s\n", err.lines[i]);
		f = NULL;
	}
	fv_errors_release(&err);
	return f;
}

/* Every form file of a folder that loads; returns how many. */
static int dir_forms(const char *dir, int sets)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d) {
		ok(0, "open %s", dir);
		return 0;
	}
	char **names = NULL;
	size_t nn = 0, cap = 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".csv") == 0) {
			names = fv_xgrow(names, &cap, nn + 1, sizeof *names);
			names[nn++] = fv_xstrdup(e->d_name);
		}
	}
	closedir(d);
	for (size_t i = 0; i < nn; i++) {
		char *path = fv_xasprintf("%s/%s", dir, names[i]);
		fv_errors err;
		fv_form *f = NULL;
		fv_errors_init(&err);
		if (fv_form_load_file(path, &f, &err) == FV_OK) {
			check_form(path, f, sets);
			check_names(path, f);
			n++;
		}
		fv_form_free(f);
		fv_errors_release(&err);
		free(path);
		free(names[i]);
	}
	free(names);
	return n;
}

/* Forms where settling once could go wrong if done naively. */
static const char *const hazard_forms[] = {
	/* relevance of an earlier question reading a later one: answered x is
	 * cleared by a = 'n' while b is still empty */
	"survey,type,name,label,relevant\n"
	",text,x,X,${a} = ${b}\n"
	",select_one yn,a,A,\n"
	",select_one yn,b,B,\n"
	"choices,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n"
	"settings,form_id,version\n,hz1,1\n",
	/* a default whose relevance goes away and comes back */
	"survey,type,name,label,relevant,default\n"
	",select_one yn,a,A,,\n"
	",select_one yn,b,B,,\n"
	",integer,x,X,${a} = ${b},5\n"
	",text,t,T,${x} != '',hello\n"
	"choices,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n"
	"settings,form_id,version\n,hz2,1\n",
	/* through a calculate and a group, and a question after them */
	"survey,type,name,label,relevant,calculation,default\n"
	",begin_group,g,G,${c} < 3,,\n"
	",integer,x,X,,,\n"
	",text,y,Y,${x} > 1,,z\n"
	",end_group,,,,,\n"
	",integer,a,A,,,\n"
	",integer,b,B,,,\n"
	",calculate,c,,,\"coalesce(${a}, 0) + coalesce(${b}, 0)\",\n"
	",integer,d,D,${c} = 2,,\n"
	"settings,form_id,version\n,hz3,1\n",
	/* a choice filter reading a calculate after the question */
	"survey,type,name,label,relevant,calculation,choice_filter\n"
	",select_one l,s,S,,,k = ${c}\n"
	",select_one l,m,M,,,k != ${c}\n"
	",integer,a,A,,,\n"
	",calculate,c,,,\"if(${a} > 2, 'x', 'y')\",\n"
	",select_one l,t,T,${s} != '',,k = ${c}\n"
	"choices,list_name,name,label,k\n,l,p,P,x\n,l,q,Q,y\n,l,r,R,x\n"
	"settings,form_id,version\n,hz4,1\n",
	/* read-only with a default, notes, a relevance error */
	"survey,type,name,label,relevant,calculation,default,read_only,required,constraint\n"
	",integer,ro,RO,${a} != 1,,4,yes,,\n"
	",integer,a,A,,,,,yes,. < 5\n"
	",note,n,Note,${a} > 2,,,,,\n"
	",decimal,q,Q,1 div ${a} > 0.3,,,,,\n"
	",integer,b,B,${ro} = 4,,,,${a} = 2,\n"
	",calculate,c,,${b} != '',${a} * ${b},,,,\n"
	"settings,form_id,version\n,hz5,1\n",
};

/* Expression template t with ${@1} and ${@2} naming fields x and y. */
static void add_expr(fv_buf *csv, const char *t, const char *x, const char *y)
{
	for (; *t; t++) {
		if (t[0] == '@' && (t[1] == '1' || t[1] == '2')) {
			fv_buf_adds(csv, t[1] == '1' ? x : y);
			t++;
		} else {
			fv_buf_addc(csv, *t);
		}
	}
}

/* A random field ranking before field i (there is one). */
static int before(const int *rank, int n, int i)
{
	for (;;) {
		int x = (int)rnd((unsigned)n);
		if (rank[x] < rank[i])
			return x;
	}
}

/* A random form of questions, calculates, notes and groups whose
 * relevance and calculations read questions before and after them. */
static void random_form(fv_buf *csv, int id)
{
	static const char *const types[] = {"integer", "integer", "select_one l",
					    "select_multiple l", "text", "decimal", "date",
					    "calculate", "calculate", "note", "acknowledge"};
	static const char *const rels[] = {"${@1} = 'a'", "${@1} != ''", "${@1} > 2",
					   "${@1} = ${@2}", "not(${@1} = 'b')",
					   "selected(${@1}, 'c')", "${@1} = '' or ${@2} = 'a'",
					   "string-length(${@1}) < 2", "${@1} < ${@2}"};
	static const char *const calcs[] = {"coalesce(${@1}, 0) + 1", "if(${@1} = 'a', 'a', 'b')",
					    "concat(${@1}, ${@2})", "${@1}", "count-selected(${@1})",
					    "coalesce(${@1}, ${@2})"};
	int n = 3 + (int)rnd(18), depth = 0, groups = 0;
	const char *type[24];
	char name[24][8];

	int rank[24];
	for (int i = 0; i < n; i++) {
		type[i] = PICK(types);
		snprintf(name[i], sizeof name[i], "f%d", i);
		rank[i] = i;
	}
	/* what a field reads ranks before it (most random forms load) */
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1), t = rank[i];
		rank[i] = rank[j];
		rank[j] = t;
	}
	fv_buf_adds(csv, "survey,type,name,label,required,constraint,relevant,calculation,"
			 "default,read_only,choice_filter\n");
	for (int i = 0; i < n; i++) {
		if (rnd(6) == 0 && depth < 2) {
			fv_buf_addf(csv, ",begin_group,g%d,G,,,", groups++);
			if (rnd(2)) {
				fv_buf_adds(csv, "\"");
				add_expr(csv, PICK(rels), name[rnd((unsigned)n)], name[rnd((unsigned)n)]);
				fv_buf_adds(csv, "\"");
			}
			fv_buf_adds(csv, ",,,,\n");
			depth++;
		}
		int calc = strcmp(type[i], "calculate") == 0;
		int sel = strncmp(type[i], "select", 6) == 0;
		fv_buf_addf(csv, ",%s,%s,L,%s,%s,", type[i], name[i],
			    !calc && strcmp(type[i], "note") && rnd(5) == 0 ? "yes" : "",
			    strcmp(type[i], "integer") == 0 && rnd(3) == 0 ? ". < 4" : "");
		if (rnd(2) && rank[i] > 0) {
			int x = before(rank, n, i), y = before(rank, n, i);
			fv_buf_adds(csv, "\"");
			add_expr(csv, PICK(rels), name[x], name[y]);
			fv_buf_adds(csv, "\"");
		}
		fv_buf_adds(csv, ",");
		if (calc && rank[i] > 0) {
			int x = before(rank, n, i), y = before(rank, n, i);
			fv_buf_adds(csv, "\"");
			add_expr(csv, PICK(calcs), name[x], name[y]);
			fv_buf_adds(csv, "\"");
		} else if (calc) {
			fv_buf_adds(csv, "\"concat('a', 'b')\"");
		}
		fv_buf_adds(csv, ",");
		if (rnd(5) == 0) {
			if (strcmp(type[i], "integer") == 0)
				fv_buf_adds(csv, "2");
			else if (strcmp(type[i], "select_one l") == 0)
				fv_buf_adds(csv, "a");
			else if (strcmp(type[i], "text") == 0)
				fv_buf_adds(csv, "hi");
		}
		fv_buf_addf(csv, ",%s,", !calc && rnd(15) == 0 ? "yes" : "");
		if (sel && rnd(3) == 0)
			fv_buf_addf(csv, "k != ${%s}", name[(i + 1 + (int)rnd((unsigned)n - 1)) % n]);
		fv_buf_adds(csv, "\n");
		if (depth > 0 && rnd(4) == 0) {
			fv_buf_adds(csv, ",end_group,,,,,,,,,\n");
			depth--;
		}
	}
	while (depth-- > 0)
		fv_buf_adds(csv, ",end_group,,,,,,,,,\n");
	fv_buf_addf(csv, "choices,list_name,name,label,k\n,l,a,A,x\n,l,b,B,y\n,l,c,C,a\n"
			 "settings,form_id,version\n,random%d,1\n", id);
}

int main(void)
{
	char *dir;
	int n;

	fv_clock_set(1767225600.0);   /* 2026-01-01T00:00:00: reproducible today() */

	dir = fv_xasprintf("%s/forms", srcdir());
	n = dir_forms(dir, 300);
	ok(n >= 13, "every shipped form compared (%d)", n);
	free(dir);

	/* the forms of the fuzz corpus that load */
	dir = fv_xasprintf("%s/tests/fuzz/corpus/csv", srcdir());
	n = dir_forms(dir, 100);
	ok(n >= 10, "the fuzz corpus' forms that load compared (%d)", n);
	free(dir);

	/* the answers corpus' form (the other corpus forms are load errors) */
	dir = fv_xasprintf("%s/tests/corpus/answers", srcdir());
	n = dir_forms(dir, 100);
	ok(n == 1, "the answers corpus' form compared");
	free(dir);

	for (size_t i = 0; i < sizeof hazard_forms / sizeof hazard_forms[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "hazard form %zu", i + 1);
		fv_form *f = load_buf(name, hazard_forms[i], strlen(hazard_forms[i]));
		if (ok(f != NULL, "%s loads", name))
			check_form(name, f, 400);
		fv_form_free(f);
	}

	/* bench_make_form's chain: every answer recomputes the rest */
	{
		fv_buf csv;
		fv_buf_init(&csv);
		bench_make_form(&csv, 70, 7, "settings,form_id,version\n,chain,1\n");
		fv_form *f = load_buf("chain", csv.s, csv.len);
		if (ok(f != NULL, "bench_make_form's form loads"))
			check_form("bench_make_form (70 questions)", f, 100);
		fv_form_free(f);
		fv_buf_release(&csv);
	}

	/* random forms: those that load (a random one may have a cycle) */
	int loaded = 0, same = 0;
	for (int id = 0; id < 4000 && loaded < 400; id++) {
		fv_buf csv;
		char why[2048] = "";
		fv_buf_init(&csv);
		random_form(&csv, id);
		fv_form *f = load_buf("random", csv.s, csv.len);
		if (f) {
			loaded++;
			if (compare_form(f, 30, why, sizeof why) == 0)
				same++;
			else if (loaded - same == 1)
				printf("# random form %d differs: %s\n# form:\n%s", id, why, csv.s);
		}
		fv_form_free(f);
		fv_buf_release(&csv);
	}
	ok(loaded >= 400, "%d random forms loaded", loaded);
	is_num(same, loaded, "random forms: 30 answer sets each (twice), both ways the same");
	return done_testing();
}
