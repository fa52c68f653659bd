/*
 * Scoring vectors: tests/forms/FORM.json holds cases worked by hand from the
 * published scoring rules (see the "comment" of each case); this test runs
 * each through forms/FORM.csv and compares validity, score, band, alerts and
 * the names of the fields in error.
 *
 * A valid case may leave out "score" or "band" (not compared); null means
 * the form has no such field.  "values", when given, maps field names to
 * their expected stored values ("" for a field not relevant).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

/* "a b c" of the names of raised alerts / fields in error, in form order. */
static void list_alerts(const fv_form *f, const fv_instance *in, fv_buf *out)
{
	for (size_t i = 0; i < f->nfields; i++)
		if (fv_instance_alert_raised(in, (int)i))
			fv_buf_addf(out, "%s%s", out->len ? " " : "", f->fields[i].name + 6);
}

static void join_json(json_t *arr, fv_buf *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		fv_buf_addf(out, "%s%s", out->len ? " " : "", json_string_value(v));
}

static void run_case(const char *form, const fv_form *f, json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	char *answers_text = json_dumps(json_object_get(c, "answers"), 0);
	fv_answers ans = {0}, refused = {0}, problems = {0};
	fv_errors err;
	fv_buf got, want;

	fv_errors_init(&err);
	fv_buf_init(&got);
	fv_buf_init(&want);
	if (fv_answers_parse("vector", answers_text, strlen(answers_text), &ans, &err) != FV_OK) {
		ok(0, "%s: %s: answers parse", form, name);
		goto out;
	}
	fv_instance *in = fv_instance_new(f, -1);
	fv_instance_apply(in, &ans, &refused);
	fv_instance_report(in, &refused, &problems);
	for (size_t i = 0; i < problems.n; i++)
		fv_buf_addf(&got, "%s%s", got.len ? " " : "", problems.items[i].name);
	int valid = got.len == 0;
	int want_valid = json_is_true(json_object_get(c, "valid"));
	ok(valid == want_valid, "%s: %s: valid is %s", form, name, want_valid ? "true" : "false");
	if (!want_valid) {
		join_json(json_object_get(c, "errors"), &want);
		is_str(got.s, want.s, "%s: %s: fields in error", form, name);
	} else {
		json_t *s = json_object_get(c, "score"), *b = json_object_get(c, "band");
		if (s)
			is_str(f->score >= 0 ? fv_instance_get(in, f->score) : NULL,
			       json_string_value(s), "%s: %s: score", form, name);
		if (b)
			is_str(f->band >= 0 ? fv_instance_get(in, f->band) : NULL,
			       json_string_value(b), "%s: %s: band", form, name);
	}
	json_t *values = json_object_get(c, "values"), *v;
	const char *key;
	json_object_foreach(values, key, v) {
		int i = fv_form_field_index(f, key);
		is_str(i >= 0 ? fv_instance_get(in, i) : NULL, json_string_value(v),
		       "%s: %s: value of %s", form, name, key);
	}
	fv_buf_reset(&got);
	fv_buf_reset(&want);
	list_alerts(f, in, &got);
	json_t *alerts = json_object_get(c, "alerts");
	if (alerts) {
		join_json(alerts, &want);
		is_str(got.s, want.s, "%s: %s: alerts", form, name);
	}
	fv_instance_free(in);
out:
	fv_answers_release(&ans);
	fv_answers_release(&refused);
	fv_answers_release(&problems);
	fv_errors_release(&err);
	fv_buf_release(&got);
	fv_buf_release(&want);
	free(answers_text);
}

static void run_file(const char *vectors, const char *form)
{
	json_error_t je;
	fv_errors err;
	fv_form *f;
	char *formpath = fv_xasprintf("%s/forms/%s.csv", srcdir(), form);
	json_t *cases = json_load_file(vectors, 0, &je);

	fv_errors_init(&err);
	if (!ok(cases && json_is_array(cases), "%s: vectors parse (%s)", form, cases ? "" : je.text))
		goto out;
	if (!ok(fv_form_load_file(formpath, &f, &err) == FV_OK, "%s: form loads", form))
		goto out;
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
		run_case(form, f, c);
	diag("%s: %zu vectors", form, json_array_size(cases));
	fv_form_free(f);
out:
	json_decref(cases);
	fv_errors_release(&err);
	free(formpath);
}

int main(void)
{
	char *dir = fv_xasprintf("%s/tests/forms", srcdir());
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char *form = fv_xstrndup(e->d_name, n - 5);
		char *path = fv_xasprintf("%s/%s", dir, e->d_name);
		run_file(path, form);
		files++;
		free(form);
		free(path);
	}
	if (d)
		closedir(d);
	ok(files >= 2, "found %d vector files", files);
	free(dir);
	return done_testing();
}
