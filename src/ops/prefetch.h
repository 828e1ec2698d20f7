/* A prefetch cursor (private): the source bytes a kernel's next step will read, fetched one
 * cache line at a time while the current step computes. The sources of the resize kernels are
 * streamed once and are usually not in cache (a 1080p RGB image is 6 MB), and reductions read
 * scattered rows the hardware prefetcher does not predict; a line per unit of work keeps the
 * next loads in flight without stalling on a burst of prefetches. */
#ifndef XA_PREFETCH_H
#define XA_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p;
    size_t left; /* bytes still to fetch from p */
} xa_prefetch_cursor;

static inline xa_prefetch_cursor xa_prefetch_span(const uint8_t *p, size_t bytes) {
    xa_prefetch_cursor c = {p, p ? bytes : 0};
    return c;
}

static inline void xa_prefetch_step(xa_prefetch_cursor *c) {
    if (c->left) {
#if defined(__GNUC__)
        __builtin_prefetch(c->p);
#endif
        c->p += 64;
        c->left = c->left > 64 ? c->left - 64 : 0;
    }
}

#endif
