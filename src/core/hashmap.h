/* Open-addressing hash maps used by the results readers and COCOeval (private).
 * xa_imap: int64 key -> size_t value. xa_smap: byte-string key (not copied: the caller keeps
 * it alive) -> size_t value. Both grow at 50% load; -1 from an insert means out of memory. */
#ifndef XA_HASHMAP_H
#define XA_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct xa_imap {
    size_t cap, count; /* cap is 0 or a power of two */
    int64_t *keys;
    size_t *vals; /* SIZE_MAX marks an empty slot */
} xa_imap;

void xa_imap_clear(xa_imap *m);
/* The value of key, or SIZE_MAX. */
size_t xa_imap_get(const xa_imap *m, int64_t key);
/* Insert key -> val unless present. Returns 1 inserted, 0 present (*old = its value), -1 ENOMEM. */
int xa_imap_put(xa_imap *m, int64_t key, size_t val, size_t *old);

typedef struct xa_smap {
    size_t cap, count;
    const char **keys;
    size_t *lens;
    size_t *vals;
} xa_smap;

void xa_smap_clear(xa_smap *m);
size_t xa_smap_get(const xa_smap *m, const char *key, size_t len);
int xa_smap_put(xa_smap *m, const char *key, size_t len, size_t val, size_t *old);

#endif
