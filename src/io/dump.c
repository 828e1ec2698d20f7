/* Stage dumps: DIR[/SAMPLE]/NN_name.npy in call order (include/xalign/dump.h). In the io layer:
 * a dump is nothing but an .npy/.npz write with a name chosen here. */
#include "internal.h"
#include "xalign/dump.h"
#include "xalign/io.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

volatile int xa_dump_on;

static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static char dump_dir[4096 + 80]; /* DIR or DIR/SAMPLE, created on first use */
static char base_dir[4096];
static int next_index;
static int dir_ready;
/* The most recent failure of any dump call and the number of failures (under dump_lock): code
 * that dumps through XA_DUMP passes no xa_error and reads these later. Process-wide rather than
 * per thread, so that failures in worker threads are seen by whoever checks at the end. */
static xa_error last_error;
static int64_t error_count;

/* Every public dump call ends here: keep a failure for xa_dump_last_error and hand its detail
 * to the caller's err. `e` is the call's own error record. */
static xa_status kept(xa_status st, xa_error *e, xa_error *err) {
    if (st == XA_OK) return XA_OK;
    if (e->status != st) xa_fail(e, st, "%s", xa_strerror(st)); /* a path that set no detail */
    pthread_mutex_lock(&dump_lock);
    last_error = *e;
    error_count++;
    pthread_mutex_unlock(&dump_lock);
    if (err) *err = *e;
    return st;
}

xa_status xa_dump_last_error(xa_error *err) {
    pthread_mutex_lock(&dump_lock);
    xa_error e = last_error;
    pthread_mutex_unlock(&dump_lock);
    if (err) *err = e;
    return e.status;
}

int64_t xa_dump_error_count(void) {
    pthread_mutex_lock(&dump_lock);
    int64_t n = error_count;
    pthread_mutex_unlock(&dump_lock);
    return n;
}

void xa_dump_clear_error(void) {
    pthread_mutex_lock(&dump_lock);
    memset(&last_error, 0, sizeof last_error);
    error_count = 0;
    pthread_mutex_unlock(&dump_lock);
}

static int valid_name(const char *s) {
    size_t n = 0;
    if (!s || !*s) return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return n <= 64 && strcmp(s, ".") && strcmp(s, "..");
}

/* mkdir -p */
static xa_status make_dirs(const char *path, xa_error *err) {
    char tmp[4096 + 80];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return xa_fail(err, XA_EINVAL, "dump directory path too long");
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == 0) {
            char c = tmp[i];
            tmp[i] = 0;
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return xa_fail(err, XA_EIO, "%s: cannot create directory: %s", tmp,
                               strerror(errno));
            tmp[i] = c;
        }
    }
    return XA_OK;
}

static void set_dirs(const char *dir, const char *sample) {
    snprintf(base_dir, sizeof base_dir, "%s", dir ? dir : "");
    if (sample && *sample)
        snprintf(dump_dir, sizeof dump_dir, "%s/%s", base_dir, sample);
    else
        snprintf(dump_dir, sizeof dump_dir, "%s", base_dir);
    next_index = 0;
    dir_ready = 0;
}

__attribute__((constructor)) static void dump_init_from_env(void) {
    const char *d = getenv("XALIGN_DUMP_DIR");
    if (!d || !*d) return;
    if (strlen(d) >= sizeof base_dir - 80) { /* dumping stays off; xa_dump_last_error says why */
        xa_error e = {0};
        kept(xa_fail(&e, XA_EINVAL, "XALIGN_DUMP_DIR: path too long (%zu bytes, at most %zu)",
                     strlen(d), sizeof base_dir - 81),
             &e, NULL);
        return;
    }
    const char *s = getenv("XALIGN_DUMP_SAMPLE");
    char safe[65] = "";
    if (s && *s) { /* keep samples apart even when the name has characters a folder name should
                      not: each one becomes '_' (and the name is cut at 64) */
        size_t n = 0;
        for (; s[n] && n < 64; n++) {
            char c = s[n];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '-' || c == '.';
            safe[n] = ok ? c : '_';
        }
        safe[n] = 0;
        if (!valid_name(safe)) safe[0] = 0; /* "." or ".." */
    }
    set_dirs(d, safe[0] ? safe : NULL);
    xa_dump_on = 1;
}

