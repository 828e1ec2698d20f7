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

/* Failures are kept. Every dump call returns its status (and fills its own err), and the most
 * recent failure of any dump call -- from any thread, XA_DUMP's included, which pass no err --
 * is also kept process-wide until cleared, so a port can check once, e.g. before exiting:
 *     xa_error e;
 *     if (xa_dump_last_error(&e)) fprintf(stderr, "%lld dumps failed, last: %s\n",
 *                                        (long long)xa_dump_error_count(), e.message);
 * xa_dump_last_error copies that failure into *err (may be NULL) and returns its status, XA_OK
 * when nothing failed. The record is shared by all threads and read and written under the dump
 * lock, so a read never sees a torn message; it is the failure of whichever call failed last,
 * not necessarily one of the calling thread's. An XALIGN_DUMP_DIR the library cannot use (a path
 * too long) leaves dumping off and is kept here too. */
XA_API xa_status xa_dump_last_error(xa_error *err);
/* Failed dump calls since the start or the last xa_dump_clear_error. */
XA_API int64_t xa_dump_error_count(void);
XA_API void xa_dump_clear_error(void);

/* The cheap form for hot code: nothing but a flag test when dumping is off. */
#define XA_DUMP(name, tensor) (xa_dump_on ? xa_dump((name), (tensor), NULL) : XA_OK)
#define XA_DUMP_RAW(name, dt, rank, shape, data)                                                   \
    (xa_dump_on ? xa_dump_raw((name), (dt), (rank), (shape), (data), NULL) : XA_OK)

#ifdef __cplusplus
}
#endif
#endif
