/* Private pieces shared by the comparison layer's files (not installed). */
#ifndef XA_CMP_INTERNAL_H
#define XA_CMP_INTERNAL_H

#include "kernel.h"
#include "xalign/io.h"

/* Compare elements [lo, hi) of r and p (element 0 at r / p, global index base + k) on the
 * calling thread, folding them into `tot` (or the per-axis accumulators `ch`). With crc_r/crc_p
 * the CRC-32 of the range's raw bytes is continued from *crc_r and *crc_p, chunk by chunk, so each
 * byte is read from memory once. release_*: drop a mapping's pages once read. Returns 0 when a
 * buffer could not be allocated. */
int xa_cmp_range(const xa_cmp *c, const unsigned char *r, int rsw, const unsigned char *p, int psw,
                 int64_t base, int64_t lo, int64_t hi, int release_r, int release_p, xa_acc *tot,
                 xa_acc *ch, uint32_t *crc_r, uint32_t *crc_p);
/* Fold the accumulators of consecutive parts of a whole tensor of n elements into a context, as
 * xa_cmp_update would have. */
void xa_cmp_absorb(xa_cmp *c, const xa_acc *parts, size_t nparts, int64_t n);
/* Elements below which a second thread costs more than it gives. */
int64_t xa_cmp_part_elements(void);

/* A small settings file (JSON) read whole, at most `limit` bytes; *out is NUL-terminated. */
xa_status xa_read_small_file(const char *path, size_t limit, char **out, size_t *n, xa_error *err);

#endif
