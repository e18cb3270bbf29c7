/* The prompts file of `entropy-lens text`: one prompt per JSONL line
 * ({"prompt": ..., "label": ..., other fields kept}) or a plain text line.
 * A bad line becomes an item with an error, so it gets its own error record
 * and the run goes on. */
#ifndef EL_CLI_PROMPTS_H
#define EL_CLI_PROMPTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *prompt, *label, *extra; /* extra: other JSON fields, "\"k\":v,..." */
    char *error;
    char *answer, *extract;       /* "answer" (string) and "extract" (regex) of the line, or NULL;
                                   * both stay in extra too, so records carry them */
    int sample;                   /* --samples: 0..N-1; -1 without --samples */
    uint64_t seed;                /* --samples: this sample's seed (el_sample_seed) */
} prompt_item;

/* Read path (a regular file within the prompts size limit, base/file.h):
 * 0, or -1 with a message on stderr (unreadable, empty). */
int el_prompts_read(const char *path, prompt_item **out, size_t *n_out);
void el_prompt_items_free(prompt_item *it, size_t n);

/* The seed of sample s of prompt p (0-based, in file order) of a run with
 * --seed seed: mix(seed ^ mix(p * 2^32 + s)), mix = SplitMix64's output
 * function (x + 0x9e3779b97f4a7c15, then its two xor-shift-multiplies).
 * Independent of batching, ranks and --resume. */
uint64_t el_sample_seed(uint64_t seed, uint64_t p, uint64_t s);

/* --samples N: every item becomes N items (sample 0..N-1, each with its
 * el_sample_seed), in order prompt by prompt. 0, or -1 out of memory (the
 * items are left as they were). */
int el_prompts_expand_samples(prompt_item **items, size_t *n, int n_samples, uint64_t seed);

#endif
