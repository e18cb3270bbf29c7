/* entropy-lens public C API.
 *
 * Shape of the API (after whisper.cpp): opaque handles, default-params structs
 * returned by value, build/free pairs, and every fallible call returns an
 * el_status. The human-readable reason for the last failure in the calling
 * thread is el_last_error(); it always names the file and the field/tensor.
 */
#ifndef ENTROPY_LENS_H
#define ENTROPY_LENS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ version */

#define EL_VERSION_MAJOR 0
#define EL_VERSION_MINOR 2
#define EL_VERSION_PATCH 0
#define EL_VERSION_STRING "0.2.0"

/* Symbols of the public API; everything else in the library is hidden when
 * it is built as a shared object. */
#if defined(EL_BUILD_SHARED) && defined(__GNUC__)
#define EL_API __attribute__((visibility("default")))
#else
#define EL_API
#endif
/* Every declaration in this header is public API: exported from the shared
 * library (built with -fvisibility=hidden) without marking each one. */
#if defined(EL_BUILD_SHARED) && defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The library's version at run time (EL_VERSION_STRING of the build). */
EL_API const char *el_version(void);
/* The model families this build loads, one line for messages and --help. */
EL_API const char *el_model_families(void);

/* ------------------------------------------------------------------ status */

typedef enum {
    EL_OK = 0,
    EL_ERR_IO,          /* file missing, unreadable, short read */
    EL_ERR_FORMAT,      /* malformed content (corrupt image, bad header) */
    EL_ERR_CONFIG,      /* config field missing, wrong type or inconsistent */
    EL_ERR_UNSUPPORTED, /* well-formed but not something we implement */
    EL_ERR_LIMIT,       /* exceeds a safety limit (pixels, sizes, counts) */
    EL_ERR_NOMEM,       /* allocation failed */
    EL_ERR_ARG          /* caller passed something invalid */
} el_status;

EL_API const char *el_status_name(el_status s);
/* Message for the last failure in this thread ("" if none). */
EL_API const char *el_last_error(void);

/* ------------------------------------------------------------------ images */

/* Pillow's integer resampling codes (as stored in HF preprocessor configs). */
typedef enum {
    EL_RESAMPLE_NEAREST = 0,
    EL_RESAMPLE_LANCZOS = 1,
    EL_RESAMPLE_BILINEAR = 2,
    EL_RESAMPLE_BICUBIC = 3,
    EL_RESAMPLE_BOX = 4,
    EL_RESAMPLE_HAMMING = 5
} el_resample;

/* 8-bit interleaved pixels, channels = 1 (Pillow "L") or 3 (Pillow "RGB"). */
typedef struct {
    int width, height, channels;
    uint8_t *pixels; /* width * height * channels bytes, row-major */
} el_image;

/* Pillow's default decompression-bomb limit (Image.MAX_IMAGE_PIXELS). */
#define EL_DEFAULT_MAX_PIXELS ((size_t)89478485)

/* Decode PNG, JPEG or binary PPM/PGM (sniffed from content, not the name)
 * and convert like Pillow's convert('RGB') (channels = 3) or convert('L')
 * (channels = 1). Refuses images over max_pixels before allocating. */
EL_API el_status el_image_load(const char *path, int channels, size_t max_pixels, el_image *out);
EL_API el_status el_image_decode(const uint8_t *data, size_t size, const char *name, int channels,
                                 size_t max_pixels, el_image *out);
EL_API void el_image_free(el_image *img);
/* 1 if the bytes start like a format we decode, else 0. */
EL_API int el_image_sniff(const uint8_t *head, size_t n);

/* Pillow-exact 8-bit resize (Image.resize with the given filter). */
EL_API el_status el_image_resize(const el_image *in, int out_w, int out_h, el_resample filter, el_image *out);

/* How a model wants its pixels: read from preprocessor_config.json (HF) or
 * pretrained_cfg (timm). Applied in this order: resize, centre crop, rescale,
 * normalise; output is planar float [channels][height][width]. */
typedef struct {
    int channels;           /* 1 or 3 */
    int do_resize;
    int shortest_edge;      /* > 0: scale so the short side is this, keep aspect */
    int resize_w, resize_h; /* else: exact size */
    el_resample resample;
    int do_center_crop;
    int crop_w, crop_h;
    int crop_round;         /* 0: offset = (in - crop) / 2 floored (HF), 1: rounded (torchvision) */
    int do_rescale;
    double rescale_factor;
    int do_normalize;
    float mean[3], std[3];
    int out_w, out_h;       /* the model's input size; the result must have it */
    size_t max_pixels;      /* resize targets over this many pixels are refused
                               (0: EL_DEFAULT_MAX_PIXELS); only the crop is computed */
} el_preprocess;

