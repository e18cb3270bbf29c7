/* End to end through the entropy-lens binary: the output contract, batch and
 * thread invariance, error records for bad files, exit codes, --help. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "test_util.h"

static const char *cli;
static char tmp[256];

/* Run a shell command line; returns the exit code, stdout in *out (malloc'd). */
static int run(const char *cmdline, char **out) {
    char path[400], cmd[4096];
    snprintf(path, sizeof path, "%s/stdout", tmp);
    snprintf(cmd, sizeof cmd, "%s > %s 2> %s/stderr", cmdline, path, tmp);
    int st = system(cmd);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (out) {
        FILE *f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        *out = malloc((size_t)n + 1);
        size_t got = fread(*out, 1, (size_t)n, f);
        (*out)[got] = '\0';
        fclose(f);
    }
    return code;
}

static char *slurp_stderr(void) {
    char path[400];
    snprintf(path, sizeof path, "%s/stderr", tmp);
    FILE *f = fopen(path, "rb");
    static char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
    return buf;
}

/* Parse JSONL into an array of objects; every line must be valid JSON. */
static cJSON *parse_jsonl(const char *text, int *n_lines) {
    cJSON *arr = cJSON_CreateArray();
    *n_lines = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        CHECK_MSG(nl != NULL, "record without a final newline: %.80s", p);
        if (!nl) break;
        char *line = strndup(p, (size_t)(nl - p));
        cJSON *o = cJSON_Parse(line);
        CHECK_MSG(cJSON_IsObject(o), "invalid JSON line: %.120s", line);
        if (o) cJSON_AddItemToArray(arr, o);
        free(line);
        (*n_lines)++;
        p = nl + 1;
    }
    return arr;
}

static double num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int array_len(const cJSON *o, const char *k) { return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, k)); }

static double max_entropy_diff(const cJSON *a, const cJSON *b, const char *field, double scale_b) {
    double worst = 0;
    int n = cJSON_GetArraySize(a);
    for (int i = 0; i < n; i++) {
        const cJSON *ea = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(a, i), field);
        const cJSON *eb = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(b, i), field);
        int m = cJSON_GetArraySize(ea);
        if (m != cJSON_GetArraySize(eb)) return INFINITY;
        for (int j = 0; j < m; j++) {
            double d = fabs(cJSON_GetArrayItem(ea, j)->valuedouble - cJSON_GetArrayItem(eb, j)->valuedouble * scale_b);
            worst = d > worst ? d : worst;
        }
    }
    return worst;
}

static void test_profile_samples(void) {
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "%s profile samples/images --batch 8", cli);
    CHECK(run(cmd, &out) == 0);
    int n;
    cJSON *recs = parse_jsonl(out, &n);
    CHECK_MSG(n == 40, "%d records for 40 sample images", n);
    int correct = 0;
    cJSON *r;
    cJSON_ArrayForEach(r, recs) {
        const char *file = cJSON_GetObjectItemCaseSensitive(r, "file")->valuestring;
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(r, "label");
        CHECK(cJSON_IsString(label));
        /* The label is the class folder, and the model knows that class. */
        char folder[256];
        snprintf(folder, sizeof folder, "/%s/", label->valuestring);
        CHECK_MSG(strstr(file, folder) != NULL, "label %s for %s", label->valuestring, file);
        CHECK(num(r, "label_index") >= 0);
        CHECK(array_len(r, "entropy") == (int)num(r, "n_layers_check") || array_len(r, "entropy") > 0);
        CHECK(num(r, "first_layer") == 1);
        CHECK(num(r, "prob") > 0 && num(r, "prob") <= 1);
        CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(r, "units")->valuestring, "nats") == 0);
        CHECK(!cJSON_GetObjectItemCaseSensitive(r, "patch_entropy"));
        correct += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "correct"));
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "entropy");
        for (int j = 0; j < cJSON_GetArraySize(e); j++) {
            double v = cJSON_GetArrayItem(e, j)->valuedouble;
            CHECK(v >= 0 && v <= log(10.0) + 1e-6);
        }
    }
    CHECK_MSG(correct >= 30, "sample model correct on %d of 40", correct);
    CHECK(strstr(slurp_stderr(), "40 images profiled, 0 failed") != NULL);

    /* Same numbers whatever the batch size and thread count. */
    char *out2;
    snprintf(cmd, sizeof cmd, "%s profile samples/images --batch 3 --threads 1 -q", cli);
    CHECK(run(cmd, &out2) == 0);
    cJSON *recs2 = parse_jsonl(out2, &n);
    CHECK(n == 40);
    CHECK_MSG(max_entropy_diff(recs, recs2, "entropy", 1.0) <= 1e-5, "batch/thread changed entropies by %g",
              max_entropy_diff(recs, recs2, "entropy", 1.0));
    /* Bits are nats / ln 2. */
    free(out2);
    snprintf(cmd, sizeof cmd, "%s profile samples/images -q --units bits", cli);
    CHECK(run(cmd, &out2) == 0);
    cJSON_Delete(recs2);
    recs2 = parse_jsonl(out2, &n);
    CHECK(max_entropy_diff(recs, recs2, "entropy", M_LN2) <= 1e-5);
    cJSON_Delete(recs2);
    free(out2);
    cJSON_Delete(recs);
    free(out);
}

