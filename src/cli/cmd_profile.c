/* entropy-lens profile: images in, one entropy profile record per image out. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dist.h"
#include "cli/inputs.h"
#include "cli/resume.h"
#include "cli/run_identity.h"
#include "cli/progress.h"
#include "cli/summary.h"
#include "entropy_lens.h"
#include "records/records.h"

static const char *help =
    "Usage: entropy-lens profile PATH... [options]\n"
    "\n"
    "Per-layer logit-lens entropy profiles of images. PATH is any mix of image\n"
    "files (PNG, JPEG, PPM/PGM) and folders. A folder is read with its class\n"
    "subfolders (ImageFolder layout root/<class>/<image>: the class folder's name\n"
    "is the image's label); --recursive reads every depth.\n"
    "\n"
    "Options:\n"
    "  --model DIR            HF (ViT, DeiT) or timm model folder, or ORG/NAME[@REV]\n"
    "                         from the Hugging Face cache (HF_HOME)\n"
    "                         (default: the sample model samples/models/fashion-vit)\n"
    "  -o, --output FILE      write records here (default: stdout)\n"
    "  --format jsonl|csv     record format (default jsonl)\n"
    "  --tokens LIST          cls,patches,mean: CLS profile (always), every patch\n"
    "                         token's entropy (patch_entropy), their mean (entropy_mean)\n"
    "  --alpha A[,A...]       also Renyi entropies of these orders (0, inf, or > 0 and != 1)\n"
    "  --units U              nats (default), bits, or normalized (/ log #classes)\n"
    "  --include-embeddings   add layer 0, the embeddings before the first block\n"
    "  --labels FILE.csv      labels from a CSV with 'file' and 'class_index' or 'label'\n"
    "  --recursive            walk folders to any depth\n"
    "  --batch N              images per forward pass (default 8)\n"
    "  --threads N            threads (default: all cores)\n"
    "  --max-pixels N         refuse larger images (default 89478485, as Pillow)\n"
    "  --resume               continue a killed or interrupted run: keep the records\n"
    "                         already in -o FILE, append the missing ones\n"
    "  -q, --quiet            no progress bar or summary\n"
    "\n"
    "Output: see README.md, section Output. A failed image gets a record with\n"
    "'error' and the run goes on. Records are written whole, in input order, as\n"
    "they finish. Under mpirun, ranks share the batches and rank 0 writes one\n"
    "file identical to a single-process run.\n"
    "\n" EL_EXIT_CODES_HELP;

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C stops at once */
}

typedef struct {
    const char *model_dir, *output, *labels;
    el_format format;
    el_lens_params lp;
    int recursive, quiet, resume;
    long batch, threads, max_pixels;
} options;

