/* CRC-32 (src/io/crc32.c) against zlib's crc32_z, the reference: every length 0..4096 at every
 * alignment 0..15, running values carried across calls, large buffers, and crc32_combine. */
#include "io/crc32_internal.h"
#include "test.h"
#include "test_paths.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xalign/xalign.h>
#include <zlib.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned char next_byte(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned char)(rng >> 24);
}

static xa_cpu_path path; /* the path xa_crc32_path runs */
static uint32_t crc(uint32_t c, const void *p, size_t n) {
    return xa_crc32_path(c, p, n, path);
}
static void run_all(void);

int main(void) {
    /* every path this CPU has (VPCLMULQDQ on avx512, PCLMULQDQ on avx2), then the reference,
     * zlib itself, on scalar; and the public entry point once */
    xa_cpu_path paths[XA_CPU_PATH_COUNT];
    int n = test_simd_paths(paths);
    for (int i = 0; i < n; i++) {
        path = paths[i];
        run_all();
    }
    path = XA_CPU_SCALAR;
    run_all();
    CHECK(xa_crc32(0, "123456789", 9) == 0xCBF43926u); /* the CRC-32 check value */
    TEST_DONE();
}

static void run_all(void) {
    enum { MAXLEN = 4096 };
    unsigned char *buf = malloc(MAXLEN + 64);
    if (!buf) abort();
    for (size_t i = 0; i < MAXLEN + 64; i++) buf[i] = next_byte();
    int bad = 0;
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n <= MAXLEN; n++) {
            uint32_t want = (uint32_t)crc32_z(0, buf + off, n);
            if (crc(0, buf + off, n) != want && bad++ < 5)
                fprintf(stderr, "length %zu at offset %zu: %08x, zlib %08x\n", n, off,
                        crc(0, buf + off, n), want);
        }
    CHECKF(bad == 0, "%d lengths/offsets differ from zlib", bad);

    /* a running value is continued exactly as zlib continues it */
    bad = 0;
    for (size_t a = 0; a < 300; a += 7)
        for (size_t b = 0; b < 300; b += 13) {
            uint32_t want = (uint32_t)crc32_z(0, buf, a + b);
            uint32_t got = crc(crc(0, buf, a), buf + a, b);
            bad += got != want;
            /* and combined from the two halves' own CRCs */
            bad += xa_crc32_combine(crc(0, buf, a), crc(0, buf + a, b), b) != want;
            bad += xa_crc32_combine((uint32_t)crc32_z(0, buf, a), (uint32_t)crc32_z(0, buf + a, b),
                                    b) != (uint32_t)crc32_combine((uLong)crc32_z(0, buf, a),
                                                                  (uLong)crc32_z(0, buf + a, b),
                                                                  (z_off_t)b);
        }
    CHECKF(bad == 0, "%d continued/combined CRCs differ from zlib", bad);

    /* 64 MiB of non-repeating data (the folding loop over many blocks) */
    size_t big = (size_t)64 << 20;
    unsigned char *b2 = malloc(big);
    if (!b2) abort();
    for (size_t i = 0; i < big; i++) b2[i] = next_byte();
    CHECK(crc(0, b2, big) == (uint32_t)crc32_z(0, b2, big));
    CHECK(crc(0x12345678u, b2 + 3, big - 3) == (uint32_t)crc32_z(0x12345678u, b2 + 3, big - 3));
    /* combine over a length beyond 4 GiB (only the length enters) */
    uint64_t huge = (uint64_t)5 << 30;
    CHECK(xa_crc32_combine(0xDEADBEEFu, 0x01020304u, huge) ==
          (uint32_t)crc32_combine(0xDEADBEEFu, 0x01020304u, (z_off_t)huge));
    CHECK(crc(0x5555u, NULL, 0) == 0x5555u);
    free(b2);
    free(buf);
}
