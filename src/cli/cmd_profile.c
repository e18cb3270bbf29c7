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
#include "base/buffer.h"
#include "cli/options.h"
#include "cli/run_loop.h"
#include "cli/dist.h"
#include "cli/inputs.h"
#include "cli/resume.h"
#include "cli/run_identity.h"
#include "cli/progress.h"
#include "cli/summary.h"
#include "cli/zero_shot.h"
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
    "  --model DIR            HF (ViT, DeiT, DINOv2, BEiT, data2vec-vision, CLIP, SigLIP)\n"
    "                         or timm model folder, or ORG/NAME[@REV]\n"
    "                         from the Hugging Face cache (HF_HOME)\n"
    "                         (default: the sample model samples/models/fashion-vit)\n"
    "  -o, --output FILE      write records here (default: stdout)\n"
    EL_CLI_ZERO_SHOT_HELP
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

typedef struct {
    const char *model_dir, *output, *labels, *classes, *templates;
    el_format format;
    el_lens_params lp;
    int recursive, quiet, resume, batch, threads;
    long max_pixels;
} options;

static int parse_tokens(const char *s, void *dest) {
    int *tokens = dest;
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

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, options *o, const char ***paths, int *n_paths) {
    *o = (options){.lp = el_lens_default_params(), .batch = 8, .max_pixels = (long)EL_DEFAULT_MAX_PIXELS};
    const el_opt opts[] = {
        EL_OPT_STR("model", &o->model_dir),
        EL_OPT_STR_SHORT("output", 'o', &o->output),
        EL_OPT_FN("format", &o->format, el_opt_parse_format, "jsonl or csv"),
        EL_OPT_FN("tokens", &o->lp.tokens, parse_tokens, "a list of cls, patches, mean"),
        EL_OPT_FN("alpha", &o->lp, el_opt_parse_alpha, "up to 16 orders: 0, inf, or > 0 and != 1"),
        EL_OPT_FN("units", &o->lp.units, el_opt_parse_units, "nats, bits or normalized"),
        EL_OPT_SET("include-embeddings", &o->lp.include_embeddings),
        EL_OPT_STR("labels", &o->labels),
        EL_OPT_STR("classes", &o->classes),
        EL_OPT_STR("templates", &o->templates),
        EL_OPT_SET_SHORT("recursive", 'r', &o->recursive),
        EL_OPT_NUM("batch", &o->batch, 1, 1024),
        EL_OPT_NUM("threads", &o->threads, 0, 1024),
        EL_OPT_BIG("max-pixels", &o->max_pixels, 1, 1L << 40),
        EL_OPT_SET("resume", &o->resume),
        EL_OPT_SET_SHORT("quiet", 'q', &o->quiet),
        EL_OPT_TABLE_END};
    const el_cli cli = {"profile", help, el_cli_families_tail(), opts, EL_CLI_ANY, "no PATH given"};
    int rc = el_cli_parse(&cli, argc, argv, paths, n_paths);
    if (rc != EL_CLI_RUN) return rc;
    const char *bad = NULL;
    if (o->resume && (!o->output || !strcmp(o->output, "-")))
        bad = "--resume needs -o FILE (the output of the run to continue)";
    /* CSV has one row of layer columns: what does not fit is refused, never dropped. */
    else if (o->format == EL_FORMAT_CSV && o->lp.n_alpha) bad = "--format csv cannot hold --alpha (Renyi entropies) (use JSONL)";
    else if (o->format == EL_FORMAT_CSV && (o->lp.tokens & (EL_TOKENS_PATCHES | EL_TOKENS_MEAN)))
        bad = "--format csv cannot hold --tokens patches/mean (use JSONL)";
    if (bad) {
        fprintf(stderr, "entropy-lens profile: %s\n", bad);
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

/* ---------------------------------------------------------------- inputs */

/* The input list travels from rank 0 to the others as fields: label_index,
 * then path, label and error. */
static void serialize_inputs(const void *list, el_strbuf *sb) {
    const el_input_list *l = list;
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

static int deserialize_inputs(void *list, const char *buf, size_t len) {
    el_input_list *l = list;
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
        if (el_grow(&l->items, &l->cap, l->n, sizeof *l->items, 256)) return -1;
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
    /* A zero-shot classifier is made from these files: editing one in place
     * and resuming would mix two classifiers in one output. */
    const char *zs_files[2] = {o->classes, o->templates};
    for (int k = 0; k < 2; k++)
        if (zs_files[k]) {
            const uint64_t h = el_model_fingerprint(zs_files[k]);
            fp = el_fnv(fp, &h, sizeof h);
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
    const char **class_names; /* the model's, for the records' top1_label */
    el_run run;
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
        const int label_index = in->label_index; /* resolved once, on rank 0 (prepare_inputs) */
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
            el_summary_add(&R->run.sum, r.label, r.profile->entropy);
            R->run.counts.ok++;
            if (label_index >= 0) R->run.counts.labelled++, R->run.counts.right += r.profile->top1 == label_index;
        } else {
            r.error = slots[i].error;
            el_run_failed(&R->run, slots[i].error);
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

/* The model and its per-call state; 0 or -1 after a message. */
static int load_model(profile_run *R, const char *model_dir) {
    el_state_params sp = el_state_default_params();
    sp.n_threads = R->o->threads;
    el_model_params mp = el_model_default_params();
    char cache[4096];
    el_cli_zero_shot_params(&mp, R->o->classes, R->o->templates, R->o->output, cache, sizeof cache);
    if (el_model_load(model_dir, &mp, &R->m) != EL_OK || el_state_new(R->m, &sp, &R->st) != EL_OK) {
        fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
        return -1;
    }
    el_model_get_info(R->m, &R->info);
    if (!R->o->quiet && el_dist_rank() == 0) el_cli_zero_shot_note("profile", &R->info, &mp);
    R->info.preprocess.max_pixels = (size_t)R->o->max_pixels; /* resize targets obey --max-pixels too */
    const long procs = sysconf(_SC_NPROCESSORS_ONLN), used = R->o->threads > 0 ? R->o->threads : procs;
    R->spare_core = used * el_dist_size() < procs;
    if (R->info.is_text) {
        if (el_dist_rank() == 0)
            fprintf(stderr, "entropy-lens profile: %s is a language model (use entropy-lens text)\n", model_dir);
        return -1;
    }
    if (!R->o->model_dir && !R->o->quiet && el_dist_rank() == 0)
        fprintf(stderr, "entropy-lens profile: note: no --model given: using the Fashion-MNIST sample model %s "
                        "(28x28 grey clothing, 10 classes)\n", model_dir);
    return 0;
}

static int class_index_of(void *m, const char *label) { return el_model_class_index(m, label); }

/* Rank 0: the input list, the output opened, --resume's records dropped
 * from the list. 0 or -1 after a message. */
static int prepare_inputs(profile_run *R, const char **paths, int n_paths, const char *model_dir, int argc, char **argv) {
    const options *o = R->o;
    el_input_list *l = R->inputs;
    if (el_inputs_collect(l, (char **)paths, n_paths, o->recursive)) {
        fprintf(stderr, "entropy-lens profile: out of memory listing inputs\n");
        return -1;
    }
    char err[1024];
    if (o->labels && el_inputs_apply_labels(l, o->labels, R->info.n_classes, err, sizeof err)) {
        fprintf(stderr, "entropy-lens profile: %s\n", err);
        return -1;
    }
    char unmatched[256];
    const size_t n_bad = el_inputs_resolve_labels(l, R->info.n_classes, class_index_of, R->m, unmatched, sizeof unmatched);
    if (n_bad && !o->quiet)
        fprintf(stderr, "entropy-lens profile: warning: %zu label folder%s match%s no class of %s (%s%s): label_index null\n",
                n_bad, n_bad == 1 ? "" : "s", n_bad == 1 ? "es" : "", R->info.name, unmatched, n_bad > 3 ? ", ..." : "");
    const char **names = malloc(sizeof(char *) * (l->n + 1));
    if (!names) return -1;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) names[n++] = l->items[i].path;
    if (o->labels) names[n++] = o->labels;
    int rc = el_run_open(&R->run, names, n);
    free(names);
    if (rc || settle_identity(o, model_dir, argc, argv, l, &R->run.rs)) return -1;
    if (!o->resume) return 0;
    const size_t done = R->run.rs.n_records;
    if (drop_done(l, &R->run.rs, o->format == EL_FORMAT_CSV, o->output)) return -1;
    if (!o->quiet)
        fprintf(stderr, "entropy-lens profile: resuming: %zu records already in %s, %zu to go\n", done, o->output, l->n);
    return 0;
}

/* The batch buffers and profiles; the CSV header unless resuming. 0 or -1. */
static int prepare_run(profile_run *R) {
    const int B = R->o->batch;
    R->img_floats = (size_t)R->info.channels * R->info.image_size * R->info.image_size;
    R->profiles = calloc((size_t)B, sizeof *R->profiles);
    int ok = R->profiles != NULL;
    for (int k = 0; k < 2 && ok; k++) {
        R->bufs[k].slots = calloc((size_t)B, sizeof(slot_state));
        R->bufs[k].pixels = malloc(sizeof(float) * R->img_floats * (size_t)B);
        ok = R->bufs[k].slots && R->bufs[k].pixels;
    }
    for (int i = 0; i < B && ok; i++)
        if (el_profile_init(&R->profiles[i], R->m, &R->o->lp) != EL_OK) {
            fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
            ok = 0;
        }
    if (!ok) return -1;
    const int C = R->info.n_classes;
    R->class_names = calloc((size_t)(C > 0 ? C : 1), sizeof(char *));
    if (!R->class_names) return -1;
    for (int k = 0; k < C; k++) R->class_names[k] = el_model_class_name(R->m, k);
    R->rctx = (el_record_ctx){.format = R->o->format, .model = R->info.name, .class_names = R->class_names,
                              .n_classes = C, .lp = &R->o->lp, .n_layers = R->info.n_layers};
    R->run.sum.depth = R->profiles[0].n_depth;
    if (el_dist_rank() != 0 || el_run_continues(&R->run)) return 0;
    el_strbuf sb = {0};
    el_record_header(&sb, &R->rctx);
    int rc = el_run_write(&R->run, sb.data, sb.len);
    el_sb_free(&sb);
    return rc;
}

static void print_summary(const profile_run *R) {
    const el_run_counts *c = &R->run.counts;
    const double secs = R->run.secs;
    fprintf(stderr, "%zu images profiled, %zu failed, %zu skipped (not images), %.2f s, %.1f images/s%s%s\n", c->ok,
            c->failed, R->inputs->skipped, secs, secs > 0 ? (c->ok + c->failed) / secs : 0.0, el_run_ranks_note(),
            el_run_interrupted_note(&R->run));
    if (c->labelled)
        fprintf(stderr, "top-1 accuracy %.4f (%zu of %zu images with a known class)\n",
                (double)c->right / (double)c->labelled, c->right, c->labelled);
    el_summary_print(&R->run.sum, "mean CLS entropy profile", el_units_name(R->o->lp.units), R->profiles[0].first_layer);
}

static void free_run(profile_run *R) {
    if (R->profiles)
        for (int i = 0; i < R->o->batch; i++) el_profile_free(&R->profiles[i]);
    free(R->profiles);
    free(R->class_names);
    prefetch_wait(R);
    for (int k = 0; k < 2; k++) {
        free(R->bufs[k].slots);
        free(R->bufs[k].pixels);
    }
    el_inputs_free(R->inputs);
    el_state_free(R->st);
    el_model_free(R->m);
}

int cmd_profile(int argc, char **argv) {
    options o;
    const char **paths = NULL;
    int n_paths = 0, rc = parse_args(argc, argv, &o, &paths, &n_paths);
    if (rc != EL_CLI_RUN) {
        free(paths);
        return rc;
    }
    el_input_list inputs = {0};
    profile_run R = {.o = &o, .inputs = &inputs};
    const el_run_params rp = {"profile", "images", o.output, o.format, o.resume, o.quiet, "file", (size_t)o.batch};
    el_run_init(&R.run, &rp);
    R.bufs[0].unit = R.bufs[1].unit = SIZE_MAX;
    const char *model_dir = o.model_dir ? o.model_dir : el_default_model_dir();
    rc = EL_EXIT_FATAL;
    /* Rank 0 lists the inputs once (and drops what --resume finds done);
     * every rank gets the same list. */
    if (el_dist_all_ok(load_model(&R, model_dir) == 0) &&
        el_dist_all_ok(el_dist_rank() != 0 || prepare_inputs(&R, paths, n_paths, model_dir, argc, argv) == 0) &&
        el_dist_all_ok(el_run_share(&inputs, serialize_inputs, deserialize_inputs) == 0) &&
        el_dist_all_ok(prepare_run(&R) == 0)) {
        rc = el_run_go(&R.run, inputs.n, profile_unit, &R) ? EL_EXIT_FATAL : EL_EXIT_OK;
        prefetch_wait(&R);
        if (el_dist_rank() == 0 && !o.quiet) print_summary(&R);
        rc = el_run_exit_code(&R.run, rc);
    }
    rc = el_run_close(&R.run, rc);
    free_run(&R);
    free(paths);
    return rc;
}