static int parse_tokens(const char *s, int *tokens) {
    *tokens = EL_TOKENS_CLS;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "cls")) *tokens |= EL_TOKENS_CLS;
        else if (!strcmp(t, "patches")) *tokens |= EL_TOKENS_PATCHES;
        else if (!strcmp(t, "mean")) *tokens |= EL_TOKENS_MEAN;
        else return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, options *o, char ***paths, int *n_paths) {
    memset(o, 0, sizeof *o);
    o->lp = el_lens_default_params();
    o->batch = 8;
    o->max_pixels = (long)EL_DEFAULT_MAX_PIXELS;
    *paths = calloc((size_t)argc, sizeof(char *));
    if (!*paths) return -1;
    *n_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
#define VALUE(name) ((v = el_opt_value(argc, argv, &i, name)) != NULL)
#define NEEDS(name)                                                                       \
    (!strcmp(a, name) && i + 1 >= argc                                                    \
         ? (fprintf(stderr, "entropy-lens profile: %s needs a value\n", name), 1) : 0)
        if (NEEDS("--model") || NEEDS("-o") || NEEDS("--output") || NEEDS("--format") || NEEDS("--tokens") ||
            NEEDS("--alpha") || NEEDS("--units") || NEEDS("--labels") || NEEDS("--batch") || NEEDS("--threads") ||
            NEEDS("--max-pixels"))
            return -1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            printf("\nModel families: %s\n", el_model_families());
            exit(EL_EXIT_OK);
        } else if (VALUE("--model")) {
            o->model_dir = v;
        } else if (VALUE("-o") || VALUE("--output")) {
            o->output = v;
        } else if (VALUE("--format")) {
            if (!strcmp(v, "jsonl")) o->format = EL_FORMAT_JSONL;
            else if (!strcmp(v, "csv")) o->format = EL_FORMAT_CSV;
            else return fprintf(stderr, "entropy-lens profile: --format is jsonl or csv, not '%s'\n", v), -1;
        } else if (VALUE("--tokens")) {
            if (parse_tokens(v, &o->lp.tokens))
                return fprintf(stderr, "entropy-lens profile: --tokens takes cls, patches, mean, not '%s'\n", v), -1;
        } else if (VALUE("--alpha")) {
            if (el_parse_alpha(v, &o->lp))
                return fprintf(stderr, "entropy-lens profile: --alpha takes up to %d orders: 0, inf, or > 0 and != 1 ('%s')\n",
                               EL_MAX_ALPHA, v), -1;
        } else if (VALUE("--units")) {
            if (el_parse_units(v, &o->lp.units)) return fprintf(stderr, "entropy-lens profile: --units is nats, bits or normalized, not '%s'\n", v), -1;
        } else if (VALUE("--labels")) {
            o->labels = v;
        } else if (VALUE("--batch")) {
            if (el_parse_int("profile", "--batch", v, 1, 1024, &o->batch)) return -1;
        } else if (VALUE("--threads")) {
            if (el_parse_int("profile", "--threads", v, 0, 1024, &o->threads)) return -1;
        } else if (VALUE("--max-pixels")) {
            if (el_parse_int("profile", "--max-pixels", v, 1, 1L << 40, &o->max_pixels)) return -1;
        } else if (!strcmp(a, "--recursive") || !strcmp(a, "-r")) {
            o->recursive = 1;
        } else if (!strcmp(a, "--include-embeddings")) {
            o->lp.include_embeddings = 1;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "entropy-lens profile: unknown option '%s' (see --help)\n", a);
            return -1;
        } else {
            (*paths)[(*n_paths)++] = argv[i];
        }
#undef VALUE
#undef NEEDS
    }
    if (*n_paths == 0) {
        fprintf(stderr, "entropy-lens profile: no PATH given (see --help)\n");
        return -1;
    }
    if (o->resume && (!o->output || !strcmp(o->output, "-"))) {
        fprintf(stderr, "entropy-lens profile: --resume needs -o FILE (the output of the run to continue)\n");
        return -1;
    }
    /* CSV has one row of layer columns: what does not fit is refused, never dropped. */
    if (o->format == EL_FORMAT_CSV && (o->lp.n_alpha || (o->lp.tokens & (EL_TOKENS_PATCHES | EL_TOKENS_MEAN))))
        return fprintf(stderr, "entropy-lens profile: --format csv cannot hold %s (use JSONL)\n",
                       o->lp.n_alpha ? "--alpha (Renyi entropies)" : "--tokens patches/mean"), -1;
    return 0;
}

/* ---------------------------------------------------------------- inputs */

/* The input list travels from rank 0 to the others as fields: label_index,
 * then path, label and error. */
static void serialize_inputs(const el_input_list *l, el_strbuf *sb) {
    el_sb_printf(sb, "%zu", l->skipped);
    el_sb_putc(sb, '\0');
    for (size_t i = 0; i < l->n; i++) {
        el_sb_printf(sb, "%d", l->items[i].label_index);
        el_sb_putc(sb, '\0');
        el_dist_put_field(sb, l->items[i].path);
        el_dist_put_field(sb, l->items[i].label);
        el_dist_put_field(sb, l->items[i].error);
    }
}

static int deserialize_inputs(const char *buf, size_t len, el_input_list *l) {
    const char *p = buf, *end = buf + len;
    char *sk = el_dist_take_field(&p, end);
    l->skipped = sk ? strtoull(sk, NULL, 10) : 0;
    free(sk);
    while (p < end) {
        char *idx = el_dist_take_field(&p, end);
        el_input it = {.label_index = idx ? atoi(idx) : -1};
        free(idx);
        it.path = el_dist_take_field(&p, end);
        it.label = el_dist_take_field(&p, end);
        it.error = el_dist_take_field(&p, end);
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 256;
            el_input *q = realloc(l->items, cap * sizeof *q);
            if (!q) return -1;
            l->items = q;
            l->cap = cap;
        }
        l->items[l->n++] = it;
    }
    return 0;
}

/* --resume by input position: records are in input order, so the output's
 * n records are the first n inputs' (each checked by file name). */