static void test_profile_options(void) {
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd,
             "%s profile samples/images/bag -q --tokens cls,patches,mean --alpha 0.5,2,inf --include-embeddings "
             "--units normalized",
             cli);
    CHECK(run(cmd, &out) == 0);
    int n;
    cJSON *recs = parse_jsonl(out, &n);
    CHECK(n == 4);
    const cJSON *r = cJSON_GetArrayItem(recs, 0);
    int depth = array_len(r, "entropy");
    CHECK(num(r, "first_layer") == 0);
    /* Every record names the tool version that wrote it. */
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(r, "version");
    CHECK(cJSON_IsString(ver) && strcmp(ver->valuestring, EL_VERSION_STRING) == 0);
    CHECK(array_len(r, "entropy_mean") == depth);
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(r, "patch_entropy");
    CHECK(cJSON_GetArraySize(pe) == depth);
    int P = cJSON_GetArraySize(cJSON_GetArrayItem(pe, 0));
    CHECK(P > 1);
    /* entropy_mean is the mean of patch_entropy at each layer. */
    for (int d = 0; d < depth; d++) {
        const cJSON *row = cJSON_GetArrayItem(pe, d);
        double s = 0;
        for (int i = 0; i < P; i++) s += cJSON_GetArrayItem(row, i)->valuedouble;
        CHECK_NEAR(s / P, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "entropy_mean"), d)->valuedouble, 1e-5);
    }
    const cJSON *ren = cJSON_GetObjectItemCaseSensitive(r, "renyi");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ren, "0.5")) == depth);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ren, "inf")) == depth);
    /* Renyi entropies fall with alpha: H_0.5 >= H_1 >= H_2 >= H_inf, all <= 1 normalised. */
    for (int d = 0; d < depth; d++) {
        double h05 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ren, "0.5"), d)->valuedouble;
        double h1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "entropy"), d)->valuedouble;
        double h2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ren, "2"), d)->valuedouble;
        double hi = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ren, "inf"), d)->valuedouble;
        CHECK(h05 <= 1 + 1e-6 && h05 >= h1 - 1e-6 && h1 >= h2 - 1e-6 && h2 >= hi - 1e-6);
    }
    cJSON_Delete(recs);
    free(out);

    /* CSV: header plus one row per image, layer columns L. */
    snprintf(cmd, sizeof cmd, "%s profile samples/images/bag -q --format csv", cli);
    CHECK(run(cmd, &out) == 0);
    CHECK(strncmp(out, "file,label,label_index,top1,top1_label,prob,correct,layer_1,", 60) == 0);
    int lines = 0;
    for (char *p = out; *p; p++) lines += *p == '\n';
    CHECK(lines == 5);
    CHECK(strstr(out, ",error,version\n") != NULL);
    CHECK(strstr(out, ",," EL_VERSION_STRING "\n") != NULL); /* no error, then the version */
    free(out);
}

