/*
 * fieldvisit form check FILE...
 * fieldvisit form fill FORM [--answers FILE|-] [--lang CODE]
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/forms.h"

static void form_usage(FILE *fp)
{
	fputs("Usage: fieldvisit form check FILE...\n"
	      "       fieldvisit form fill FORM [--answers FILE|-] [--lang CODE]\n"
	      "\n"
	      "check  validate XLSForm CSV files; prints nothing and exits 0 when all\n"
	      "       are valid, else one line per error and exits 1.\n"
	      "fill   run FORM with answers given as a JSON object {\"name\": value}\n"
	      "       and print the result as one JSON object: values, score, band,\n"
	      "       alerts and errors.  Exits 0 when valid, 1 when not.\n"
	      "\n"
	      "  --answers FILE  the answers (- for standard input; none: no answers)\n"
	      "  --lang CODE     language of messages (a code of the form, e.g. zh, en)\n"
	      "  -h, --help      show this help\n",
	      fp);
}

static int form_check(int argc, char **argv)
{
	int rc = 0;
	if (argc < 1) {
		fv_cli_error("form check: give at least one form file");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		fv_errors err;
		fv_form *f;
		fv_errors_init(&err);
		fv_status st = fv_form_load_file(argv[i], &f, &err);
		if (st != FV_OK) {
			fv_cli_errors(&err);
			if (fv_status_exit(st) > rc)
				rc = fv_status_exit(st);
		}
		fv_form_free(f);
		fv_errors_release(&err);
	}
	return rc;
}

static json_t *nullable(const fv_instance *in, int field)
{
	if (field < 0 || !*fv_instance_get(in, field))
		return json_null();
	return json_string(fv_instance_get(in, field));
}

static json_t *error_obj(const char *name, const char *message)
{
	return json_pack("{s:s, s:s}", "name", name, "message", message);
}

/* Build the result object of `form fill`. */
static json_t *fill_result(const fv_form *f, fv_instance *in, const fv_answers *refused,
			   int *valid)
{
	json_t *values = json_object(), *alerts = json_array(), *errors = json_array();
	fv_answers problems = {0};

	fv_instance_report(in, refused, &problems);
	for (size_t i = 0; i < problems.n; i++)
		json_array_append_new(errors, error_obj(problems.items[i].name,
							problems.items[i].value));
	fv_answers_release(&problems);
	for (size_t i = 0; i < f->nfields; i++) {
		const fv_field *fd = &f->fields[i];
		if (!fv_instance_has_value(in, (int)i))
			continue;
		json_object_set_new(values, fd->name, json_string(fv_instance_get(in, (int)i)));
		if (fv_instance_alert_raised(in, (int)i))
			json_array_append_new(alerts, json_pack("{s:s, s:s}", "name", fd->name + 6,
				"message", fv_text_get(f, &fd->label, fv_instance_lang(in))));
	}
	*valid = json_array_size(errors) == 0;
	return json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "form_id", f->id,
			 "version", f->version, "valid", *valid, "values", values,
			 "score", nullable(in, f->score), "band", nullable(in, f->band),
			 "alerts", alerts, "errors", errors);
}

static int form_fill(int argc, char **argv)
{
	static const struct option opts[] = {
		{"answers", required_argument, NULL, 'a'},
		{"lang", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *answers_path = NULL, *lang_code = NULL;
	int c, rc = 1, valid = 0;
	fv_errors err;
	fv_form *f = NULL;
	fv_answers ans = {0};
	fv_instance *in = NULL;
	char *data = NULL;
	size_t len = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': answers_path = optarg; break;
		case 'l': lang_code = optarg; break;
		case 'h': form_usage(stdout); return 0;
		default: form_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fv_cli_error("form fill: give exactly one form (see 'fieldvisit form --help')");
		return 2;
	}
	fv_errors_init(&err);
	fv_status st = fv_form_load_file(argv[optind], &f, &err);
	if (st != FV_OK) {
		fv_cli_errors(&err);
		rc = fv_status_exit(st);
		goto out;
	}
	int lang = f->default_lang;
	if (lang_code && (lang = fv_form_lang(f, lang_code)) < 0) {
		fv_buf codes;
		fv_buf_init(&codes);
		for (int i = 0; i < f->nlangs; i++)
			fv_buf_addf(&codes, "%s%s", i ? ", " : "", f->lang_code[i]);
		fv_cli_error("form fill: unknown language '%s' (the form has %s)", lang_code, codes.s);
		fv_buf_release(&codes);
		rc = 2;
		goto out;
	}
	if (answers_path) {
		int from_stdin = strcmp(answers_path, "-") == 0;
		st = from_stdin ? fv_read_stream(stdin, "<stdin>", &data, &len, &err)
				: fv_read_file(answers_path, &data, &len, &err);
		if (st == FV_OK)
			st = fv_answers_parse(from_stdin ? "<stdin>" : answers_path, data, len,
					      &ans, &err);
		if (st != FV_OK) {
			fv_cli_errors(&err);
			rc = fv_status_exit(st);
			goto out;
		}
	}

	in = fv_instance_new(f, lang);
	fv_answers refused = {0};
	fv_instance_apply(in, &ans, &refused);
	json_t *result = fill_result(f, in, &refused, &valid);
	fv_answers_release(&refused);
	char *text = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	puts(text);
	free(text);
	json_decref(result);
	rc = valid ? 0 : 1;
out:
	fv_instance_free(in);
	fv_answers_release(&ans);
	fv_form_free(f);
	free(data);
	fv_errors_release(&err);
	return rc;
}

int fv_cmd_form(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		form_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			form_usage(stdout);
			return 0;
		}
		return form_check(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "fill") == 0)
		return form_fill(argc - 1, argv + 1);
	fv_cli_error("form: unknown subcommand '%s' (check or fill)", argv[1]);
	return 2;
}
