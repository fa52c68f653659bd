/* fieldvisit store: checks of input fields shared by people and visits. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

int store_check_text(const char *what, const char *in, int required, size_t max, char **out,
		     fv_errors *err)
{
	char *v = fv_trim(fv_xstrdup(in ? in : ""));
	size_t n = strlen(v);
	int control = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		control |= (unsigned char)v[i] < 0x20 || v[i] == 0x7f;
	if (!*v && required)
		fv_errors_add(err, NULL, 0, "%s is required", what);
	else if (!fv_utf8_valid(v, n))
		fv_errors_add(err, NULL, 0, "%s is not valid UTF-8", what);
	else if (control)
		fv_errors_add(err, NULL, 0, "%s holds a control character", what);
	else if (fv_utf8_len(v) > max)
		fv_errors_add(err, NULL, 0, "%s is too long (at most %zu characters)", what, max);
	else {
		*out = v;
		return 1;
	}
	free(v);
	return 0;
}

int store_check_codes(const char *what, const char *in, const char *const *known,
		      size_t nknown, fv_buf *out, fv_errors *err)
{
	char *copy = fv_xstrdup(in ? in : ""), *save = NULL;
	int *seen = fv_xcalloc(nknown + 1, sizeof *seen), good = 1;

	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		size_t k = 0;
		while (k < nknown && strcmp(w, known[k]) != 0)
			k++;
		if (k < nknown) {
			seen[k] = 1;
			continue;
		}
		fv_buf list;
		fv_buf_init(&list);
		for (size_t j = 0; j < nknown; j++)
			fv_buf_addf(&list, "%s%s", j ? ", " : "", known[j]);
		fv_errors_add(err, NULL, 0, "unknown %s '%s' (%s)", what, w, list.s);
		fv_buf_release(&list);
		good = 0;
	}
	for (size_t k = 0; k < nknown; k++)
		if (seen[k])
			fv_buf_addf(out, "%s%s", out->len ? " " : "", known[k]);
	free(seen);
	free(copy);
	return good;
}

int store_check_date(const char *what, const char *in, int32_t *days, fv_errors *err)
{
	char shown[16];
	if (!in || !*in) {
		fv_errors_add(err, NULL, 0, "%s is required", what);
		return 0;
	}
	if (!fv_date_parse(in, days)) {
		/* echo the value only when it is short and printable */
		size_t n = in ? strlen(in) : 0;
		int printable = n > 0 && n <= 12;
		for (size_t i = 0; printable && i < n; i++)
			printable = in[i] > 0x20 && in[i] < 0x7f;
		if (printable)
			fv_errors_add(err, NULL, 0, "%s '%s' is not a date (YYYY-MM-DD)", what, in);
		else
			fv_errors_add(err, NULL, 0, "%s is not a date (YYYY-MM-DD)", what);
		return 0;
	}
	if (*days > store_sql_today()) {
		fv_date_format(*days, shown);
		fv_errors_add(err, NULL, 0, "%s %s is in the future", what, shown);
		return 0;
	}
	return 1;
}
