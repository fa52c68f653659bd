/* fieldvisit fuzz targets: each file defines LLVMFuzzerTestOneInput under
 * its own name when built for tests/unit/test_fuzz_corpus (FV_FUZZ_NO_MAIN),
 * so one program can replay every corpus. */
#ifndef FV_FUZZ_H
#define FV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef FV_FUZZ_NO_MAIN
#define FV_FUZZ_ENTRY(name) int fuzz_##name(const uint8_t *data, size_t size)
int fuzz_csv(const uint8_t *data, size_t size);
int fuzz_expr(const uint8_t *data, size_t size);
int fuzz_answers(const uint8_t *data, size_t size);
int fuzz_keyfile(const uint8_t *data, size_t size);
int fuzz_rules(const uint8_t *data, size_t size);
int fuzz_bundle(const uint8_t *data, size_t size);
int fuzz_records(const uint8_t *data, size_t size);
#else
#define FV_FUZZ_ENTRY(name) int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

#endif
