/*
 * fieldvisit visit list --due|--overdue, and the next visit proposed
 * after a submit: schedules on the command line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"

int fv_cli_load_rules(fv_store *s, fv_rules **out)
{
	fv_errors err;
	fv_status st;
	fv_errors_init(&err);
	*out = NULL;
	/* the tables the supervisor sent down, when the store holds them */
	if (s && (st = fv_store_rules(s, out, &err)) != FV_OK) {
		int rc = fv_cli_fail(st, &err);
		fv_errors_release(&err);
		return rc;
	}
	if (*out) {
		fv_errors_release(&err);
		return 0;
	}
	char *dir = fv_cli_assets_dir("rules");
	st = fv_rules_load_dir(dir, out, &err);
	free(dir);
	int rc = st == FV_OK ? 0 : fv_cli_fail(st, &err);
	fv_errors_release(&err);
	return rc;
}

/* The visits a schedule on day needs: those of the two calendar years
 * before day's and since (a yearly rule looks back one year; follow-ups
 * left open stay in view for two). */
static int32_t facts_since(int32_t day)
{
	int y, m, d;
	int32_t since;
	fv_date_to_ymd(day, &y, &m, &d);
	(void)fv_date_from_ymd(y - 2, 1, 1, &since);
	return since;
}

static json_t *date_json(int32_t d)
{
	char s[16];
	if (d == FV_SCHED_NO_DATE)
		return json_null();
	fv_date_format(d, s);
	return json_string(s);
}

json_t *fv_cli_sched_item_json(const fv_rules *r, const fv_sched_item *it)
{
	const fv_rules_festival *fs;
	(void)fv_rules_festivals(r, &fs);
	char *why = fv_sched_item_why(r, it);
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:i, s:i, s:s}", "type",
			      fv_sched_type_name(it->type), "state", fv_sched_state_name(it->state),
			      "from", date_json(it->from), "due", date_json(it->due), "needed",
			      it->needed, "done", it->done, "why", why);
	free(why);
	if (it->rule) {
		json_object_set_new(o, "category", json_string(it->rule->category));
		json_object_set_new(o, "rule_line", json_integer(it->rule->line));
	}
	if (it->type == FV_SCHED_MAKEUP)
		json_object_set_new(o, "makeup_of", date_json(it->short_of));
	if (it->festival >= 0)
		json_object_set_new(o, "festival", json_string(fs[it->festival].code));
	if (it->form_id)
		json_object_set_new(o, "form_id", json_string(it->form_id));
	if (it->alert_kind)
		json_object_set_new(o, "alert", json_string(it->alert_kind));
	if (it->source)
		json_object_set_new(o, "source", json_string(it->source));
	return o;
}

/* ---- visit list --due / --overdue ---------------------------------- */

typedef struct row {
	const fv_sched_item *it;
	size_t person;   /* index into the facts */
} row;

static int by_urgency(const void *a, const void *b)
{
	const row *x = a, *y = b;
	int ox = x->it->state == FV_SCHED_OVERDUE, oy = y->it->state == FV_SCHED_OVERDUE;
	if (ox != oy)
		return oy - ox;
	if (x->it->due != y->it->due)
		return (x->it->due > y->it->due) - (x->it->due < y->it->due);
	return (x->person > y->person) - (x->person < y->person);
}

static int wanted(const fv_sched_item *it, int overdue_only)
{
	return it->state == FV_SCHED_OVERDUE || (!overdue_only && it->state == FV_SCHED_DUE);
}

