/* CRC-32 by VPCLMULQDQ folding on 512-bit vectors: four 128-bit lanes per instruction, 256 bytes
 * a step in four vectors, each lane moving 2048 bits forward; the 16 lanes are then folded one
 * into the next in stream order (vector v, lane l holds bytes 64v + 16l of each step). crc32.c
 * explains the method and the constants; the reference is zlib's crc32_z. */
#include "crc32_internal.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define XA_VCLMUL __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))

XA_VCLMUL static inline __m512i fold4(__m512i x, __m512i k) {
    return _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00),
                            _mm512_clmulepi64_epi128(x, k, 0x11));
}

XA_VCLMUL uint32_t xa_crc32_avx512(uint32_t crc, const unsigned char *p, size_t n) {
    const xa_crc_consts *c = xa_crc_fold_consts();
    const __m512i k16 =
        _mm512_broadcast_i32x4(_mm_set_epi64x((long long)c->k2048_hi, (long long)c->k2048_lo));
    const __m128i k1 = _mm_set_epi64x((long long)c->k128_hi, (long long)c->k128_lo);
    __m512i z0 = _mm512_loadu_si512(p), z1 = _mm512_loadu_si512(p + 64),
            z2 = _mm512_loadu_si512(p + 128), z3 = _mm512_loadu_si512(p + 192);
    z0 = _mm512_xor_si512(z0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)~crc)));
    p += 256;
    n -= 256;
    while (n >= 256) {
        z0 = _mm512_xor_si512(fold4(z0, k16), _mm512_loadu_si512(p));
        z1 = _mm512_xor_si512(fold4(z1, k16), _mm512_loadu_si512(p + 64));
        z2 = _mm512_xor_si512(fold4(z2, k16), _mm512_loadu_si512(p + 128));
        z3 = _mm512_xor_si512(fold4(z3, k16), _mm512_loadu_si512(p + 192));
        p += 256;
        n -= 256;
    }
    unsigned char lanes[256];
    _mm512_storeu_si512(lanes, z0);
    _mm512_storeu_si512(lanes + 64, z1);
    _mm512_storeu_si512(lanes + 128, z2);
    _mm512_storeu_si512(lanes + 192, z3);
    __m128i x = _mm_loadu_si128((const __m128i *)lanes);
    for (int l = 1; l < 16; l++)
        x = _mm_xor_si128(xa_crc_fold(x, k1), _mm_loadu_si128((const __m128i *)(lanes + 16 * l)));
    return xa_crc_finish(x, p, n);
}
#else
uint32_t xa_crc32_avx512(uint32_t crc, const unsigned char *p, size_t n) {
    return xa_crc32_ref(crc, p, n);
}
#endif
