#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64's finaliser: every key bit reaches every slot bit */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

/* FNV-1a, then mixed */
static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return mix64(h);
}

void xa_imap_clear(xa_imap *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

size_t xa_imap_get(const xa_imap *m, int64_t key) {
    if (!m->cap) return SIZE_MAX;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)mix64((uint64_t)key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == SIZE_MAX) return SIZE_MAX;
        if (m->keys[i] == key) return m->vals[i];
    }
}

static int imap_grow(xa_imap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    int64_t *keys = malloc(cap * sizeof *keys);
    size_t *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    memset(vals, 0xFF, cap * sizeof *vals);
    for (size_t k = 0; k < m->cap; k++) {
        if (m->vals[k] == SIZE_MAX) continue;
        size_t i = (size_t)mix64((uint64_t)m->keys[k]) & (cap - 1);
        while (vals[i] != SIZE_MAX) i = (i + 1) & (cap - 1);
        keys[i] = m->keys[k];
        vals[i] = m->vals[k];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int xa_imap_put(xa_imap *m, int64_t key, size_t val, size_t *old) {
    if ((m->count + 1) * 2 > m->cap && imap_grow(m)) return -1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)mix64((uint64_t)key) & mask;
    for (; m->vals[i] != SIZE_MAX; i = (i + 1) & mask)
        if (m->keys[i] == key) {
            if (old) *old = m->vals[i];
            return 0;
        }
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return 1;
}

void xa_smap_clear(xa_smap *m) {
    free(m->keys);
    free(m->lens);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

size_t xa_smap_get(const xa_smap *m, const char *key, size_t len) {
    if (!m->cap) return SIZE_MAX;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == SIZE_MAX) return SIZE_MAX;
        if (m->lens[i] == len && !memcmp(m->keys[i], key, len)) return m->vals[i];
    }
}

static int smap_grow(xa_smap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = malloc(cap * sizeof *keys);
    size_t *lens = malloc(cap * sizeof *lens), *vals = malloc(cap * sizeof *vals);
    if (!keys || !lens || !vals) {
        free(keys);
        free(lens);
        free(vals);
        return -1;
    }
    memset(vals, 0xFF, cap * sizeof *vals);
    for (size_t k = 0; k < m->cap; k++) {
        if (m->vals[k] == SIZE_MAX) continue;
        size_t i = (size_t)hash_bytes(m->keys[k], m->lens[k]) & (cap - 1);
        while (vals[i] != SIZE_MAX) i = (i + 1) & (cap - 1);
        keys[i] = m->keys[k];
        lens[i] = m->lens[k];
        vals[i] = m->vals[k];
    }
    free(m->keys);
    free(m->lens);
    free(m->vals);
    m->keys = keys;
    m->lens = lens;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int xa_smap_put(xa_smap *m, const char *key, size_t len, size_t val, size_t *old) {
    if ((m->count + 1) * 2 > m->cap && smap_grow(m)) return -1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)hash_bytes(key, len) & mask;
    for (; m->vals[i] != SIZE_MAX; i = (i + 1) & mask)
        if (m->lens[i] == len && !memcmp(m->keys[i], key, len)) {
            if (old) *old = m->vals[i];
            return 0;
        }
    m->keys[i] = key;
    m->lens[i] = len;
    m->vals[i] = val;
    m->count++;
    return 1;
}
