/* CRC-32 as zip and zlib compute it (ISO-HDLC: polynomial 0x04C11DB7, bit-reflected, initial
 * value and final XOR 0xFFFFFFFF), fast enough to verify every npz member while it is compared.
 *
 * The reference is zlib's crc32_z (about 4 GB/s per core here, 8 bytes per table step). On CPUs
 * with PCLMULQDQ the bulk of a buffer is folded 64 bytes at a time with carry-less
 * multiplications (the method of Gopal et al., "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ Instruction", Intel 2009), 256 bytes at a time with VPCLMULQDQ on 512-bit
 * vectors where the CPU has them, and the last 16..31 bytes go through zlib. The fold constants
 * are computed here from the polynomial (fold_constant), not copied.
 *
 * Notation. Data bit j of the stream (byte j/8, bit j%8 counted from the least significant bit,
 * as zip's bit-reflected CRC reads it) is the coefficient of the highest remaining power of x.
 * A 16-byte block loaded little-endian into a 128-bit register therefore holds the coefficient of
 * x^(127-i) in bit i. The raw CRC (no initial value, no final XOR) of a message M is
 * M(x) * x^32 mod P(x); zip's CRC of M with running value c is ~raw(~c, M), and a running value
 * v is the same as XORing v into the first four bytes of M. */
#include "io_internal.h"

#include <string.h>
#include <zlib.h>

int xa_crc32_limit = 2;

#define POLY_REFLECTED 0xEDB88320u /* P(x) = x^32 + 0x04C11DB7, bit-reflected, x^32 implicit */

/* a * b mod P for bit-reflected values (bit 31 is x^0, bit 0 is x^31). */
static uint32_t mulmod(uint32_t a, uint32_t b) {
    uint32_t p = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) { /* a's coefficients from x^0 upwards */
        if (a & m) p ^= b;
        b = b & 1 ? (b >> 1) ^ POLY_REFLECTED : b >> 1; /* b *= x */
    }
    return p;
}

/* x^n mod P, bit-reflected, by square and multiply. */
static uint32_t xpow(uint64_t n) {
    uint32_t r = 1u << 31, base = 1u << 30; /* x^0, x^1 */
    while (n) {
        if (n & 1) r = mulmod(r, base);
        base = mulmod(base, base);
        n >>= 1;
    }
    return r;
}

/* crc(A || B) from crc(A), crc(B) and |B|: the raw register of A moves past |B| bytes (times
 * x^(8|B|)); the initial/final XORs cancel as derived in the header comment. */
uint32_t xa_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2) {
    if (len2 == 0) return crc1;
    return mulmod(crc1, xpow(len2 * 8)) ^ crc2;
}

static uint32_t crc_zlib(uint32_t crc, const unsigned char *p, size_t n) {
    return (uint32_t)crc32_z(crc, p, (z_size_t)n);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/* Folding a register X forward by D bits: X(x) * x^D is reduced to a 128-bit value by splitting
 * X into its 64 highest-degree coefficients (the low quadword, bits 0..63) and the 64 lowest
 * (the high quadword). A carry-less product of a 64-bit reflected quadword and a 33-bit
 * reflected constant lands as a 128-bit reflected value when the constant is K(n) =
 * reflect32(x^n mod P) << 1; the low quadword needs n = D + 32 and the high one n = D - 32
 * (the 64-bit distance between the halves, minus the 32 of the raw CRC's x^32 already in the
 * register layout). Checked against zlib by tests/unit/test_crc32.c for every length 0..4096
 * and every alignment. */
static uint64_t fold_constant(unsigned n) {
    return (uint64_t)xpow(n) << 1;
}

typedef struct {
    uint64_t k2048_lo, k2048_hi; /* fold by 16 registers (2048 bits: four 512-bit vectors) */
    uint64_t k512_lo, k512_hi;   /* fold by 4 registers (512 bits) */
    uint64_t k128_lo, k128_hi;   /* fold by 1 register */
} fold_consts;

static const fold_consts *consts(void) {
    static fold_consts c;
    static int ready; /* racing threads compute the same values */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        fold_consts t = {fold_constant(2048 + 32), fold_constant(2048 - 32),
                         fold_constant(512 + 32),  fold_constant(512 - 32),
                         fold_constant(128 + 32),  fold_constant(128 - 32)};
        c = t;
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return &c;
}

/* The widest path this CPU has: 2 VPCLMULQDQ on 512-bit vectors (CPUID leaf 7, ECX bit 10, with
 * AVX-512), 1 PCLMULQDQ, 0 none; lowered by xa_crc32_limit (tests reach every path). */
static int crc_level(void) {
    static int level = -1;
    int h = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (h < 0) {
        unsigned a, b, c, d;
        __builtin_cpu_init();
        h = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1") ? 1 : 0;
        if (h && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & bit_VPCLMULQDQ))
            h = 2;
        __atomic_store_n(&level, h, __ATOMIC_RELAXED);
    }
    int lim = __atomic_load_n(&xa_crc32_limit, __ATOMIC_RELAXED);
    return h < lim ? h : lim;
}

