/*
 * fieldvisit screens: registering a person.  The register_person form in
 * the runner (its constraints check the resident ID, the birth date and
 * the sex against each other as the worker types), then its answers as an
 * fv_person_input to fv_person_add, which checks everything again; every
 * problem it reports comes back to the runner's summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

#define REGISTER_FORM "register_person"

void ui_register_start(ui *u)
{
	ui_runner_start(u, REGISTER_FORM, NULL, NULL, NULL);
}

static const char *value(fv_runner *r, const char *name)
{
	int i = fv_form_field_index(fv_runner_form(r), name);
	return i < 0 ? "" : fv_instance_get(fv_runner_instance(r), i);
}

int ui_register_submit(ui *u, fv_runner *r, fv_answers *problems)
{
	fv_person_input in;
	fv_errors err;
	char id[FV_ID_BYTES];
	fv_buf categories;
	int added;

	/* the care level is one of the person's categories */
	fv_buf_init(&categories);
	fv_buf_adds(&categories, value(r, "categories"));
	if (*value(r, "care_level"))
		fv_buf_addf(&categories, "%s%s", categories.len ? " " : "", value(r, "care_level"));
	memset(&in, 0, sizeof in);
	in.name = value(r, "name");
	in.sex = value(r, "sex");
	in.birth = value(r, "birth");
	in.resident_id = value(r, "resident_id");
	in.phone = value(r, "phone");
	in.village = value(r, "village");
	in.household = value(r, "household");
	in.categories = categories.s;
	in.contact_name[0] = value(r, "contact1_name");
	in.contact_phone[0] = value(r, "contact1_phone");
	in.contact_name[1] = value(r, "contact2_name");
	in.contact_phone[1] = value(r, "contact2_phone");
	in.address = value(r, "address");
	fv_errors_init(&err);
	added = fv_person_add(u->store, &in, id, &err) == FV_OK;
	if (added)
		ui_say(u, 0, UI_S_REG_DONE, in.name, NULL);
	else
		for (size_t i = 0; i < err.n; i++)
			fv_answers_add(problems, "", err.lines[i]);
	fv_errors_release(&err);
	fv_buf_release(&categories);
	return added;
}
