/* fieldvisit forms: what the loader and the instance share. */
#ifndef FV_FORM_INTERNAL_H
#define FV_FORM_INTERNAL_H

#include "fieldvisit/forms.h"

/*
 * Check value against the type of field fd and write its canonical stored
 * form to out ("007" -> "7" for an integer, a real date, choices of the
 * list, select_multiple without duplicates).  "" is always accepted.  Choice
 * filters are not applied here.  Returns 0 with a one-line message in err
 * when the value does not fit.
 */
int fv_form_canonical(const fv_field *fd, const char *value, fv_buf *out, char *err,
		      size_t errlen);

/* Can an answer be given to the field (not a note, calculate, group or
 * read-only question)? */
int fv_form_answerable(const fv_field *fd);

#endif