EL_API el_status el_preprocess_image(const el_image *img, const el_preprocess *pp, float *out);

/* The region of an img_w x img_h image that the model's input shows after
 * pp's resize and centre crop, in the image's pixel coordinates:
 * view = {x, y, width, height}. The whole image when nothing is cropped; it
 * reaches outside the image where the crop pads. For drawing patch maps over
 * what the model saw. */
el_status el_preprocess_view(const el_preprocess *pp, int img_w, int img_h, double view[4]);

/* ------------------------------------------------------------------ models */

/* The API is split as whisper.cpp splits context and state:
 *   el_model  the weights, configuration and tokenizer. Read-only once
 *             loaded, so any number of threads may share one model.
 *   el_state  one caller's working memory for a model: activations, KV
 *             caches, lens buffers, and the thread count its calls use.
 *             One call at a time per state; make one state per thread. */
typedef struct el_model el_model;
typedef struct el_state el_state;

typedef struct {
    const char *tokenizer; /* text models: tokenizer file; NULL: look beside the model */
    /* Zero-shot image models (CLIP, SigLIP): the classifier is built from
     * class names through the text tower. */
    const char *classes;     /* file, one class name a line; NULL: the config's id2label (else an error) */
    const char *templates;   /* file, one prompt template with "{}" a line; NULL: "a photo of a {}." */
    const char *class_cache; /* class-embedding cache read if it matches, else (re)written; NULL: none */
} el_model_params;

EL_API el_model_params el_model_default_params(void);

/* Load a model: a folder (HF ViT/DeiT, DINOv2, BEiT, data2vec-vision, CLIP, SigLIP, timm ViT, HF GPT-2/Llama/Mistral/Qwen2/
 * GPT-NeoX) or a llama2.c checkpoint file. */
EL_API el_status el_model_load(const char *path, const el_model_params *params, el_model **out);
/* Free a model after every state made for it. */
EL_API void el_model_free(el_model *m);

typedef struct {
    int n_threads; /* threads of this state's calls (OpenMP and OpenBLAS); 0: all cores */
} el_state_params;

EL_API el_state_params el_state_default_params(void);
/* Working memory for calls on m (allocated lazily, reused across calls).
 * The model must outlive the state. */
EL_API el_status el_state_new(const el_model *m, const el_state_params *params, el_state **out);
EL_API void el_state_free(el_state *s);

typedef struct {
    int is_text;           /* 1: language model (el_text_*), 0: image classifier */
    const char *name;      /* directory base name */
    const char *arch;      /* architectures[0], e.g. "ViTForImageClassification" */
    const char *family;    /* "vit", "deit", "deit-distilled" */
    const char *layout;    /* "hf" or "timm" */
    const char *dtype;     /* checkpoint dtype: "F32", "F16", "BF16" or "mixed" */
    int n_layers, hidden, n_heads, mlp_dim;
    int image_size, patch_size, channels;
    int n_classes;
    int n_prefix;          /* CLS (+ distillation) tokens */
    int n_patches;
    double ln_eps;
    size_t n_params;
    int n_shards;
    el_preprocess preprocess; /* image models */
    /* text models (n_classes is the vocabulary size, hidden/n_layers as above) */
    int n_kv_heads, context;
    const char *norm;         /* "LayerNorm" or "RMSNorm" */
    double softcap;
    int lens_norm;            /* 0: the lens has no final norm (post-LN OPT, opt-350m) */
    int lens_project_out;     /* 1: project_out between the final norm and the unembedding (opt-350m) */
    int zero_shot;            /* 1: CLIP / SigLIP, classes from class names through the text tower */
    int zs_from_cache;        /* zero-shot: 1 when the class embeddings came from params.class_cache */
    const char *act;          /* the blocks' MLP activation, e.g. "GELU (erf)", "quick-GELU" */
} el_model_info;

EL_API void el_model_get_info(const el_model *m, el_model_info *info);
/* Class name for index k (never NULL: "class_<k>" if the config has none). */
EL_API const char *el_model_class_name(const el_model *m, int k);
/* Index of a class name (exact match, then case-insensitive), or -1. */
EL_API int el_model_class_index(const el_model *m, const char *name);

