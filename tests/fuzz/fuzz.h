/*
 * Fuzz targets: each file defines LLVMFuzzerInitialize and
 * LLVMFuzzerTestOneInput.  Built with clang's libFuzzer for `make fuzz`,
 * and with replay.c as a plain program that `make test` runs over the seed
 * and regression corpus (tests/fuzz/seed/NAME, tests/fuzz/regress/NAME).
 * Run from the repository root: the configurations are found from there.
 */
#ifndef CTLBRIDGE_FUZZ_H
#define CTLBRIDGE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The set in dir (".": the shipped one), which must load without errors;
 * exits the program otherwise. */
struct config *fuzz_load(const char *dir);

#endif