static void test_bad_inputs(void) {
    /* A folder with good images, a corrupt PNG, a text file named .jpg, an
     * empty file and a non-image file: the good ones are all profiled. */
    char dir[400], cmd[8192], *out;
    snprintf(dir, sizeof dir, "%s/mixed/bag", tmp);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cp samples/images/bag/*.png %s/ && head -c 100 samples/images/bag/$(ls samples/images/bag | head -1) > %s/cut.png && "
             "echo hello > %s/text.jpg && : > %s/empty.png && echo notes > %s/notes.txt",
             dir, dir, dir, dir, dir, dir);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s profile %s/mixed -o %s/mixed.jsonl", cli, tmp, tmp);
    CHECK(run(cmd, NULL) == 1); /* some inputs failed */
    char *err = slurp_stderr();
    CHECK(strstr(err, "notes.txt") && strstr(err, "skipped"));
    CHECK(strstr(err, "cut.png") != NULL);
    snprintf(cmd, sizeof cmd, "cat %s/mixed.jsonl", tmp);
    run(cmd, &out);
    int n;
    cJSON *recs = parse_jsonl(out, &n);
    CHECK_MSG(n == 7, "%d records (4 good + 3 bad)", n);
    int errors = 0, good = 0;
    cJSON *r;
    cJSON_ArrayForEach(r, recs) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
        if (e) {
            errors++;
            CHECK(cJSON_IsString(e) && strlen(e->valuestring) > 5);
            CHECK(strstr(e->valuestring, cJSON_GetObjectItemCaseSensitive(r, "file")->valuestring) != NULL);
        } else {
            good++;
        }
    }
    CHECK(errors == 3 && good == 4);
    cJSON_Delete(recs);
    free(out);
    /* A missing file named on the command line is an error record too. */
    snprintf(cmd, sizeof cmd, "%s profile /nonexistent.png -q", cli);
    CHECK(run(cmd, &out) == 1);
    CHECK(strstr(out, "\"error\"") != NULL);
    free(out);
}

static void test_labels_csv(void) {
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "printf 'file,class_index,class_name\\n%s,3,dress\\n' > %s/labels.csv", "test_00000.png", tmp);
    /* Pick a real file name from the bag folder instead of guessing. */
    snprintf(cmd, sizeof cmd,
             "f=$(ls samples/images/bag | head -1); printf 'file,class_index\\n%%s,3\\n' \"$f\" > %s/labels.csv", tmp);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s profile samples/images/bag -q --labels %s/labels.csv", cli, tmp);
    CHECK(run(cmd, &out) == 0);
    int n;
    cJSON *recs = parse_jsonl(out, &n);
    const cJSON *first = cJSON_GetArrayItem(recs, 0), *second = cJSON_GetArrayItem(recs, 1);
    CHECK(num(first, "label_index") == 3);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(second, "label_index")));
    cJSON_Delete(recs);
    free(out);
    snprintf(cmd, sizeof cmd, "printf 'name,x\\na,1\\n' > %s/bad.csv", tmp);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s profile samples/images/bag -q --labels %s/bad.csv", cli, tmp);
    CHECK(run(cmd, NULL) == 3);
    CHECK(strstr(slurp_stderr(), "bad.csv") != NULL);
}

static void test_usage(void) {
    char cmd[1024], *out;
    const char *subs[] = {"profile", "info", "text"};
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "%s %s --help", cli, subs[i]);
        CHECK(run(cmd, &out) == 0);
        CHECK_MSG(strstr(out, "Usage: entropy-lens") && strstr(out, "Exit codes"), "%s --help", subs[i]);
        free(out);
    }
    snprintf(cmd, sizeof cmd, "%s --help", cli);
    CHECK(run(cmd, NULL) == 0);
    snprintf(cmd, sizeof cmd, "%s frobnicate", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s profile samples/images --units furlongs", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s profile samples/images --alpha 1", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s profile samples/images --batch 0", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s profile", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s profile samples/images --model /nonexistent", cli);
    CHECK(run(cmd, NULL) == 3);
    CHECK(strstr(slurp_stderr(), "/nonexistent") != NULL);
    snprintf(cmd, sizeof cmd, "%s info", cli);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "ViTForImageClassification") && strstr(out, "lens") && strstr(out, "preprocess"));
    free(out);
}