static int drop_done(el_input_list *l, const el_resume_state *rs, int csv, const char *output) {
    if (rs->n_records > l->n) {
        fprintf(stderr, "entropy-lens profile: --resume: %s holds %zu records but the run has %zu inputs\n", output,
                rs->n_records, l->n);
        return -1;
    }
    el_strbuf key = {0};
    int rc = 0;
    for (size_t i = 0; i < rs->n_records && !rc; i++) {
        el_sb_reset(&key);
        if (csv) el_sb_csv_str(&key, l->items[i].path);
        else el_sb_json_str(&key, l->items[i].path);
        if (!key.data || i >= rs->n_keys || strcmp(rs->keys[i], key.data)) {
            fprintf(stderr, "entropy-lens profile: --resume: record %zu of %s is for %s, but input %zu is %s\n", i + 1,
                    output, i < rs->n_keys ? rs->keys[i] : "?", i + 1, key.data ? key.data : "?");
            rc = -1;
        }
    }
    el_sb_free(&key);
    if (!rc) el_inputs_drop_front(l, rs->n_records);
    return rc;
}

/* Run identity: cli/run_identity.h. */
static int settle_identity(const options *o, const char *model_dir, int argc, char **argv, const el_input_list *l,
                           const el_resume_state *rs) {
    static const char *const skip_value[] = {"-o", "--output", "--threads", "--batch", NULL};
    static const char *const skip_flag[] = {"--resume", "-q", "--quiet", NULL};
    uint64_t fp = EL_FNV_START;
    for (size_t i = 0; i < l->n; i++) {
        const el_input *it = &l->items[i];
        fp = el_fnv(fp, it->path, strlen(it->path) + 1);
        if (it->label) fp = el_fnv(fp, it->label, strlen(it->label) + 1);
        fp = el_fnv(fp, &it->label_index, sizeof it->label_index);
    }
    return el_run_identity_settle("profile", o->format == EL_FORMAT_CSV, model_dir, argc, argv, skip_value, skip_flag,
                                  l->n, fp, o->output, o->resume && (rs->n_records || rs->has_header));
}

/* ---------------------------------------------------------------- run */

typedef struct {
    char error[1024];
    int ok;
    int has_view;   /* view = the image region the model saw */
    double view[4];
} slot_state;

/* One batch's decoded input: pixels and per-image status. Two of them
 * alternate, so the next batch decodes while this one runs the model. */
typedef struct {
    float *pixels;
    slot_state *slots;
    size_t unit;  /* which unit it holds (SIZE_MAX: none) */
} batch_buf;

typedef struct profile_run profile_run;

typedef struct {
    pthread_t thread;
    int running;
    profile_run *R;
    batch_buf *buf;
} prefetch;

struct profile_run {
    options *o;
    el_model *m;
    el_state *st;
    el_model_info info;
    el_input_list *inputs;
    el_profile *profiles;
    batch_buf bufs[2];
    int cur;
    prefetch pf;
    size_t img_floats;
    el_record_ctx rctx;
    el_summary sum;
    size_t done_ok, failed;
    size_t labelled, right; /* records with a known class, of which top-1 right */
    int out_fd;
    el_progress bar;
    size_t written;
    int spare_core; /* a core beyond the model's threads (of all ranks) */
};

/* Decode and preprocess one unit's images into buf; parallel when called
 * from the main thread, sequential from the prefetch thread (which runs
 * beside the model's own threads). */
static void decode_unit(profile_run *R, size_t unit, batch_buf *buf, int parallel) {
    const int B = (int)R->o->batch;
    const size_t start = unit * (size_t)B;
    const int nb = (int)(R->inputs->n - start < (size_t)B ? R->inputs->n - start : (size_t)B);
    const size_t img_floats = R->img_floats;
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
    for (int i = 0; i < nb; i++) {
        const el_input *in = &R->inputs->items[start + (size_t)i];
        slot_state *s = &buf->slots[i];
        s->ok = 0;
        if (in->error) {
            snprintf(s->error, sizeof s->error, "%s: %s", in->path, in->error);
            continue;
        }
        el_image img;
        if (el_image_load(in->path, R->info.channels, (size_t)R->o->max_pixels, &img) != EL_OK) {
            snprintf(s->error, sizeof s->error, "%s", el_last_error());
            continue;
        }
        if (el_preprocess_image(&img, &R->info.preprocess, buf->pixels + img_floats * (size_t)i) != EL_OK)
            snprintf(s->error, sizeof s->error, "%s: %s", in->path, el_last_error());
        else
            s->ok = 1;
        s->has_view = s->ok && el_preprocess_view(&R->info.preprocess, img.width, img.height, s->view) == EL_OK;
        el_image_free(&img);
    }
    buf->unit = unit;
}

