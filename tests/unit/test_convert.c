/* float16 -> float32 conversion: every vector path this CPU has (F16C on avx2,
 * src/core/convert_avx2.c) against the scalar reference xa_f16_to_f32 for every one of the 65536
 * halves, at every alignment. */
#include "internal.h"
#include "test.h"
#include "test_paths.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <xalign/xalign.h>

int main(void) {
    enum { N = 65536 };
    static unsigned char src[2 * N + 16];
    static float got[N];
    int bad = 0;
    xa_cpu_path paths[XA_CPU_PATH_COUNT + 1];
    int np = test_simd_paths(paths);
    paths[np++] = XA_CPU_SCALAR;
    for (int pi = 0; pi < np; pi++)
        for (size_t off = 0; off < 4; off++) {
            for (uint32_t h = 0; h < N; h++) {
                uint16_t v = (uint16_t)h;
                memcpy(src + off + 2 * h, &v, 2);
            }
            xa_convert_to_f32_path(XA_F16, 0, src + off, N, got, paths[pi]);
            for (uint32_t h = 0; h < N; h++) {
                float want = xa_f16_to_f32((uint16_t)h);
                uint32_t a, b;
                memcpy(&a, &got[h], 4);
                memcpy(&b, &want, 4);
                /* a NaN may come back quiet (the instruction sets the quiet bit): same sign, NaN */
                int same = isnan(want) ? isnan(got[h]) && (a >> 31) == (b >> 31) : a == b;
                if (!same && bad++ < 5)
                    fprintf(stderr, "half %04x at offset %zu: %08x, reference %08x\n", h, off, a,
                            b);
            }
        }
    CHECKF(bad == 0, "%d halves convert differently from the reference", bad);
    /* byte-swapped halves take the scalar path and give the same values */
    for (uint32_t h = 0; h < N; h++) {
        uint16_t v = (uint16_t)((h >> 8) | (h << 8));
        memcpy(src + 2 * h, &v, 2);
    }
    xa_convert_to_f32(XA_F16, 1, src, N, got);
    bad = 0;
    for (uint32_t h = 0; h < N; h++) {
        float want = xa_f16_to_f32((uint16_t)h);
        bad += isnan(want) ? !isnan(got[h]) : memcmp(&got[h], &want, 4) != 0;
    }
    CHECK(bad == 0);
    TEST_DONE();
}
