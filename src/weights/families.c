/* The model families that load, listed from the loaders' own tables, for
 * messages and --help (one list, never a copy that falls behind). */
#include <stdio.h>
#include <string.h>

#include "entropy_lens.h"
#include "weights/families.h"

static void append(char *buf, size_t n, const char *s) {
    size_t k = strlen(buf);
    if (k < n) snprintf(buf + k, n - k, "%s", s);
}

const char *el_model_families(void) {
    static char text[512], image[256], all[1024];
    if (!*all) { /* built once, before any thread could ask (the CLI's first call) */
        for (int i = 0; el_hf_text_type(i); i++) append(text, sizeof text, i ? ", " : ""), append(text, sizeof text, el_hf_text_type(i));
        append(image, sizeof image, "vit, deit");
        for (int i = 0; el_vision_type(i); i++) append(image, sizeof image, ", "), append(image, sizeof image, el_vision_type(i));
        snprintf(all, sizeof all,
                 "text: %s (Hugging Face model_type), llama2.c .bin, GGUF (llama, qwen2, phi3, gpt2, gptneox); "
                 "image: %s (Hugging Face model_type), timm ViT/DeiT",
                 text, image);
    }
    return all;
}
