/* xalign dump: the port side's (and any C/C++ program's) stage dumps.
 *
 * Active only when the environment variable XALIGN_DUMP_DIR is set when the library loads (like
 * BMRT_SAVE_IO_TENSORS), or after xa_dump_configure(). Each call writes DIR[/SAMPLE]/NN_name.npy
 * (NN = two-digit call order, per sample folder); a stage with several named tensors goes into
 * NN_name.npz. Thread-safe. When off, XA_DUMP costs one predictable branch. The Python helper
 * python/xalign_dump.py writes exactly the same layout from the original program. */
#ifndef XALIGN_DUMP_H
#define XALIGN_DUMP_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nonzero while dumping is on (read it through XA_DUMP / xa_dump_enabled). */
extern XA_API volatile int xa_dump_on;

static inline int xa_dump_enabled(void) {
    return xa_dump_on;
}

/* Turn dumping on into `dir` (NULL or "" turns it off). Overrides XALIGN_DUMP_DIR. */
XA_API xa_status xa_dump_configure(const char *dir, xa_error *err);
/* Dump into DIR/SAMPLE/ from now on, numbering from 00 again (NULL: back to DIR itself).
 * XALIGN_DUMP_SAMPLE sets the initial sample. */
XA_API xa_status xa_dump_set_sample(const char *sample, xa_error *err);

/* Write one stage. `name` is the stage name ([A-Za-z0-9_.-], at most 64 characters). */
XA_API xa_status xa_dump(const char *name, const xa_tensor *t, xa_error *err);
XA_API xa_status xa_dump_raw(const char *name, xa_dtype dt, int rank, const int64_t *shape,
                             const void *data, xa_error *err);
/* Write a stage with several named tensors as NN_name.npz (members matched by name later). */
XA_API xa_status xa_dump_multi(const char *name, size_t n, const char *const *names,
                               const xa_tensor *const *tensors, xa_error *err);

/* The cheap form for hot code: nothing but a flag test when dumping is off. */
#define XA_DUMP(name, tensor) (xa_dump_on ? xa_dump((name), (tensor), NULL) : XA_OK)
#define XA_DUMP_RAW(name, dt, rank, shape, data)                                                   \
    (xa_dump_on ? xa_dump_raw((name), (dt), (rank), (shape), (data), NULL) : XA_OK)

#ifdef __cplusplus
}
#endif
#endif
