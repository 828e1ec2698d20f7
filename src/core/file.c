#include "internal.h"

enum { XA_POPULATE_MAX = 16 << 20 };

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why a file that is not regular is refused: "is a directory", "is a FIFO (named pipe); ...". */
static const char *not_regular_why(mode_t m) {
    return S_ISDIR(m)    ? "is a directory"
           : S_ISFIFO(m) ? "is a FIFO (named pipe); xalign reads regular files only"
           : S_ISCHR(m)  ? "is a character device; xalign reads regular files only"
           : S_ISBLK(m)  ? "is a block device; xalign reads regular files only"
           : S_ISSOCK(m) ? "is a socket; xalign reads regular files only"
                         : "is not a regular file; xalign reads regular files only";
}

static xa_status not_regular(const char *path, mode_t m, xa_error *err) {
    return xa_fail(err, XA_EIO, "%s: %s", path, not_regular_why(m));
}

xa_status xa_check_regular(const char *path, uint64_t *size, xa_error *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return xa_fail(err, XA_EIO, "%s: no such file", path);
        return xa_fail(err, XA_EIO, "%s: cannot access: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return not_regular(path, st.st_mode, err);
    if (size) *size = (uint64_t)st.st_size;
    return XA_OK;
}

/* Open a regular file for reading. O_NONBLOCK keeps open() itself from waiting (a FIFO without
 * a writer blocks a plain open until one comes; some devices too); the file is then refused by
 * its fstat unless it is regular, and for regular files O_NONBLOCK changes nothing. */
static xa_status open_regular(const char *path, int *fd, struct stat *st, xa_error *err) {
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (*fd < 0) return xa_fail(err, XA_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(*fd, st) != 0) {
        int e = errno;
        close(*fd);
        return xa_fail(err, XA_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(*fd);
        return not_regular(path, st->st_mode, err);
    }
    return XA_OK;
}

FILE *xa_fopen_regular(const char *path, xa_error *err) {
    int fd;
    struct stat st;
    if (open_regular(path, &fd, &st, err)) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        xa_fail(err, XA_EIO, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

size_t xa_file_head(const char *path, void *buf, size_t n) {
    int fd;
    struct stat st;
    if (open_regular(path, &fd, &st, NULL)) return 0;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    return got;
}

xa_status xa_file_open(const char *path, size_t map_threshold, xa_file *f, xa_error *err) {
    memset(f, 0, sizeof *f);
    int fd;
    struct stat st;
    xa_status rs = open_regular(path, &fd, &st, err);
    if (rs) return rs;
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return xa_fail(err, XA_ELIMIT, "%s: file too large for this address space", path);
    }
    size_t size = (size_t)st.st_size;
    if (size >= map_threshold && size > 0) {
        /* small mappings are populated in one call: cheaper than faulting them page by page,
         * and their residency is bounded; large ones fault in as they are read (and the
         * comparison drops what it has read), so peak memory stays small */
        int populate = size <= XA_POPULATE_MAX ? MAP_POPULATE : 0;
        void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | populate, fd, 0);
        close(fd);
        if (p == MAP_FAILED)
            return xa_fail(err, XA_EIO, "%s: cannot map: %s", path, strerror(errno));
        f->backing = xa_backing_map(p, size);
        if (!f->backing) {
            munmap(p, size);
            return xa_fail(err, XA_ENOMEM, "out of memory");
        }
    } else {
        f->backing = xa_backing_heap(size, 0);
        if (!f->backing) {
            close(fd);
            return xa_fail(err, XA_ENOMEM, "%s: out of memory reading %zu bytes", path, size);
        }
        size_t got = 0;
        while (got < size) {
            ssize_t r = read(fd, (char *)f->backing->base + got, size - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                int e = r < 0 ? errno : 0;
                close(fd);
                xa_backing_unref(f->backing);
                f->backing = NULL;
                return xa_fail(err, XA_EIO, "%s: read failed: %s", path,
                               e ? strerror(e) : "file shrank while reading");
            }
            got += (size_t)r;
        }
        close(fd);
    }
    f->data = f->backing->base;
    f->size = size;
    return XA_OK;
}

void xa_file_close(xa_file *f) {
    if (!f) return;
    xa_backing_unref(f->backing);
    memset(f, 0, sizeof *f);
}

static uintptr_t page_size(void) {
    /* cached; threads that race to fill it store the same value, atomically (ThreadSanitizer
     * saw the plain read and write when comparison threads release pages at once) */
    static uintptr_t ps;
    uintptr_t v = __atomic_load_n(&ps, __ATOMIC_RELAXED);
    if (!v) {
        long s = sysconf(_SC_PAGESIZE);
        v = s > 0 ? (uintptr_t)s : 4096;
        __atomic_store_n(&ps, v, __ATOMIC_RELAXED);
    }
    return v;
}

void xa_mapping_release(const void *p, size_t n) {
    /* only whole pages inside [p, p+n) */
    uintptr_t ps = page_size(), a = ((uintptr_t)p + ps - 1) & ~(ps - 1),
              e = ((uintptr_t)p + n) & ~(ps - 1);
    if (e > a) madvise((void *)a, e - a, MADV_DONTNEED);
}

xa_status xa_write_file(const char *path, const void *a, size_t na, const void *b, size_t nb,
                        xa_error *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return xa_fail(err, XA_EIO, "%s: cannot create: %s", path, strerror(errno));
    const void *parts[2] = {a, b};
    size_t sizes[2] = {na, nb};
    for (int k = 0; k < 2; k++) {
        const char *p = parts[k];
        size_t left = sizes[k];
        while (left) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                int e = errno;
                close(fd);
                return xa_fail(err, XA_EIO, "%s: write failed: %s", path, strerror(e));
            }
            p += w;
            left -= (size_t)w;
        }
    }
    if (close(fd) != 0) return xa_fail(err, XA_EIO, "%s: close failed: %s", path, strerror(errno));
    return XA_OK;
}
