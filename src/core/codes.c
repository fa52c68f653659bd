/* fieldvisit core: the codes of the domain's vocabulary, one list each. */
#include "fieldvisit/core.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const category_codes[] = {
	"shidu", "shangcan", "gaoling", "zili", "banshineng", "shineng",
	"ec_user", "iud_user", "migrant", "newlywed",
};

static const char *const service_codes[] = {
	"meals", "cleaning", "urgent", "care", "comfort", "errands",
};

const char *const *fv_category_codes(size_t *n)
{
	*n = COUNT(category_codes);
	return category_codes;
}

const char *const *fv_service_codes(size_t *n)
{
	*n = COUNT(service_codes);
	return service_codes;
}
