#include "weights/hf_cache.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PART 96

/* One part of an id: [A-Za-z0-9._-]{1,MAX_PART}, not starting with '.' or
 * '-' (so never "." or ".."). Returns its length, or 0 if invalid. */
static size_t part_len(const char *s, const char *stop) {
    size_t n = 0;
    while (s[n] && !strchr(stop, s[n])) {
        unsigned char c = (unsigned char)s[n];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-') return 0;
        if (++n > MAX_PART) return 0;
    }
    if (n == 0 || s[0] == '.' || s[0] == '-') return 0;
    return n;
}

int el_hf_is_repo_id(const char *s) {
    size_t org = part_len(s, "/@");
    if (!org || s[org] != '/') return 0;
    const char *name = s + org + 1;
    size_t nl = part_len(name, "/@");
    if (!nl) return 0;
    if (name[nl] == '\0') return 1;
    if (name[nl] != '@') return 0;
    const char *rev = name + nl + 1;
    size_t rl = part_len(rev, "");
    return rl > 0 && rev[rl] == '\0';
}

el_status el_hf_cache_dir(char *out, size_t n) {
    const char *hub = getenv("HF_HUB_CACHE"), *home = getenv("HF_HOME"), *user = getenv("HOME");
    int w;
    if (hub && *hub) w = snprintf(out, n, "%s", hub);
    else if (home && *home) w = snprintf(out, n, "%s/hub", home);
    else if (user && *user) w = snprintf(out, n, "%s/.cache/huggingface/hub", user);
    else return el_fail(EL_ERR_IO, "no Hugging Face cache: set HF_HUB_CACHE or HF_HOME (HOME is not set either)");
    if (w < 0 || (size_t)w >= n) return el_fail(EL_ERR_IO, "Hugging Face cache path too long");
    return EL_OK;
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* refs/<rev>: one commit hash, maybe with a trailing newline. */
static el_status read_ref(const char *path, char *hash, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f) return el_fail(EL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t got = fread(hash, 1, n - 1, f);
    fclose(f);
    hash[got] = '\0';
    while (got && isspace((unsigned char)hash[got - 1])) hash[--got] = '\0';
    if (!part_len(hash, "") || strlen(hash) != got)
        return el_fail(EL_ERR_FORMAT, "%s: not a commit hash", path);
    return EL_OK;
}

el_status el_hf_cache_resolve(const char *repo_id, char *out, size_t n) {
    if (!el_hf_is_repo_id(repo_id))
        return el_fail(EL_ERR_ARG, "'%s' is not a Hugging Face model id (org/name or org/name@revision)", repo_id);
    char cache[2048], id[2 * MAX_PART + 2], repo[4096], ref[4200], hash[MAX_PART + 2];
    EL_TRY(el_hf_cache_dir(cache, sizeof cache));
    snprintf(id, sizeof id, "%s", repo_id);
    char *at = strchr(id, '@');
    const char *rev = at ? at + 1 : "main";
    if (at) *at = '\0';
    char *slash = strchr(id, '/');
    *slash = '\0';
    snprintf(repo, sizeof repo, "%s/models--%s--%s", cache, id, slash + 1);
    *slash = '/';
    if (!is_dir(repo))
        return el_fail(EL_ERR_IO, "%s: not in the Hugging Face cache (no %s; set HF_HOME or HF_HUB_CACHE, or pass the folder)",
                       id, repo);
    snprintf(ref, sizeof ref, "%s/refs/%s", repo, rev);
    struct stat st;
    if (stat(ref, &st) == 0) EL_TRY(read_ref(ref, hash, sizeof hash));
    else if (at) snprintf(hash, sizeof hash, "%s", rev); /* a commit hash given directly */
    else return el_fail(EL_ERR_IO, "%s: %s is missing (download the model with huggingface-cli, or pass its folder)", id, ref);
    int w = snprintf(out, n, "%s/snapshots/%s", repo, hash);
    if (w < 0 || (size_t)w >= n) return el_fail(EL_ERR_IO, "%s: cache path too long", id);
    if (!is_dir(out)) return el_fail(EL_ERR_IO, "%s: revision %s has no snapshot (%s is missing)", repo_id, rev, out);
    return EL_OK;
}
