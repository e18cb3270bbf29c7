/* Models named by their Hugging Face hub id ("org/name", optionally
 * "org/name@revision"), found in the local hub cache the way
 * huggingface_hub lays it out:
 *   <cache>/models--org--name/refs/<revision>   -> a commit hash
 *   <cache>/models--org--name/snapshots/<hash>/ -> the model folder
 * <cache> is $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
 * The revision defaults to "main"; a commit hash names a snapshot directly.
 * Nothing is downloaded. */
#ifndef EL_WEIGHTS_HF_CACHE_H
#define EL_WEIGHTS_HF_CACHE_H

#include <stddef.h>

#include "base/status.h"

/* 1 when s has the shape of a hub id: "org/name" or "org/name@revision",
 * each part of [A-Za-z0-9._-], not "." or "..", no leading '-' or '.'. */
int el_hf_is_repo_id(const char *s);

/* The hub cache directory from the environment (it need not exist). */
el_status el_hf_cache_dir(char *out, size_t n);

/* The snapshot folder of repo_id ("org/name[@revision]") in the cache, or
 * EL_ERR_IO naming where it looked. */
el_status el_hf_cache_resolve(const char *repo_id, char *out, size_t n);

#endif