static void *prefetch_main(void *arg) {
    prefetch *pf = arg;
    decode_unit(pf->R, pf->buf->unit, pf->buf, 0);
    return NULL;
}

static void prefetch_wait(profile_run *R) {
    if (R->pf.running) pthread_join(R->pf.thread, NULL);
    R->pf.running = 0;
}

/* One unit = one batch: its images decoded (by the prefetch thread, or now),
 * one batched forward pass, then the batch's records in input order. */
static int profile_unit(void *vctx, size_t unit, el_strbuf *out) {
    profile_run *R = vctx;
    const int B = (int)R->o->batch;
    const size_t start = unit * (size_t)B;
    const int nb = (int)(R->inputs->n - start < (size_t)B ? R->inputs->n - start : (size_t)B);
    const size_t img_floats = R->img_floats;
    prefetch_wait(R);
    batch_buf *buf = &R->bufs[R->cur];
    if (buf->unit != unit) decode_unit(R, unit, buf, 1);
    /* This rank's next unit decodes while the model runs on this one, if a
     * core is left over for it. Otherwise it is decoded by all threads when
     * its turn comes: a third thread on two busy cores preempts one of the
     * model's threads, and the other waits at the next barrier (ViT-Tiny on
     * 2 cores ran 7 % faster without it). */
    const size_t next = unit + (size_t)el_dist_size();
    batch_buf *other = &R->bufs[1 - R->cur];
    other->unit = SIZE_MAX;
    if (next * (size_t)B < R->inputs->n && R->spare_core) {
        other->unit = next;
        R->pf = (prefetch){.R = R, .buf = other};
        R->pf.running = pthread_create(&R->pf.thread, NULL, prefetch_main, &R->pf) == 0;
        if (!R->pf.running) other->unit = SIZE_MAX;
    }
    slot_state *slots = buf->slots;
    float *pixels = buf->pixels;
    /* Pack the good images to the front for one batched forward pass. */
    int good = 0, map[1024];
    for (int i = 0; i < nb; i++)
        if (slots[i].ok) {
            if (good != i) memcpy(pixels + img_floats * (size_t)good, pixels + img_floats * (size_t)i, sizeof(float) * img_floats);
            map[i] = good++;
        }
    if (good && el_model_profile(R->st, pixels, good, &R->o->lp, R->profiles) != EL_OK) {
        for (int i = 0; i < nb; i++)
            if (slots[i].ok) {
                slots[i].ok = 0;
                snprintf(slots[i].error, sizeof slots[i].error, "%s: %s", R->inputs->items[start + (size_t)i].path,
                         el_last_error());
            }
    }
    for (int i = 0; i < nb; i++) {
        const el_input *in = &R->inputs->items[start + (size_t)i];
        int label_index = in->label_index;
        if (label_index < 0 && in->label) label_index = el_model_class_index(R->m, in->label);
        el_image_record r = {.file = in->path, .label = in->label, .label_index = label_index};
        if (slots[i].ok && R->profiles[map[i]].overflow_layer >= 0) {
            slots[i].ok = 0;
            snprintf(slots[i].error, sizeof slots[i].error,
                     "%s: the forward pass overflowed float32 from layer %d (NaN/Inf): the model's weights are out of range",
                     in->path, R->profiles[map[i]].overflow_layer);
        }
        if (slots[i].ok) {
            r.profile = &R->profiles[map[i]];
            if (slots[i].has_view) r.view = slots[i].view;
            if (!in->label && label_index >= 0) r.label = el_model_class_name(R->m, label_index);
            el_summary_add(&R->sum, r.label, r.profile->entropy);
            R->done_ok++;
            if (label_index >= 0) R->labelled++, R->right += r.profile->top1 == label_index;
        } else {
            r.error = slots[i].error;
            R->failed++;
            if (!R->o->quiet) {
                el_progress_finish(&R->bar);
                fprintf(stderr, "entropy-lens: error: %s\n", slots[i].error);
            }
        }
        el_record_format(out, &R->rctx, &r);
    }
    buf->unit = SIZE_MAX;
    R->cur = 1 - R->cur;
    if (out->oom) {
        fprintf(stderr, "entropy-lens profile: out of memory formatting records\n");
        return -1;
    }
    return 0;
}

