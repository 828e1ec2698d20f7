/* The entry point every fuzz target defines (libFuzzer's), declared once for the targets and the
 * replay program (replay_main.c). */
#ifndef XA_FUZZ_TARGET_H
#define XA_FUZZ_TARGET_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
