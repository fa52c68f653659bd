/* fieldvisit core: the check of resident identity numbers (GB 11643-1999). */
#include <stdio.h>
#include <string.h>

#include "fieldvisit/core.h"

/* ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11. */
static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
/* The check character for each remainder of the weighted sum mod 11. */
static const char check_char[] = "10X98765432";

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The value of n digits at s (all known to be digits). */
static int number(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int fv_resident_id_check(const char *id, int32_t *birth, int *male, char *why, size_t whylen)
{
	size_t len = strlen(id);
	int32_t days;
	int sum = 0;

	if (len != 18) {
		snprintf(why, whylen, "must be 18 characters, not %zu", fv_utf8_len(id));
		return 0;
	}
	for (int i = 0; i < 17; i++) {
		if (!digit(id[i])) {
			snprintf(why, whylen, "character %d is not a digit", i + 1);
			return 0;
		}
		sum += (id[i] - '0') * weight[i];
	}
	if (!digit(id[17]) && id[17] != 'X') {
		snprintf(why, whylen, "the last character must be a digit or X");
		return 0;
	}
	if (!fv_date_from_ymd(number(id + 6, 4), number(id + 10, 2), number(id + 12, 2), &days)) {
		snprintf(why, whylen, "characters 7-14 (%.8s) are not a real date", id + 6);
		return 0;
	}
	if (check_char[sum % 11] != id[17]) {
		snprintf(why, whylen, "check digit should be %c", check_char[sum % 11]);
		return 0;
	}
	if (birth)
		*birth = days;
	if (male)
		*male = (id[16] - '0') % 2;
	return 1;
}