int fv_cli_visit_due(fv_store *s, const char *person, const char *date, int overdue_only,
		     int as_json)
{
	fv_schedule_facts facts;
	fv_rules *r = NULL;
	fv_errors err;
	fv_status st;
	int32_t day;
	int rc;

	if (date) {
		if (!fv_date_parse(date, &day)) {
			fv_cli_error("visit list: --date: '%s' is not a date (YYYY-MM-DD)", date);
			return 2;
		}
	} else {
		day = (int32_t)(fv_clock_now() / 86400.0);
		if (day * 86400.0 > fv_clock_now())
			day--;
	}
	if ((rc = fv_cli_load_rules(s, &r)) != 0)
		return rc;
	fv_errors_init(&err);
	if ((st = fv_store_schedule_facts(s, person, facts_since(day), &facts, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		fv_errors_release(&err);
		fv_rules_free(r);
		return rc;
	}
	if (person && facts.n == 0) {
		fv_cli_error("visit list: no person %s", person);
		fv_schedule_facts_release(&facts);
		fv_errors_release(&err);
		fv_rules_free(r);
		return 1;
	}

	fv_schedule *sched = fv_xcalloc(facts.n ? facts.n : 1, sizeof *sched);
	int missing_year = 0;
	json_t *arr = as_json ? json_array() : NULL;
	row *rows = NULL;
	size_t nrows = 0, cap = 0;
	for (size_t i = 0; i < facts.n; i++) {
		fv_schedule *sc = &sched[i];
		fv_schedule_person(r, &facts.people[i], day, sc);
		if (sc->missing_year && !missing_year)
			missing_year = sc->missing_year;
		json_t *items = as_json ? json_array() : NULL;
		for (size_t k = 0; k < sc->n; k++) {
			if (!wanted(&sc->items[k], overdue_only))
				continue;
			if (as_json) {
				json_array_append_new(items, fv_cli_sched_item_json(r, &sc->items[k]));
			} else {
				rows = fv_xgrow(rows, &cap, nrows + 1, sizeof *rows);
				rows[nrows++] = (row){&sc->items[k], i};
			}
		}
		if (!as_json)
			continue;
		if (json_array_size(items) == 0) {
			json_decref(items);
			continue;
		}
		json_t *shorts = json_array();
		for (size_t k = 0; k < sc->nshorts; k++) {
			const fv_sched_short *sh = &sc->shorts[k];
			json_array_append_new(shorts,
				json_pack("{s:s, s:o, s:o, s:i, s:s}", "visit", sh->visit, "date",
					  date_json(sh->date), "duration",
					  sh->duration >= 0 ? json_integer(sh->duration) : json_null(),
					  "min_minutes", sh->min_minutes, "category",
					  sh->rule->category));
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "person",
						     facts.people[i].id, "name", facts.names[i],
						     "village", facts.villages[i], "next_due",
						     date_json(sc->next_due), "items", items,
						     "short_visits", shorts));
	}
	if (missing_year)
		fv_cli_error("festivals.csv has no dates for %d: festival visits of that year are"
			     " not scheduled (add the year to the table)", missing_year);
	if (as_json) {
		fv_cli_print_json(arr);
	} else if (nrows) {
		enum { NCOLS = 6 };
		qsort(rows, nrows, sizeof *rows, by_urgency);
		const char **cells = fv_xcalloc((nrows + 1) * NCOLS, sizeof *cells);
		char (*dues)[16] = fv_xcalloc(nrows, sizeof *dues);
		char **whys = fv_xcalloc(nrows, sizeof *whys);
		const char *head[NCOLS] = {"DUE", "STATE", "PERSON", "NAME", "VILLAGE", "WHY"};
		memcpy(cells, head, sizeof head);
		for (size_t i = 0; i < nrows; i++) {
			fv_date_format(rows[i].it->due, dues[i]);
			whys[i] = fv_sched_item_why(r, rows[i].it);
			const char *line[NCOLS] = {
				dues[i], fv_sched_state_name(rows[i].it->state),
				facts.people[rows[i].person].id, facts.names[rows[i].person],
				facts.villages[rows[i].person], whys[i],
			};
			memcpy(cells + (i + 1) * NCOLS, line, sizeof line);
		}
		fv_cli_table(stdout, cells, nrows + 1, NCOLS);
		for (size_t i = 0; i < nrows; i++)
			free(whys[i]);
		free(whys);
		free(dues);
		free(cells);
	}
	free(rows);
	for (size_t i = 0; i < facts.n; i++)
		fv_schedule_release(&sched[i]);
	free(sched);
	fv_schedule_facts_release(&facts);
	fv_errors_release(&err);
	fv_rules_free(r);
	return 0;
}

/* ---- the next visit after a submit --------------------------------- */

json_t *fv_cli_propose(fv_store *s, const char *person, const char *visit_date)
{
	fv_schedule_facts facts;
	fv_rules *r = NULL;
	fv_errors err;
	int32_t day;
	json_t *out = NULL;

	if (!fv_date_parse(visit_date, &day))
		return NULL;
	fv_errors_init(&err);
	if (fv_store_rules(s, &r, &err) == FV_OK && !r) {
		char *dir = fv_cli_assets_dir("rules");
		if (fv_rules_load_dir(dir, &r, &err) != FV_OK)
			r = NULL;
		free(dir);
	}
	if (!r) {
		fv_cli_error("no next visit proposed: the rule tables cannot be read");
		fv_cli_errors(&err);
	} else if (fv_store_schedule_facts(s, person, facts_since(day), &facts, &err) != FV_OK) {
		fv_cli_errors(&err);
	} else {
		if (facts.n == 1) {
			fv_sched_item why;
			int32_t next = fv_schedule_propose(r, &facts.people[0], day, &why);
			if (next != FV_SCHED_NO_DATE) {
				out = json_pack("{s:o, s:o}", "date", date_json(next), "for",
						fv_cli_sched_item_json(r, &why));
			}
		}
		fv_schedule_facts_release(&facts);
	}
	fv_rules_free(r);
	fv_errors_release(&err);
	return out;
}