#define XA_CLMUL __attribute__((target("pclmul,sse4.1")))

XA_CLMUL static inline __m128i fold(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/* n >= 64. */
XA_CLMUL static uint32_t crc_clmul(uint32_t crc, const unsigned char *p, size_t n) {
    const fold_consts *c = consts();
    const __m128i k4 = _mm_set_epi64x((long long)c->k512_hi, (long long)c->k512_lo);
    const __m128i k1 = _mm_set_epi64x((long long)c->k128_hi, (long long)c->k128_lo);
    __m128i x0 = _mm_loadu_si128((const __m128i *)p), x1 = _mm_loadu_si128((const __m128i *)p + 1),
            x2 = _mm_loadu_si128((const __m128i *)p + 2),
            x3 = _mm_loadu_si128((const __m128i *)p + 3);
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)~crc)); /* the running value, raw form */
    p += 64;
    n -= 64;
    while (n >= 64) {
        x0 = _mm_xor_si128(fold(x0, k4), _mm_loadu_si128((const __m128i *)p));
        x1 = _mm_xor_si128(fold(x1, k4), _mm_loadu_si128((const __m128i *)p + 1));
        x2 = _mm_xor_si128(fold(x2, k4), _mm_loadu_si128((const __m128i *)p + 2));
        x3 = _mm_xor_si128(fold(x3, k4), _mm_loadu_si128((const __m128i *)p + 3));
        p += 64;
        n -= 64;
    }
    __m128i x = _mm_xor_si128(fold(x0, k1), x1);
    x = _mm_xor_si128(fold(x, k1), x2);
    x = _mm_xor_si128(fold(x, k1), x3);
    while (n >= 16) {
        x = _mm_xor_si128(fold(x, k1), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    /* raw(0, X || tail) is the raw CRC of everything; zip's CRC is its complement, which is
     * zlib's crc32 of X || tail started from 0xFFFFFFFF (that start cancels the XOR it applies) */
    unsigned char last[32];
    _mm_storeu_si128((__m128i *)last, x);
    memcpy(last + 16, p, n);
    return crc_zlib(0xFFFFFFFFu, last, 16 + n);
}

#define XA_VCLMUL __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))

XA_VCLMUL static inline __m512i fold4(__m512i x, __m512i k) {
    return _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00),
                            _mm512_clmulepi64_epi128(x, k, 0x11));
}

/* The same folding four 128-bit lanes per instruction: 256 bytes per step in four 512-bit
 * vectors, each lane moving 2048 bits forward; the 16 lanes are then folded one into the next in
 * stream order (vector v, lane l holds bytes 64v + 16l of each step). n >= 256. */
XA_VCLMUL static uint32_t crc_vclmul(uint32_t crc, const unsigned char *p, size_t n) {
    const fold_consts *c = consts();
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
        x = _mm_xor_si128(fold(x, k1), _mm_loadu_si128((const __m128i *)(lanes + 16 * l)));
    while (n >= 16) {
        x = _mm_xor_si128(fold(x, k1), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    unsigned char last[32];
    _mm_storeu_si128((__m128i *)last, x);
    memcpy(last + 16, p, n);
    return crc_zlib(0xFFFFFFFFu, last, 16 + n);
}
#endif

uint32_t xa_crc32(uint32_t crc, const void *p, size_t n) {
    if (n == 0) return crc; /* crc32_z(crc, NULL, 0) would return 0, not crc */
#if defined(__x86_64__) && defined(__GNUC__)
    int level = n >= 64 ? crc_level() : 0;
    if (level == 2 && n >= 256) return crc_vclmul(crc, p, n);
    if (level >= 1) return crc_clmul(crc, p, n);
#endif
    return crc_zlib(crc, p, n);
}
