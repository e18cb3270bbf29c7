#!/usr/bin/python3
"""Reference tokenizers for the text towers of CLIP and SigLIP, written from
the Hugging Face tokenizers (no `tokenizers`/`sentencepiece` package needed).

ClipBpe: CLIP's fast tokenizer as its tokenizer.json describes it
  (openai/clip-vit-*): normaliser NFC -> Replace(\\s+, " ") -> Lowercase;
  pre-tokeniser Split on CLIP's pattern (matches kept, the rest removed) ->
  ByteLevel without prefix space and without its own regex; BPE with
  end_of_word_suffix "</w>" (the last symbol of every word carries the suffix
  before any merge); the special tokens matched as added tokens in the
  normalised text first; post-processor <|startoftext|> ... <|endoftext|>;
  truncation to the 77-token context keeps the end token. OpenAI's
  simple_tokenizer additionally runs ftfy and html.unescape; the HF fast
  tokenizer does not, and neither do we.

SiglipSpm: SiglipTokenizer over a SentencePiece Unigram model (spiece.model):
  lower-case (do_lower_case), canonicalize_text (string.punctuation removed,
  whitespace runs -> one space, strip), spaces -> U+2581 with one U+2581
  prefixed, Viterbi segmentation by piece score (unknown characters -> <unk>),
  </s> appended, padded with the pad token to max_length (64), as
  SiglipModel's text tower was trained (padding="max_length").
  The spiece.model reader understands the fields a model needs (pieces with
  score and type, trainer_spec.model_type); the normaliser must be
  "identity" (real SigLIP models use nmt_nfkc, which changes only unusual
  characters; this reference refuses it rather than guess).
"""
import json
import re
import string
import struct
import sys
import os
import unicodedata

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]
from tokenizer_reference import bytes_to_unicode, merge_pair, split_added, _class_ranges  # noqa: E402

CLIP_CONTEXT = 77
_CLIP_RE = None


def clip_regex():
    """The Split pattern of CLIP's tokenizer.json, with the Unicode classes
    Python's re lacks spelt out (re.IGNORECASE as in OpenAI's code is moot
    after Lowercase)."""
    global _CLIP_RE
    if _CLIP_RE is None:
        L = _class_ranges(lambda c: unicodedata.category(chr(c)).startswith("L"))
        N = _class_ranges(lambda c: unicodedata.category(chr(c)).startswith("N"))
        S = r"\s"
        pat = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d"
               rf"|[{L}]+|[{N}]|[^{S}{L}{N}]+")
        _CLIP_RE = re.compile(pat)
    return _CLIP_RE