/* ------------------------------------------------------------------ lens */

enum { EL_TOKENS_CLS = 1, EL_TOKENS_PATCHES = 2, EL_TOKENS_MEAN = 4 };

typedef enum { EL_UNITS_NATS = 0, EL_UNITS_BITS, EL_UNITS_NORMALIZED } el_units;

#define EL_MAX_ALPHA 16

typedef struct {
    int tokens;             /* EL_TOKENS_* bit set; CLS is always computed */
    int include_embeddings; /* add layer 0 (the embeddings) */
    int n_alpha;            /* Renyi orders (CLS token only) */
    double alpha[EL_MAX_ALPHA]; /* 0, INFINITY, or any positive value != 1 */
    el_units units;
    int keep_logits;        /* copy the final-layer logits into el_profile.logits */
} el_lens_params;

EL_API el_lens_params el_lens_default_params(void);
/* Checks alpha values and token set; EL_ERR_ARG with a message if invalid. */
EL_API el_status el_lens_params_check(const el_lens_params *lp);

/* One image's results. Buffers are owned by the struct (el_profile_init/free). */
typedef struct {
    int n_depth;          /* layers reported: L, or L + 1 with embeddings */
    int first_layer;      /* 0 with embeddings, else 1 */
    int n_patches;
    int n_alpha;
    int n_classes;
    float *entropy;       /* [n_depth], the classification token(s) */
    float *entropy_mean;  /* [n_depth], mean over patch tokens, or NULL */
    float *patch_entropy; /* [n_depth][n_patches], or NULL */
    float *renyi;         /* [n_alpha][n_depth], or NULL */
    float *logits;        /* [n_classes] final logits, or NULL */
    int top1;             /* argmax of the final logits */
    float prob;           /* its softmax probability */
    int overflow_layer;   /* -1; else the first layer (numbered as first_layer) whose
                           * lens saw NaN/Inf: the forward pass overflowed float32
                           * for this image (weights out of range), and its
                           * entropies and top1 (-1) are not a result */
} el_profile;

EL_API el_status el_profile_init(el_profile *p, const el_model *m, const el_lens_params *lp);
EL_API void el_profile_free(el_profile *p);

/* Run a batch of n preprocessed images (planar floats, n x C x H x W, as
 * el_preprocess_image makes them) through the model with the lens on every
 * layer, on the state's model. out[i] must have been made by el_profile_init
 * with the same lp.
 * An image whose activations overflowed gets out[i].overflow_layer >= 0
 * (the others in the batch are unaffected). */
EL_API el_status el_model_profile(el_state *s, const float *pixels, int n, const el_lens_params *lp,
                                  el_profile *out);

/* ------------------------------------------------------------------ text */

/* Special tokens around a text prompt. */
typedef enum {
    EL_TEXT_BOS_AUTO = 0, /* what the tokenizer itself adds: HF's post-processor template (Llama 2,
                             Mistral, Gemma: BOS; GPT-2, Qwen: none); llama2.c: BOS */
    EL_TEXT_BOS_ALWAYS,   /* BOS, then the prompt's tokens (TransformerLens' prepend_bos) */
    EL_TEXT_BOS_NEVER     /* the prompt's tokens only */
} el_text_bos;

typedef struct {
    int n_tokens;        /* tokens to generate (steps recorded) */
    el_text_bos bos;     /* special tokens around the prompt (default AUTO) */
    double temperature;  /* 0: greedy */
    uint64_t seed;       /* sampling seed: same seed, same tokens */
    el_units units;
    int n_alpha;
    double alpha[EL_MAX_ALPHA];
    int keep_logits;     /* copy the final logits of step 0 into el_text_result.logits0 */
    const uint64_t *seeds; /* batch calls: seeds[i] is prompt i's sampling seed; NULL: seed for all */
} el_text_params;

EL_API el_text_params el_text_default_params(void);

typedef struct {
    int n_prompt;
    int *prompt_ids;
    int n_steps, n_layers, n_alpha, vocab;
    int *ids;         /* [n_steps] generated token ids */
    char *text;       /* the generated tokens decoded */
    float *entropy;   /* [n_steps][n_layers]: lens entropy at the last position after block l */
    float *renyi;     /* [n_alpha][n_steps][n_layers] or NULL */
    float *logits0;   /* [vocab] or NULL */
    float *prob;      /* [n_steps] the model's own top-1 softmax probability (last layer) at each step */
    char *error;      /* batch calls: why this prompt failed (others go on), else NULL */
} el_text_result;

