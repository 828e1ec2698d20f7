#include "internal.h"

#include <string.h>

static const struct {
    const char *name, *sname;
    size_t size;
} dtypes[XA_DTYPE_COUNT] = {
    [XA_DTYPE_INVALID] = {"invalid", "invalid", 0},
    [XA_BOOL] = {"bool", "bool", 1},
    [XA_I8] = {"int8", "i8", 1},
    [XA_U8] = {"uint8", "u8", 1},
    [XA_I16] = {"int16", "i16", 2},
    [XA_U16] = {"uint16", "u16", 2},
    [XA_I32] = {"int32", "i32", 4},
    [XA_U32] = {"uint32", "u32", 4},
    [XA_I64] = {"int64", "i64", 8},
    [XA_U64] = {"uint64", "u64", 8},
    [XA_F16] = {"float16", "f16", 2},
    [XA_BF16] = {"bfloat16", "bf16", 2},
    [XA_F32] = {"float32", "f32", 4},
    [XA_F64] = {"float64", "f64", 8},
};

static int valid(xa_dtype dt) {
    return (int)dt > 0 && (int)dt < XA_DTYPE_COUNT;
}

size_t xa_dtype_size(xa_dtype dt) {
    return valid(dt) ? dtypes[dt].size : 0;
}
const char *xa_dtype_name(xa_dtype dt) {
    return valid(dt) ? dtypes[dt].name : "invalid";
}
const char *xa_dtype_short(xa_dtype dt) {
    return valid(dt) ? dtypes[dt].sname : "invalid";
}

xa_dtype xa_dtype_from_name(const char *s) {
    if (!s) return XA_DTYPE_INVALID;
    for (int i = 1; i < XA_DTYPE_COUNT; i++)
        if (!strcmp(s, dtypes[i].name) || !strcmp(s, dtypes[i].sname)) return (xa_dtype)i;
    /* common aliases */
    if (!strcmp(s, "float") || !strcmp(s, "fp32")) return XA_F32;
    if (!strcmp(s, "half") || !strcmp(s, "fp16")) return XA_F16;
    if (!strcmp(s, "double") || !strcmp(s, "fp64")) return XA_F64;
    return XA_DTYPE_INVALID;
}

int xa_dtype_is_float(xa_dtype dt) {
    return dt == XA_F16 || dt == XA_BF16 || dt == XA_F32 || dt == XA_F64;
}
int xa_dtype_is_integer(xa_dtype dt) {
    return valid(dt) && !xa_dtype_is_float(dt);
}

static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* IEEE binary16 -> binary32, exact (every half is a float). */
float xa_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) return bits_f32(sign | 0x7f800000u | (man << 13)); /* inf / nan */
    if (exp == 0) {
        if (man == 0) return bits_f32(sign);
        /* subnormal: man * 2^-24, exact in float */
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

/* binary32 -> binary16, round to nearest even (numpy's npy_floatbits_to_halfbits). */
uint16_t xa_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) { /* inf or nan: keep a quiet nan payload bit */
        if (ax == 0x7f800000u) return sign | 0x7c00;
        uint16_t m = (uint16_t)((ax & 0x7fffff) >> 13);
        return sign | 0x7c00 | (m ? m : 0x200);
    }
    if (ax >= 0x477ff000u) return sign | 0x7c00; /* rounds to >= 65520: overflow to inf */
    if (ax < 0x38800000u) {                      /* below the smallest normal half 2^-14 */
        if (ax < 0x33000000u) return sign;       /* < 2^-25: rounds to zero */
        uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e; /* value = m * 2^(e-150); half subnormal unit 2^-24 */
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    uint32_t m = ax & 0x7fffff, e = (ax >> 23) - 112;
    uint32_t q = (e << 10) | (m >> 13), rem = m & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (q & 1))) q++; /* carry may bump the exponent: fine */
    return sign | (uint16_t)q;
}

float xa_bf16_to_f32(uint16_t h) {
    return bits_f32((uint32_t)h << 16);
}

uint16_t xa_f32_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40); /* quiet NaN */
    uint32_t lsb = (x >> 16) & 1;
    return (uint16_t)((x + 0x7fffu + lsb) >> 16);
}
