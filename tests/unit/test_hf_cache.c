/* --model org/name through the Hugging Face hub cache (src/weights/hf_cache.c):
 * a fake cache tree in a temporary directory, the three environment
 * variables in their order, refs and revisions, bad ids, and a real model
 * loaded by id is named "org/name", not by its snapshot hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "test_util.h"
#include "weights/hf_cache.h"

#define HASH "0123456789abcdef0123456789abcdef01234567"
#define HASH2 "fedcba9876543210fedcba9876543210fedcba98"

static char root[256];

static void put(const char *rel, const char *text) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    CHECK_MSG(f != NULL, "cannot write %s", p);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void dir(const char *rel) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    CHECK_MSG(mkdir(p, 0755) == 0, "mkdir %s", p);
}

/* Resolve id; expect success and the snapshot path root/<want_rel>. */
static void expect(const char *id, const char *want_rel) {
    char out[4096], want[1024];
    snprintf(want, sizeof want, "%s/%s", root, want_rel);
    el_status st = el_hf_cache_resolve(id, out, sizeof out);
    CHECK_MSG(st == EL_OK, "%s: %s", id, el_last_error());
    if (st == EL_OK) CHECK_MSG(strcmp(out, want) == 0, "%s -> %s, want %s", id, out, want);
}

static void expect_fail(const char *id, el_status code, const char *needle) {
    char out[4096];
    el_status st = el_hf_cache_resolve(id, out, sizeof out);
    CHECK_MSG(st == code, "%s: status %d, want %d", id, st, code);
    CHECK_MSG(strstr(el_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", id, el_last_error(), needle);
}

static void ids(void) {
    static const char *good[] = {"org/name", "meta-llama/Llama-3.2-1B", "Qwen/Qwen2.5-0.5B", "google/gemma-2-2b",
                                 "EleutherAI/pythia-70m", "a/b@main", "a/b@" HASH, "bigscience/bloom-560m"};
    static const char *bad[] = {"", "name", "/abs/path", "./a", "a/", "/b", "a/b/c", "../a", "a/..", "a/.hidden",
                                "a/-x", "a b/c", "a/b@", "a/b@x/y", "a/b@..", "tests/fixtures/"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) CHECK_MSG(el_hf_is_repo_id(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK_MSG(!el_hf_is_repo_id(bad[i]), "%s", bad[i]);
    char longid[300];
    memset(longid, 'a', sizeof longid);
    longid[150] = '/';
    longid[299] = '\0';
    CHECK(!el_hf_is_repo_id(longid));
}

static void cache_dirs(void) {
    char out[4096];
    unsetenv("HF_HUB_CACHE");
    unsetenv("HF_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK(el_hf_cache_dir(out, sizeof out) == EL_OK && !strcmp(out, "/home/u/.cache/huggingface/hub"));
    setenv("HF_HOME", "/data/hf", 1);
    CHECK(el_hf_cache_dir(out, sizeof out) == EL_OK && !strcmp(out, "/data/hf/hub"));
    setenv("HF_HUB_CACHE", "/fast/hub", 1);
    CHECK(el_hf_cache_dir(out, sizeof out) == EL_OK && !strcmp(out, "/fast/hub"));
    unsetenv("HF_HUB_CACHE");
    unsetenv("HF_HOME");
    unsetenv("HOME");
    CHECK(el_hf_cache_dir(out, sizeof out) == EL_ERR_IO);
}

static void resolve(void) {
    /* root/hub/models--org--name/{refs/main, refs/v2, snapshots/HASH, snapshots/HASH2} */
    dir("hub");
    dir("hub/models--org--name");
    dir("hub/models--org--name/refs");
    dir("hub/models--org--name/snapshots");
    dir("hub/models--org--name/snapshots/" HASH);
    dir("hub/models--org--name/snapshots/" HASH2);
    put("hub/models--org--name/refs/main", HASH); /* huggingface_hub writes no newline */
    put("hub/models--org--name/refs/v2", HASH2 "\n");
    dir("hub/models--org--noref");
    dir("hub/models--org--dangling");
    dir("hub/models--org--dangling/refs");
    put("hub/models--org--dangling/refs/main", HASH);
    dir("hub/models--org--junk");
    dir("hub/models--org--junk/refs");
    put("hub/models--org--junk/refs/main", "../../etc\n");
    char hub[512];
    snprintf(hub, sizeof hub, "%s/hub", root);
    setenv("HF_HOME", root, 1); /* HF_HOME/hub */
    expect("org/name", "hub/models--org--name/snapshots/" HASH);
    setenv("HF_HUB_CACHE", hub, 1);
    setenv("HF_HOME", "/nonexistent", 1); /* HF_HUB_CACHE wins */
    expect("org/name", "hub/models--org--name/snapshots/" HASH);
    expect("org/name@v2", "hub/models--org--name/snapshots/" HASH2);
    expect("org/name@" HASH2, "hub/models--org--name/snapshots/" HASH2);
    expect_fail("org/other", EL_ERR_IO, "not in the Hugging Face cache");
    expect_fail("org/noref", EL_ERR_IO, "refs/main is missing");
    expect_fail("org/dangling", EL_ERR_IO, "has no snapshot");
    expect_fail("org/name@nosuch", EL_ERR_IO, "has no snapshot");
    expect_fail("org/junk", EL_ERR_FORMAT, "not a commit hash");
    expect_fail("../x", EL_ERR_ARG, "not a Hugging Face model id");
}

/* The tiny Qwen2 fixture as the cache would hold it (the snapshot is a
 * symlink to the fixture folder; huggingface_hub links files instead). */
static void load_by_id(void) {
    char snap[1024], target[1024];
    dir("hub/models--Qwen--Qwen2.5-tiny");
    dir("hub/models--Qwen--Qwen2.5-tiny/refs");
    dir("hub/models--Qwen--Qwen2.5-tiny/snapshots");
    put("hub/models--Qwen--Qwen2.5-tiny/refs/main", HASH);
    snprintf(snap, sizeof snap, "%s/hub/models--Qwen--Qwen2.5-tiny/snapshots/" HASH, root);
    snprintf(target, sizeof target, "%s/tests/fixtures/families/qwen2.5-tiny", EL_SOURCE_DIR);
    CHECK(symlink(target, snap) == 0);
    el_model *m;
    el_status st = el_model_load("Qwen/Qwen2.5-tiny", NULL, &m);
    CHECK_MSG(st == EL_OK, "%s", el_last_error());
    if (st) return;
    el_model_info info;
    el_model_get_info(m, &info);
    CHECK_MSG(!strcmp(info.name, "Qwen/Qwen2.5-tiny"), "name %s", info.name);
    el_model_free(m);
    st = el_model_load("Qwen/Qwen2.5-tiny@main", NULL, &m);
    CHECK_MSG(st == EL_OK, "%s", el_last_error());
    if (!st) {
        el_model_get_info(m, &info);
        CHECK_MSG(!strcmp(info.name, "Qwen/Qwen2.5-tiny"), "name %s", info.name);
        el_model_free(m);
    }
    CHECK(el_model_load("Qwen/not-there", NULL, &m) == EL_ERR_IO);
    CHECK(strstr(el_last_error(), "models--Qwen--not-there") != NULL);
    unlink(snap);
}

static void cleanup(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

int main(void) {
    ids();
    cache_dirs();
    snprintf(root, sizeof root, "%s", "/tmp/el_hf_cache_XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    resolve();
    load_by_id();
    cleanup();
    return el_test_finish("test_hf_cache");
}
