#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static int threads_override; /* 0: default */

static int threads_default(void) {
    const char *e = getenv("XA_THREADS");
    if (e && *e) {
        long v = strtol(e, NULL, 10);
        if (v >= 1) return v > 64 ? 64 : (int)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > 64 ? 64 : (int)n;
}

int xa_threads_get(void) {
    int o = __atomic_load_n(&threads_override, __ATOMIC_RELAXED);
    return o > 0 ? o : threads_default();
}

void xa_threads_set(int n) {
    __atomic_store_n(&threads_override, n > 64 ? 64 : n, __ATOMIC_RELAXED);
}

typedef struct {
    void (*fn)(void *, int);
    void *arg;
    int n;
    int next; /* atomic work counter */
} par_job;

static void *par_worker(void *p) {
    par_job *j = p;
    for (;;) {
        int i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->n) break;
        j->fn(j->arg, i);
    }
    return NULL;
}

void xa_parallel(int threads, int n, void (*fn)(void *arg, int i), void *arg) {
    if (n <= 0) return;
    if (threads <= 0) threads = xa_threads_get();
    if (threads > n) threads = n;
    par_job j = {fn, arg, n, 0};
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads && t < 64; t++) {
        if (pthread_create(&tid[started], NULL, par_worker, &j) != 0) break; /* run fewer */
        started++;
    }
    par_worker(&j);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
}