/* Encode prompt (special tokens per params->bos), generate
 * params->n_tokens tokens with a KV cache, and record the lens at every step. */
EL_API el_status el_text_generate(el_state *s, const char *prompt, const el_text_params *params, el_text_result *out);
EL_API el_status el_text_generate_ids(el_state *s, const int *ids, int n_ids, const el_text_params *params,
                                      el_text_result *out);
/* n prompts generated together: every decoding step runs all of them through
 * the weights at once (and the lens over all of their layers in one pass).
 * A prompt that cannot run (too long, untokenizable) gets out[i].error and
 * the rest go on; the return value is a failure of the whole batch. */
EL_API el_status el_text_generate_batch(el_state *s, const char *const *prompts, int n, const el_text_params *params,
                                        el_text_result *out);
/* The same for prompts given as token ids (ids[i] has n_ids[i] tokens). */
EL_API el_status el_text_generate_ids_batch(el_state *s, const int *const *ids, const int *n_ids, int n,
                                            const el_text_params *params, el_text_result *out);
EL_API void el_text_result_free(el_text_result *r);
/* Tokenize without generating (ids malloc'd), with EL_TEXT_BOS_AUTO or the
 * given mode. An empty result gets the BOS (else EOS) as its one token. */
EL_API el_status el_text_tokenize(const el_model *m, const char *text, int **ids, int *n_ids);
EL_API el_status el_text_tokenize_bos(const el_model *m, const char *text, el_text_bos bos, int **ids,
                                      int *n_ids);

/* Convert a natural-log entropy to the requested units for n_classes. */
EL_API double el_entropy_units(double nats, el_units units, int n_classes);

#if defined(EL_BUILD_SHARED) && defined(__GNUC__)
#pragma GCC visibility pop
#endif
/* ------------------------------------------------------------ tokenizers */

/* A tokenizer on its own, to tokenise without loading a model. Read-only
 * once loaded: concurrent calls are safe. */
typedef struct el_tokenizer el_tokenizer;

/* A tokenizer.json, a llama2.c tokenizer.bin (any vocab size), or a model
 * folder with tokenizer.json, vocab.json + merges.txt, tokenizer.bin or one
 * tok*.bin, in that order. */
EL_API el_status el_tokenizer_load_path(const char *path, el_tokenizer **out);
EL_API void el_tokenizer_free(el_tokenizer *t);
/* len bytes of UTF-8 text (NUL bytes allowed; at most 16 MiB else
 * EL_ERR_LIMIT) to ids, malloc'd into *ids (free() it; may be NULL when
 * *n_ids == 0). EL_TEXT_BOS_ALWAYS with no BOS token adds nothing. Malformed
 * UTF-8 is encoded byte by byte, never rejected. */
EL_API el_status el_tokenizer_encode_n(const el_tokenizer *t, const char *text, size_t len, el_text_bos mode,
                                       int **ids, int *n_ids);
/* Which ids el_tokenizer_decode_ex leaves out. */
typedef enum {
    EL_DECODE_SKIP_BOS_EOS, /* BOS and EOS give no text (sentencepiece, llama2.c) */
    EL_DECODE_KEEP_ALL,     /* every token (HF skip_special_tokens=False) */
    EL_DECODE_SKIP_SPECIAL  /* every special added token (HF skip_special_tokens=True) */
} el_decode_mode;
/* Ids to text through the tokenizer's decoder (HF decode), *text malloc'd;
 * *len (if not NULL) gets its length, which counts NUL bytes inside. */
EL_API el_status el_tokenizer_decode_ex(const el_tokenizer *t, const int *ids, int n, el_decode_mode mode,
                                        char **text, size_t *len);
/* Vocab entry as stored in the file ("▁the", "Ġthe", "<0x0A>"); "" for an id
 * no entry uses, NULL when id is out of range. */
EL_API const char *el_tokenizer_piece(const el_tokenizer *t, int id);
EL_API int el_tokenizer_vocab_size(const el_tokenizer *t);

#ifdef __cplusplus
}
#endif
#endif /* ENTROPY_LENS_H */