static int profile_write(void *vctx, size_t unit, const char *data, size_t len) {
    profile_run *R = vctx;
    if (el_write_all(R->out_fd, data, len)) {
        fprintf(stderr, "entropy-lens profile: %s: write failed: %s\n", R->o->output ? R->o->output : "stdout", strerror(errno));
        return -1;
    }
    R->written = (unit + 1) * (size_t)R->o->batch;
    if (R->written > R->inputs->n) R->written = R->inputs->n;
    el_progress_update(&R->bar, R->written, R->failed);
    return 0;
}

int cmd_profile(int argc, char **argv) {
    options o;
    char **paths = NULL;
    int n_paths = 0;
    if (parse_args(argc, argv, &o, &paths, &n_paths)) {
        free(paths);
        return EL_EXIT_USAGE;
    }
    const int rank = el_dist_rank();
    int rc = EL_EXIT_OK;
    el_input_list inputs = {0};
    el_resume_state rs = {0};
    el_strbuf sb = {0};
    profile_run R = {.o = &o, .inputs = &inputs, .out_fd = -1};
    R.bufs[0].unit = R.bufs[1].unit = SIZE_MAX;

    el_state_params sp = el_state_default_params();
    sp.n_threads = (int)o.threads;
    const char *model_dir = o.model_dir ? o.model_dir : el_default_model_dir();
    int ok = el_model_load(model_dir, NULL, &R.m) == EL_OK && el_state_new(R.m, &sp, &R.st) == EL_OK;
    if (!ok) fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
    if (ok && !o.model_dir && !o.quiet && rank == 0)
        fprintf(stderr, "entropy-lens profile: note: no --model given: using the Fashion-MNIST sample model %s "
                        "(28x28 grey clothing, 10 classes)\n", model_dir);
    if (!el_dist_all_ok(ok)) {
        rc = EL_EXIT_FATAL;
        goto done;
    }
    el_model_get_info(R.m, &R.info);
    R.info.preprocess.max_pixels = (size_t)o.max_pixels; /* resize targets obey --max-pixels too */
    {
        const long procs = sysconf(_SC_NPROCESSORS_ONLN), used = o.threads > 0 ? o.threads : procs;
        R.spare_core = used * el_dist_size() < procs;
    }
    if (R.info.is_text) {
        if (rank == 0) fprintf(stderr, "entropy-lens profile: %s is a language model (use entropy-lens text)\n", model_dir);
        rc = EL_EXIT_FATAL;
        goto done;
    }
    /* Rank 0 lists the inputs once (and drops what --resume finds done);
     * every rank gets the same list. */
    ok = 1;
    if (rank == 0) {
        if (el_inputs_collect(&inputs, paths, n_paths, o.recursive)) {
            fprintf(stderr, "entropy-lens profile: out of memory listing inputs\n");
            ok = 0;
        }
        if (ok && o.labels) {
            char err[1024];
            if (el_inputs_apply_labels(&inputs, o.labels, R.info.n_classes, err, sizeof err)) {
                fprintf(stderr, "entropy-lens profile: %s\n", err);
                ok = 0;
            }
        }
        /* Refused before anything is written; locked before --resume reads
         * (and may cut a partial record), so a concurrent writer is never cut. */
        for (size_t i = 0; ok && i < inputs.n; i++)
            if (el_output_is_input("profile", o.output, inputs.items[i].path)) ok = 0;
        if (ok && o.labels && el_output_is_input("profile", o.output, o.labels)) ok = 0;
        if (ok && (R.out_fd = el_open_output("profile", o.output, o.resume)) < 0) ok = 0;
        if (ok && o.resume && el_resume_scan(o.output, o.format == EL_FORMAT_CSV, "file", &rs)) ok = 0;
        if (ok && settle_identity(&o, model_dir, argc, argv, &inputs, &rs)) ok = 0;
        if (ok && o.resume) {
            const size_t done = rs.n_records;
            if (drop_done(&inputs, &rs, o.format == EL_FORMAT_CSV, o.output)) ok = 0;
            else if (!o.quiet)
                fprintf(stderr, "entropy-lens profile: resuming: %zu records already in %s, %zu to go\n", done, o.output,
                        inputs.n);
        }
    }
    if (!el_dist_all_ok(ok)) {
        rc = EL_EXIT_FATAL;
        goto done;
    }
    if (el_dist_size() > 1) {
        char *buf = NULL;
        size_t len = 0;
        if (rank == 0) {
            serialize_inputs(&inputs, &sb);
            buf = sb.data;
            len = sb.len;
        }
        el_dist_bcast(&buf, &len);
        if (rank != 0) {
            deserialize_inputs(buf, len, &inputs);
            free(buf);
        }
        el_sb_reset(&sb);
    }

    const int B = (int)o.batch;
    R.img_floats = (size_t)R.info.channels * R.info.image_size * R.info.image_size;
    R.profiles = calloc((size_t)B, sizeof *R.profiles);
    ok = R.profiles != NULL;
    for (int k = 0; k < 2 && ok; k++) {
        R.bufs[k].slots = calloc((size_t)B, sizeof(slot_state));
        R.bufs[k].pixels = malloc(sizeof(float) * R.img_floats * (size_t)B);
        ok = R.bufs[k].slots && R.bufs[k].pixels;
    }
    for (int i = 0; i < B && ok; i++)
        if (el_profile_init(&R.profiles[i], R.m, &o.lp) != EL_OK) {
            fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
            ok = 0;
        }
    if (!el_dist_all_ok(ok)) {
        rc = EL_EXIT_FATAL;
        goto done;
    }
    R.rctx = (el_record_ctx){.format = o.format, .model = R.info.name, .m = R.m, .lp = &o.lp, .n_layers = R.info.n_layers};
    if (rank == 0 && !(o.resume && (rs.has_header || rs.n_records))) {
        el_record_header(&sb, &R.rctx);
        if (sb.len && el_write_all(R.out_fd, sb.data, sb.len)) {
            fprintf(stderr, "entropy-lens profile: %s: write failed: %s\n", o.output ? o.output : "stdout", strerror(errno));
            el_dist_abort(EL_EXIT_FATAL);
        }
    }
    R.sum.depth = R.profiles[0].n_depth;

    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    el_progress_start(&R.bar, inputs.n, "images");
    if (o.quiet || rank != 0) R.bar.enabled = 0;
    const double t0 = el_now();
    const size_t units = (inputs.n + (size_t)B - 1) / (size_t)B;
    if (el_dist_run(units, profile_unit, profile_write, &R, &interrupted)) rc = EL_EXIT_FATAL;
    prefetch_wait(&R);
    el_progress_finish(&R.bar);
    const double secs = el_now() - t0;

    /* Every rank's counts and per-label sums meet at rank 0. */
    el_run_counts counts = {
        .ok = R.done_ok, .failed = R.failed, .labelled = R.labelled, .right = R.right, .interrupted = interrupted};
    el_summary_gather(&R.sum, &counts);
    if (rank == 0) {
        if (!o.quiet) {
            fprintf(stderr, "%zu images profiled, %zu failed, %zu skipped (not images), %.2f s, %.1f images/s%s%s\n",
                    counts.ok, counts.failed, inputs.skipped, secs, secs > 0 ? (counts.ok + counts.failed) / secs : 0.0,
                    el_dist_size() > 1 ? " (all ranks)" : "",
                    counts.interrupted ? " (interrupted: finished records are kept; --resume continues)" : "");
            if (counts.labelled)
                fprintf(stderr, "top-1 accuracy %.4f (%zu of %zu images with a known class)\n",
                        (double)counts.right / (double)counts.labelled, counts.right, counts.labelled);
            el_summary_print(&R.sum, "mean CLS entropy profile", el_units_name(o.lp.units), R.profiles[0].first_layer);
        }
        if (rc == EL_EXIT_OK) rc = counts.interrupted ? EL_EXIT_INTERRUPTED : counts.failed ? EL_EXIT_PARTIAL : EL_EXIT_OK;
    }

done:
    if (R.out_fd > STDOUT_FILENO) {
        if (close(R.out_fd) != 0 && rc == EL_EXIT_OK) {
            fprintf(stderr, "entropy-lens profile: %s: close failed: %s\n", o.output, strerror(errno));
            rc = EL_EXIT_FATAL;
        }
    }
    if (R.profiles)
        for (int i = 0; i < (int)o.batch; i++) el_profile_free(&R.profiles[i]);
    free(R.profiles);
    prefetch_wait(&R);
    for (int k = 0; k < 2; k++) {
        free(R.bufs[k].slots);
        free(R.bufs[k].pixels);
    }
    el_sb_free(&sb);
    el_summary_free(&R.sum);
    el_resume_free(&rs);
    el_inputs_free(&inputs);
    el_state_free(R.st);
    el_model_free(R.m);
    free(paths);
    return rc;
}