class ClipBpe:
    def __init__(self, vocab, merges, bos="<|startoftext|>", eos="<|endoftext|>", context=CLIP_CONTEXT):
        self.vocab = vocab
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.bos, self.eos = vocab[bos], vocab[eos]
        self.context = context
        self.cache = {}

    @classmethod
    def from_tokenizer_json(cls, path):
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        model = tj["model"]
        if model.get("type") != "BPE" or model.get("end_of_word_suffix") != "</w>":
            raise ValueError(f"{path}: not CLIP's BPE with end_of_word_suffix </w>")
        merges = [m.split(" ") if isinstance(m, str) else m for m in model["merges"]]
        vocab = dict(model["vocab"])
        for t in tj.get("added_tokens", []):
            vocab[t["content"]] = t["id"]
        return cls(vocab, merges)

    @classmethod
    def from_vocab_merges(cls, vocab_json, merges_txt):
        with open(vocab_json, encoding="utf-8") as f:
            vocab = json.load(f)
        with open(merges_txt, encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [ln.split(" ") for ln in lines if ln and not ln.startswith("#version")]
        return cls(vocab, merges)

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        symbols = tuple(word[:-1]) + (word[-1] + "</w>",)
        while len(symbols) > 1:
            pairs = set(zip(symbols, symbols[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            symbols = merge_pair(symbols, best)
        self.cache[word] = list(symbols)
        return self.cache[word]

    @staticmethod
    def normalize(text):
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).lower()

    def encode(self, text):
        ids = [self.bos]
        # The special tokens are added tokens with normalized: true, matched
        # in the normalised text before pre-tokenisation.
        specials = {"<|startoftext|>": self.bos, "<|endoftext|>": self.eos}
        for seg, start in split_added(self.normalize(text), specials):
            if start is None:
                ids.append(specials[seg])
                continue
            for piece in clip_regex().findall(seg):
                mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
                ids.extend(self.vocab[s] for s in self.bpe(mapped))
        ids.append(self.eos)
        if len(ids) > self.context:  # truncation keeps the end token
            ids = ids[:self.context - 1] + [self.eos]
        return ids


# ------------------------------------------------------------------ SentencePiece


def _varint(buf, i):
    v, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of a protobuf message; length-delimited
    values as bytes, fixed32 as raw 4 bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        else:
            raise ValueError(f"protobuf wire type {wt}")
        yield num, wt, v


SPM_NORMAL, SPM_UNKNOWN, SPM_CONTROL, SPM_USER, SPM_UNUSED, SPM_BYTE = 1, 2, 3, 4, 5, 6


def read_spiece(path):
    """{pieces: [(piece, score, type)], model_type, normalizer}."""
    with open(path, "rb") as f:
        buf = f.read()
    pieces, model_type, norm = [], 1, {}
    for num, wt, v in _fields(buf):
        if num == 1 and wt == 2:
            p, s, t = "", 0.0, SPM_NORMAL
            for n2, w2, v2 in _fields(v):
                if n2 == 1:
                    p = v2.decode("utf-8")
                elif n2 == 2:
                    s = struct.unpack("<f", v2)[0]
                elif n2 == 3:
                    t = v2
            pieces.append((p, s, t))
        elif num == 2 and wt == 2:
            for n2, w2, v2 in _fields(v):
                if n2 == 3:
                    model_type = v2
        elif num == 3 and wt == 2:
            for n2, w2, v2 in _fields(v):
                if n2 == 1:
                    norm["name"] = v2.decode("utf-8")
                elif n2 == 3:
                    norm["add_dummy_prefix"] = bool(v2)
                elif n2 == 4:
                    norm["remove_extra_whitespaces"] = bool(v2)
    return {"pieces": pieces, "model_type": model_type, "normalizer": norm}


class SiglipSpm:
    def __init__(self, spiece_path, max_length=64, eos="</s>", pad="</s>", unk="<unk>"):
        m = read_spiece(spiece_path)
        if m["model_type"] != 1:
            raise ValueError(f"{spiece_path}: not a Unigram SentencePiece model")
        if m["normalizer"].get("name", "identity") != "identity":
            raise ValueError(f"{spiece_path}: normaliser {m['normalizer'].get('name')} not supported")
        self.pieces = m["pieces"]
        self.ids = {p: i for i, (p, s, t) in enumerate(self.pieces)}
        self.eos, self.pad, self.unk = self.ids[eos], self.ids[pad], self.ids[unk]
        self.max_length = max_length
        self.scores = {p: s for p, s, t in self.pieces if t in (SPM_NORMAL, SPM_USER)}
        self.max_piece = max(len(p) for p in self.scores)
        # sentencepiece: unknown characters cost min score - 10
        self.unk_score = min(self.scores.values()) - 10.0

    @staticmethod
    def canonicalize(text):
        text = text.lower().translate(str.maketrans("", "", string.punctuation))
        return re.sub(r"\s+", " ", text).strip()

    def viterbi(self, s):
        n = len(s)
        best = [(-float("inf"), -1, None)] * (n + 1)
        best[0] = (0.0, -1, None)
        for i in range(n):
            if best[i][0] == -float("inf"):
                continue
            matched = False
            for j in range(i + 1, min(n, i + self.max_piece) + 1):
                p = s[i:j]
                if p in self.scores:
                    matched = matched or j == i + 1
                    sc = best[i][0] + self.scores[p]
                    if sc > best[j][0]:
                        best[j] = (sc, i, self.ids[p])
            if not matched:  # one unknown character
                sc = best[i][0] + self.unk_score
                if sc > best[i + 1][0]:
                    best[i + 1] = (sc, i, self.unk)
        out, j = [], n
        while j > 0:
            _, i, tid = best[j]
            out.append(tid)
            j = i
        out.reverse()
        # sentencepiece fuses runs of unknown pieces into one
        fused = []
        for t in out:
            if not (t == self.unk and fused and fused[-1] == self.unk):
                fused.append(t)
        return fused

    def encode(self, text):
        text = self.canonicalize(text)
        ids = self.viterbi("\u2581" + text.replace(" ", "\u2581")) if text else []
        ids = ids[:self.max_length - 1] + [self.eos]
        return ids + [self.pad] * (self.max_length - len(ids))
