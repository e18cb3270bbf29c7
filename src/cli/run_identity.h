/* The identity of a run, kept beside its output as FILE.run.json (written
 * atomically: a temporary file renamed over it), so that --resume extends a
 * file only with records of the same run. It holds what decides the records:
 * the tool's version, the command and record format, the model (its path
 * and a fingerprint of its config and weight-file headers), every
 * command-line argument except those that cannot change a record
 * (-o, --resume, --threads, -q, --max-file-size; profile's --batch), and
 * the number and a fingerprint of the inputs in order. */
#ifndef EL_CLI_RUN_IDENTITY_H
#define EL_CLI_RUN_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a over bytes, chained from h (start with EL_FNV_START). */
#define EL_FNV_START 1469598103934665603ull
uint64_t el_fnv(uint64_t h, const void *data, size_t len);

/* Fingerprint of a model: config.json and every weight file's size and
 * first MiB (safetensors and GGUF headers, llama2.c header) in the folder,
 * or of the one file. 0 when nothing could be read. */
uint64_t el_model_fingerprint(const char *path);

/* The identity of this run: argv[1..argc-1] without the options in
 * skip_value (and their values) and skip_flag, plus everything named above.
 * For an output without records (a fresh run, or a resume of an empty
 * file) it is written to output.run.json; for a resume of records, the
 * sidecar must exist and be equal, else a one-line message names the file
 * and the first field that differs, and -1 is returned. */
int el_run_identity_settle(const char *cmd, int csv, const char *model_path, int argc, char **argv,
                           const char *const *skip_value, const char *const *skip_flag, size_t n_inputs,
                           uint64_t inputs_fp, const char *output, int has_records);

#endif
