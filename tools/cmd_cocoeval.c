/* xalign cocoeval --gt instances.json --dt results.json [--dt port.json] : pycocotools' bbox
 * evaluation, and what moves AP between two results files. */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign cocoeval --gt instances.json --dt results.json [--dt port.json] [options]\n\n"
    "Evaluate COCO results (bbox) as pycocotools' COCOeval(gt, dt, 'bbox') evaluate(),\n"
    "accumulate() and summarize() do, with the same 12 numbers in the same layout. With two\n"
    "--dt files, both are evaluated and each number's difference is printed, with the\n"
    "categories and images that move AP the most.\n\n"
    "options:\n"
    "  --gt FILE        COCO ground truth (images, annotations, categories)\n"
    "  --dt FILE        COCO results [{\"image_id\", \"category_id\", \"bbox\", \"score\"}, ...];\n"
    "                   once, or twice to compare two programs\n"
    "  --per-class      AP and AP50 of every category\n"
    "  --movers N       categories and images listed as moving AP most (default 10)\n"
    "  --check-images N images whose AP change is computed exactly (default 200, the most\n"
    "                   changed first)\n"
    "  --threads N      worker threads (default: all cores)\n"
    "  --json           {\"schema\": \"xalign.cocoeval/1\", \"stats\": [12 numbers]}; with two "
    "--dt\n"
    "                   {\"runs\": [{\"dt\", \"stats\"}, ...], \"diff\", \"movers\"}\n"
    "  --help           this text\n\n"
    "Detections of an image the ground truth does not list are an error (pycocotools asserts);\n"
    "detections of a category it does not list are ignored (as pycocotools does) and counted.\n"
    "exit: 0 evaluated (with two --dt: the 12 numbers are equal), 1 with two --dt whose numbers\n"
    "differ, 2 usage or input error\n";

typedef struct load_job {
    const char *path;
    int gt;
    xa_coco_gt *g;
    xa_dets *d;
    xa_error err;
    xa_status st;
} load_job;

static void *load_one(void *p) {
    load_job *j = p;
    j->st = j->gt ? xa_coco_gt_load(j->path, NULL, &j->g, &j->err)
                  : xa_coco_results_load(j->path, NULL, &j->d, &j->err);
    return NULL;
}

int cmd_cocoeval(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "cocoeval");
    const char *gt = NULL, *dt[2] = {NULL, NULL};
    int ndt = 0, json = 0, per_class = 0, rc;
    long threads = 0, movers = 10, check = 200;
    while (cli_next(&a)) {
        const char *o = a.opt;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (!strcmp(o, "--per-class")) {
            per_class = 1;
        } else if (!strcmp(o, "--gt")) {
            if (!(gt = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--dt")) {
            const char *v = cli_value(&a);
            if (!v) return XA_EXIT_USAGE;
            if (ndt == 2) return cli_error("cocoeval", "at most two --dt files");
            dt[ndt++] = v;
        } else if (!strcmp(o, "--threads")) {
            if (!cli_parse_int(&a, &threads)) return XA_EXIT_USAGE;
            if (threads < 1 || threads > 64)
                return cli_error("cocoeval", "--threads must be 1..64");
        } else if (!strcmp(o, "--movers") || !strcmp(o, "--check-images")) {
            long *dst = o[2] == 'm' ? &movers : &check;
            if (!cli_parse_int(&a, dst)) return XA_EXIT_USAGE;
            if (*dst < 0) return cli_error("cocoeval", "%s must not be negative", o);
        } else {
            return cli_error("cocoeval", "unknown option '%s' (see --help)", o);
        }
    }
    if (a.npos)
        return cli_error("cocoeval", "unexpected argument '%s' (files go after --gt and --dt)",
                         a.pos[0]);
    if (!gt && !ndt) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    if (!gt) return cli_error("cocoeval", "--gt instances.json is missing");
    if (!ndt) return cli_error("cocoeval", "--dt results.json is missing");
    /* read the files at once, one thread each */
    load_job jobs[3];
    memset(jobs, 0, sizeof jobs);
    jobs[0].path = gt;
    jobs[0].gt = 1;
    for (int i = 0; i < ndt; i++) jobs[1 + i].path = dt[i];
    pthread_t tid[3];
    int started[3] = {0};
    for (int i = 1; i < 1 + ndt; i++)
        started[i] = pthread_create(&tid[i], NULL, load_one, &jobs[i]) == 0;
    load_one(&jobs[0]);
    for (int i = 1; i < 1 + ndt; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            load_one(&jobs[i]);
    }
    rc = XA_EXIT_OK;
    for (int i = 0; i < 1 + ndt && !rc; i++)
        if (jobs[i].st) rc = cli_lib_error("cocoeval", &jobs[i].err, jobs[i].st);
    xa_cocoeval *ev[2] = {NULL, NULL};
    xa_cocoeval_movers *mv = NULL;
    for (int i = 0; i < ndt && !rc; i++) {
        xa_error err = {0};
        xa_status st = xa_cocoeval_run(jobs[0].g, jobs[1 + i].d, (int)threads, &ev[i], &err);
        if (st) rc = cli_error("cocoeval", "%s: %s", dt[i], err.message);
    }
    if (!rc && ndt == 2) {
        xa_error err = {0};
        xa_status st =
            xa_cocoeval_movers_new(jobs[0].g, ev[0], ev[1], (size_t)check, (int)threads, &mv, &err);
        if (st) rc = cli_lib_error("cocoeval", &err, st);
    }
    if (!rc) {
        char *t = json       ? xa_report_cocoeval_json(ev[0], dt[0], ev[1], dt[1], mv, per_class)
                  : ndt == 1 ? xa_report_cocoeval_text(ev[0], per_class)
                             : xa_report_cocoeval_diff_text(ev[0], dt[0], ev[1], dt[1], mv,
                                                            per_class, (size_t)movers);
        rc = cli_emit(t, "cocoeval");
        if (!rc && ndt == 2)
            for (int i = 0; i < 12; i++)
                if (ev[0]->stats[i] != ev[1]->stats[i]) rc = XA_EXIT_UNALIGNED;
    }
    xa_cocoeval_movers_free(mv);
    for (int i = 0; i < 2; i++) xa_cocoeval_free(ev[i]);
    xa_coco_gt_free(jobs[0].g);
    for (int i = 0; i < ndt; i++) xa_dets_free(jobs[1 + i].d);
    return rc;
}
