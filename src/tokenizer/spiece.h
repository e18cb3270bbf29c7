/* SentencePiece Unigram models (spiece.model) as SigLIP's text tower uses
 * them: the protobuf read without libprotobuf, Viterbi segmentation by piece
 * score (an unknown character costs the lowest score minus 10 and runs of
 * them fuse into one <unk>, as sentencepiece does), and SiglipTokenizer's
 * text handling around it. */
#ifndef EL_SPIECE_H
#define EL_SPIECE_H

#include "entropy_lens.h"

typedef struct el_spiece el_spiece;

/* Unigram models only (BPE ones: EL_ERR_UNSUPPORTED); normaliser "identity",
 * or "nmt_nfkc" / "nfkc" applied as Unicode NFKC (sentencepiece's nmt_nfkc
 * also maps some control and space characters, which SiglipTokenizer's
 * canonicalisation mostly removes first). Needs pieces named </s>, <unk>. */
el_status el_spiece_load(const char *path, el_spiece **out);
void el_spiece_free(el_spiece *s);
int el_spiece_vocab_size(const el_spiece *s);

/* SiglipTokenizer(text, padding="max_length", truncation=True): lower-cased,
 * ASCII punctuation removed, whitespace runs to one space, stripped, then
 * "▁" + the text with spaces as "▁", segmented; </s> appended (the ids cut
 * to max_length - 1 first) and padded with </s> to max_length.
 * ids has room for max_length. */
el_status el_spiece_encode_siglip(const el_spiece *s, const char *text, int max_length, int *ids);

#endif