static xa_status dump_configure_call(const char *dir, xa_error *err) {
    pthread_mutex_lock(&dump_lock);
    if (!dir || !*dir) {
        xa_dump_on = 0;
        set_dirs("", NULL);
    } else if (strlen(dir) >= sizeof base_dir - 80) {
        pthread_mutex_unlock(&dump_lock);
        return xa_fail(err, XA_EINVAL, "dump directory path too long");
    } else {
        set_dirs(dir, NULL);
        xa_dump_on = 1;
    }
    pthread_mutex_unlock(&dump_lock);
    return XA_OK;
}

static xa_status dump_set_sample_call(const char *sample, xa_error *err) {
    if (sample && !valid_name(sample))
        return xa_fail(err, XA_EINVAL, "sample name '%s' must be 1-64 characters of [A-Za-z0-9_.-]",
                       sample);
    pthread_mutex_lock(&dump_lock);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", base_dir);
    set_dirs(dir, sample);
    pthread_mutex_unlock(&dump_lock);
    return XA_OK;
}

/* Reserve the next number and build the path; creates the folder on first use. */
static xa_status reserve(const char *name, const char *ext, char *path, size_t size,
                         xa_error *err) {
    if (!valid_name(name))
        return xa_fail(err, XA_EINVAL, "stage name '%s' must be 1-64 characters of [A-Za-z0-9_.-]",
                       name ? name : "(null)");
    pthread_mutex_lock(&dump_lock);
    if (!xa_dump_on) {
        pthread_mutex_unlock(&dump_lock);
        return xa_fail(err, XA_EINVAL, "dumping is off (set XALIGN_DUMP_DIR)");
    }
    if (!dir_ready) {
        xa_status st = make_dirs(dump_dir, err);
        if (st) {
            pthread_mutex_unlock(&dump_lock);
            return st;
        }
        dir_ready = 1;
    }
    int k = next_index++;
    snprintf(path, size, "%s/%02d_%s.%s", dump_dir, k, name, ext);
    pthread_mutex_unlock(&dump_lock);
    return XA_OK;
}

static xa_status dump_call(const char *name, const xa_tensor *t, xa_error *err) {
    if (!t) return xa_fail(err, XA_EINVAL, "xa_dump: NULL tensor");
    char path[4096 + 200];
    xa_status st = reserve(name, "npy", path, sizeof path, err);
    return st ? st : xa_npy_save(path, t, err);
}

static xa_status dump_raw_call(const char *name, xa_dtype dt, int rank, const int64_t *shape,
                               const void *data, xa_error *err) {
    xa_tensor *t;
    xa_status st = xa_tensor_shell(dt, rank, shape, &t, err);
    if (st) return st;
    if (t->nbytes && !data) {
        xa_tensor_free(t);
        return xa_fail(err, XA_EINVAL, "xa_dump_raw: NULL data");
    }
    t->data = (void *)data; /* borrowed for the write; no backing */
    st = dump_call(name, t, err);
    xa_tensor_free(t);
    return st;
}

static xa_status dump_multi_call(const char *name, size_t n, const char *const *names,
                                 const xa_tensor *const *tensors, xa_error *err) {
    for (size_t i = 0; i < n; i++)
        if (!valid_name(names[i]))
            return xa_fail(err, XA_EINVAL,
                           "tensor name '%s' must be 1-64 characters of [A-Za-z0-9_.-]",
                           names[i] ? names[i] : "(null)");
    char path[4096 + 200];
    xa_status st = reserve(name, "npz", path, sizeof path, err);
    return st ? st : xa_npz_save(path, n, names, tensors, err);
}

/* The public calls: each works on its own error record, then keeps a failure (kept above). */
xa_status xa_dump_configure(const char *dir, xa_error *err) {
    xa_error e = {0};
    return kept(dump_configure_call(dir, &e), &e, err);
}

xa_status xa_dump_set_sample(const char *sample, xa_error *err) {
    xa_error e = {0};
    return kept(dump_set_sample_call(sample, &e), &e, err);
}

xa_status xa_dump(const char *name, const xa_tensor *t, xa_error *err) {
    if (!xa_dump_on) return XA_OK;
    xa_error e = {0};
    return kept(dump_call(name, t, &e), &e, err);
}

xa_status xa_dump_raw(const char *name, xa_dtype dt, int rank, const int64_t *shape,
                      const void *data, xa_error *err) {
    if (!xa_dump_on) return XA_OK;
    xa_error e = {0};
    return kept(dump_raw_call(name, dt, rank, shape, data, &e), &e, err);
}

xa_status xa_dump_multi(const char *name, size_t n, const char *const *names,
                        const xa_tensor *const *tensors, xa_error *err) {
    if (!xa_dump_on) return XA_OK;
    xa_error e = {0};
    return kept(dump_multi_call(name, n, names, tensors, &e), &e, err);
}
