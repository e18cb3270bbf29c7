/* entropy-lens profile: images in, one entropy profile record per image out. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/progress.h"
#include "cli/summary.h"
#include "entropy_lens.h"
#include "output/records.h"

static const char *help =
    "Usage: entropy-lens profile PATH... [options]\n"
    "\n"
    "Per-layer logit-lens entropy profiles of images. PATH is any mix of image\n"
    "files (PNG, JPEG, PPM/PGM) and folders. A folder is read with its class\n"
    "subfolders (ImageFolder layout root/<class>/<image>: the class folder's name\n"
    "is the image's label); --recursive reads every depth.\n"
    "\n"
    "Options:\n"
    "  --model DIR            HF (ViT, DeiT) or timm model folder\n"
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
    "  -q, --quiet            no progress bar or summary\n"
    "\n"
    "Output: see README.md, section Output. A failed image gets a record with\n"
    "'error' and the run goes on.\n"
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
    int recursive, quiet;
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
    return 0;
}

/* ---------------------------------------------------------------- run */

typedef struct {
    char error[1024];
    int ok;
} slot_state;

int cmd_profile(int argc, char **argv) {
    options o;
    char **paths = NULL;
    int n_paths = 0;
    if (parse_args(argc, argv, &o, &paths, &n_paths)) {
        free(paths);
        return EL_EXIT_USAGE;
    }
    int rc = EL_EXIT_OK;
    el_model *m = NULL;
    el_input_list inputs = {0};
    el_profile *profiles = NULL;
    slot_state *slots = NULL;
    float *pixels = NULL;
    int out_fd = -1;
    el_strbuf sb = {0};
    el_summary sum = {0};

    el_model_params mp = el_model_default_params();
    mp.n_threads = (int)o.threads;
    const char *model_dir = o.model_dir ? o.model_dir : el_default_model_dir();
    if (el_model_load(model_dir, &mp, &m) != EL_OK) {
        fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
        rc = EL_EXIT_FATAL;
        goto done;
    }
    el_model_info info;
    el_model_get_info(m, &info);

    if (el_inputs_collect(&inputs, paths, n_paths, o.recursive)) {
        fprintf(stderr, "entropy-lens profile: out of memory listing inputs\n");
        rc = EL_EXIT_FATAL;
        goto done;
    }
    if (o.labels) {
        char err[1024];
        if (el_inputs_apply_labels(&inputs, o.labels, err, sizeof err)) {
            fprintf(stderr, "entropy-lens profile: %s\n", err);
            rc = EL_EXIT_FATAL;
            goto done;
        }
    }
    if (o.output && strcmp(o.output, "-")) {
        out_fd = open(o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            fprintf(stderr, "entropy-lens profile: %s: cannot write: %s\n", o.output, strerror(errno));
            rc = EL_EXIT_FATAL;
            goto done;
        }
    } else {
        out_fd = STDOUT_FILENO;
    }

    const int B = (int)o.batch;
    const size_t img_floats = (size_t)info.channels * info.image_size * info.image_size;
    profiles = calloc((size_t)B, sizeof *profiles);
    slots = calloc((size_t)B, sizeof *slots);
    pixels = malloc(sizeof(float) * img_floats * (size_t)B);
    if (!profiles || !slots || !pixels) {
        fprintf(stderr, "entropy-lens profile: out of memory for a batch of %d\n", B);
        rc = EL_EXIT_FATAL;
        goto done;
    }
    for (int i = 0; i < B; i++)
        if (el_profile_init(&profiles[i], m, &o.lp) != EL_OK) {
            fprintf(stderr, "entropy-lens profile: %s\n", el_last_error());
            rc = EL_EXIT_FATAL;
            goto done;
        }
    el_record_ctx rctx = {.format = o.format, .model = info.name, .m = m, .lp = &o.lp, .n_layers = info.n_layers};
    el_record_header(&sb, &rctx);
    if (sb.len && el_write_all(out_fd, sb.data, sb.len)) {
        fprintf(stderr, "entropy-lens profile: %s: write failed: %s\n", o.output ? o.output : "stdout", strerror(errno));
        rc = EL_EXIT_FATAL;
        goto done;
    }
    sum.depth = profiles[0].n_depth;

    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);

    el_progress bar;
    el_progress_start(&bar, inputs.n, "images");
    if (o.quiet) bar.enabled = 0;
    size_t done_ok = 0, failed = 0;
    const double t0 = el_now();
    for (size_t start = 0; start < inputs.n && !interrupted; start += (size_t)B) {
        const int nb = (int)(inputs.n - start < (size_t)B ? inputs.n - start : (size_t)B);
        /* Decode and preprocess in parallel: each image is independent. */
#pragma omp parallel for schedule(dynamic, 1)
        for (int i = 0; i < nb; i++) {
            const el_input *in = &inputs.items[start + (size_t)i];
            slot_state *s = &slots[i];
            s->ok = 0;
            if (in->error) {
                snprintf(s->error, sizeof s->error, "%s: %s", in->path, in->error);
                continue;
            }
            el_image img;
            if (el_image_load(in->path, info.channels, (size_t)o.max_pixels, &img) != EL_OK) {
                snprintf(s->error, sizeof s->error, "%s", el_last_error());
                continue;
            }
            if (el_preprocess_image(&img, &info.preprocess, pixels + img_floats * (size_t)i) != EL_OK)
                snprintf(s->error, sizeof s->error, "%s: %s", in->path, el_last_error());
            else
                s->ok = 1;
            el_image_free(&img);
        }
        /* Pack the good images to the front for one batched forward pass. */
        int good = 0, map[1024];
        for (int i = 0; i < nb; i++)
            if (slots[i].ok) {
                if (good != i) memcpy(pixels + img_floats * (size_t)good, pixels + img_floats * (size_t)i, sizeof(float) * img_floats);
                map[i] = good++;
            }
        if (good && el_model_profile(m, pixels, good, &o.lp, profiles) != EL_OK) {
            for (int i = 0; i < nb; i++)
                if (slots[i].ok) {
                    slots[i].ok = 0;
                    snprintf(slots[i].error, sizeof slots[i].error, "%s: %s", inputs.items[start + (size_t)i].path,
                             el_last_error());
                }
        }
        for (int i = 0; i < nb; i++) {
            const el_input *in = &inputs.items[start + (size_t)i];
            int label_index = in->label_index;
            if (label_index < 0 && in->label) label_index = el_model_class_index(m, in->label);
            el_image_record r = {.file = in->path, .label = in->label, .label_index = label_index};
            if (slots[i].ok) {
                r.profile = &profiles[map[i]];
                if (!in->label && label_index >= 0) r.label = el_model_class_name(m, label_index);
                el_summary_add(&sum, r.label, r.profile->entropy);
                done_ok++;
            } else {
                r.error = slots[i].error;
                failed++;
                if (!o.quiet) {
                    el_progress_finish(&bar);
                    fprintf(stderr, "entropy-lens: error: %s\n", slots[i].error);
                }
            }
            el_sb_reset(&sb);
            el_record_format(&sb, &rctx, &r);
            if (sb.oom || el_write_all(out_fd, sb.data, sb.len)) {
                fprintf(stderr, "entropy-lens profile: %s: write failed: %s\n", o.output ? o.output : "stdout",
                        sb.oom ? "out of memory" : strerror(errno));
                rc = EL_EXIT_FATAL;
                goto done;
            }
        }
        el_progress_update(&bar, start + (size_t)nb, failed);
    }
    el_progress_finish(&bar);
    const double secs = el_now() - t0;
    if (!o.quiet) {
        fprintf(stderr, "%zu images profiled, %zu failed, %zu skipped (not images), %.2f s, %.1f images/s%s\n", done_ok,
                failed, inputs.skipped, secs, secs > 0 ? (done_ok + failed) / secs : 0.0,
                interrupted ? " (interrupted: finished records are kept)" : "");
        el_summary_print(&sum, "mean CLS entropy profile", el_units_name(o.lp.units), profiles[0].first_layer);
    }
    if (interrupted) rc = EL_EXIT_INTERRUPTED;
    else if (failed) rc = EL_EXIT_PARTIAL;

done:
    if (out_fd > STDOUT_FILENO) {
        if (close(out_fd) != 0 && rc == EL_EXIT_OK) {
            fprintf(stderr, "entropy-lens profile: %s: close failed: %s\n", o.output, strerror(errno));
            rc = EL_EXIT_FATAL;
        }
    }
    if (profiles)
        for (int i = 0; i < (int)o.batch; i++) el_profile_free(&profiles[i]);
    free(profiles);
    free(slots);
    free(pixels);
    el_sb_free(&sb);
    el_summary_free(&sum);
    el_inputs_free(&inputs);
    el_model_free(m);
    free(paths);
    return rc;
}