/* text: records, windows, extra fields copied, bad lines as error records. */
static void test_text(void) {
    if (access("samples/models/fortune-gpt2/model.safetensors", R_OK) != 0) {
        printf("SKIP (text part): sample language model missing\n");
        return;
    }
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd,
             "printf '{\"prompt\":\"A wise man\",\"label\":\"c\",\"id\":7}\\nnot json\\n{\"prompt\":\"1, 2, 3,\",\"label\":\"n\"}\\n' > %s/p.jsonl",
             tmp);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s text --prompts %s/p.jsonl -n 8 --windows 2 --alpha 2 --per-step -q", cli, tmp);
    CHECK(run(cmd, &out) == 1); /* the bad line fails, the others run */
    int n;
    cJSON *recs = parse_jsonl(out, &n);
    CHECK(n == 3);
    const cJSON *r0 = cJSON_GetArrayItem(recs, 0), *r1 = cJSON_GetArrayItem(recs, 1);
    CHECK(num(r0, "id") == 7); /* extra input fields are copied */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r0, "entropy");
    CHECK(cJSON_GetArraySize(e) == 2 && cJSON_GetArraySize(cJSON_GetArrayItem(e, 0)) == 4);
    CHECK(array_len(r0, "tokens") == 8 && array_len(r0, "entropy_steps") == 8);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r0, "generated")));
    CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r0, "renyi"), "2") != NULL);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r1, "error")));
    /* The window means are the means of the per-step rows. */
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(r0, "entropy_steps");
    for (int l = 0; l < 4; l++) {
        double s = 0;
        for (int k = 4; k < 8; k++) s += cJSON_GetArrayItem(cJSON_GetArrayItem(steps, k), l)->valuedouble;
        CHECK_NEAR(s / 4, cJSON_GetArrayItem(cJSON_GetArrayItem(e, 1), l)->valuedouble, 1e-5);
    }
    cJSON_Delete(recs);
    free(out);
    /* Greedy generation is the same alone and in a batch. */
    snprintf(cmd, sizeof cmd, "%s text --prompt 'A wise man' -n 8 -q", cli);
    CHECK(run(cmd, &out) == 0);
    cJSON *alone = parse_jsonl(out, &n);
    CHECK(n == 1);
    char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(alone, 0), "tokens"));
    snprintf(cmd, sizeof cmd, "%s text --prompts %s/p.jsonl -n 8 -q", cli, tmp);
    free(out);
    run(cmd, &out);
    recs = parse_jsonl(out, &n);
    char *b = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(recs, 0), "tokens"));
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    cJSON_Delete(alone);
    cJSON_Delete(recs);
    free(out);
    /* Sampling: the same seed gives the same text. */
    char *s1, *s2;
    snprintf(cmd, sizeof cmd, "%s text --prompt 'Love' -n 12 --temperature 1 --seed 5 -q", cli);
    run(cmd, &s1);
    run(cmd, &s2);
    CHECK(strcmp(s1, s2) == 0);
    free(s1);
    free(s2);
    /* CSV header and windows that do not divide the steps. */
    snprintf(cmd, sizeof cmd, "%s text --prompt 'Love' -n 4 --format csv -q", cli);
    CHECK(run(cmd, &out) == 0);
    CHECK(strncmp(out, "prompt,label,extra,generated,tokens,prompt_ids,prob,correct,extracted,layer_1,", 78) == 0);
    free(out);
    snprintf(cmd, sizeof cmd, "%s text --prompt 'Love' -n 7 --windows 2", cli);
    CHECK(run(cmd, NULL) == 2);
    snprintf(cmd, sizeof cmd, "%s text --prompt x --model samples/models/fashion-vit", cli);
    CHECK(run(cmd, NULL) == 3);
    snprintf(cmd, sizeof cmd, "%s info --model samples/models/fortune-gpt2", cli);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "GPT2LMHeadModel") && strstr(out, "vocabulary"));
    free(out);
}

int main(void) {
    cli = getenv("EL_CLI");
    if (!cli) cli = EL_BINARY_DIR "/entropy-lens";
    if (access(cli, X_OK) != 0) {
        fprintf(stderr, "entropy-lens binary not found at %s\n", cli);
        return 1;
    }
    snprintf(tmp, sizeof tmp, "/tmp/el_test_cli_XXXXXX");
    if (!mkdtemp(tmp)) return 1;
    test_usage();
    test_profile_samples();
    test_profile_options();
    test_bad_inputs();
    test_labels_csv();
    test_text();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0) return 1;
    return el_test_finish("test_cli");
}
