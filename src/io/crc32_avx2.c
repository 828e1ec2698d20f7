/* CRC-32 by PCLMULQDQ folding, 64 bytes a step in four 128-bit registers (crc32.c explains the
 * method and the constants; the reference is zlib's crc32_z). */
#include "crc32_internal.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("pclmul,sse4.1"))) uint32_t xa_crc32_avx2(uint32_t crc,
                                                                const unsigned char *p, size_t n) {
    const xa_crc_consts *c = xa_crc_fold_consts();
    const __m128i k4 = _mm_set_epi64x((long long)c->k512_hi, (long long)c->k512_lo);
    const __m128i k1 = _mm_set_epi64x((long long)c->k128_hi, (long long)c->k128_lo);
    __m128i x0 = _mm_loadu_si128((const __m128i *)p), x1 = _mm_loadu_si128((const __m128i *)p + 1),
            x2 = _mm_loadu_si128((const __m128i *)p + 2),
            x3 = _mm_loadu_si128((const __m128i *)p + 3);
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)~crc)); /* the running value, raw form */
    p += 64;
    n -= 64;
    while (n >= 64) {
        x0 = _mm_xor_si128(xa_crc_fold(x0, k4), _mm_loadu_si128((const __m128i *)p));
        x1 = _mm_xor_si128(xa_crc_fold(x1, k4), _mm_loadu_si128((const __m128i *)p + 1));
        x2 = _mm_xor_si128(xa_crc_fold(x2, k4), _mm_loadu_si128((const __m128i *)p + 2));
        x3 = _mm_xor_si128(xa_crc_fold(x3, k4), _mm_loadu_si128((const __m128i *)p + 3));
        p += 64;
        n -= 64;
    }
    __m128i x = _mm_xor_si128(xa_crc_fold(x0, k1), x1);
    x = _mm_xor_si128(xa_crc_fold(x, k1), x2);
    x = _mm_xor_si128(xa_crc_fold(x, k1), x3);
    return xa_crc_finish(x, p, n);
}

__attribute__((target("pclmul,sse4.1"))) uint32_t xa_crc_finish(__m128i x, const unsigned char *p,
                                                                size_t n) {
    const xa_crc_consts *c = xa_crc_fold_consts();
    const __m128i k1 = _mm_set_epi64x((long long)c->k128_hi, (long long)c->k128_lo);
    while (n >= 16) {
        x = _mm_xor_si128(xa_crc_fold(x, k1), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    /* raw(0, X || tail) is the raw CRC of everything; zip's CRC is its complement, which is
     * zlib's crc32 of X || tail started from 0xFFFFFFFF (that start cancels the XOR it applies) */
    unsigned char last[32];
    _mm_storeu_si128((__m128i *)last, x);
    memcpy(last + 16, p, n);
    return xa_crc32_ref(0xFFFFFFFFu, last, 16 + n);
}
#else
uint32_t xa_crc32_avx2(uint32_t crc, const unsigned char *p, size_t n) {
    return xa_crc32_ref(crc, p, n);
}
#endif
