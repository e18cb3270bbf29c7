#!/usr/bin/python3
"""Learn a GPT-2-style byte-level BPE tokenizer on the Debian fortunes corpus.

Writes vocab.json and merges.txt in the files' GPT-2 / Hugging Face formats,
so that the sample model in samples/models/fortune-gpt2/ can be tokenised by
any GPT-2 tokenizer implementation (including the C one in this project).
The module also holds the corpus loader/splitter and an encoder/decoder that
follows OpenAI's encoder.py, imported by tools/train/train_sample_lm.py.

Run from the repository root (after `apt-get install fortunes fortunes-min`):
    /usr/bin/python3 tools/train/train_bpe.py
"""
import argparse
import heapq
import json
import os
import random
import sys
import unicodedata

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from tokenizer_reference import bytes_to_unicode, merge_pair  # noqa: E402

FORTUNE_DIR = "/usr/share/games/fortunes"
EOT = "<|endoftext|>"


# --------------------------------------------------------------------- corpus

def load_fortunes(directory=FORTUNE_DIR):
    """All entries of the plain-text fortune files, in (file name, position)
    order. The .dat files are strfile indexes and the .u8 names are symlinks
    to the same text, so both are skipped."""
    entries = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith((".dat", ".u8")) or os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        current = []
        for line in text.split("\n"):
            if line == "%":
                entries.append("\n".join(current))
                current = []
            else:
                current.append(line)
        entries.append("\n".join(current))
    out = []
    for e in entries:
        # Backspace/bell/escape bytes are terminal tricks of 1980s fortunes
        # ("____^H^H^H^HBODY"), not text a model should learn.
        e = "".join(c for c in e if c in "\n\t" or unicodedata.category(c) != "Cc")
        e = e.strip("\n")
        if e.strip():
            out.append(e)
    return out


def split_corpus(entries, seed=1234, valid_fraction=0.05):
    """Deterministic train/validation split of whole entries."""
    order = list(range(len(entries)))
    random.Random(seed).shuffle(order)
    n_valid = int(round(len(entries) * valid_fraction))
    valid = [entries[i] for i in sorted(order[:n_valid])]
    train = [entries[i] for i in sorted(order[n_valid:])]
    return train, valid


# ------------------------------------------------------------ byte <-> unicode

BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}


# ------------------------------------------------------------ pre-tokenisation
#
# GPT-2 splits text with the `regex`-module pattern
#     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
# Python's `re` has no \p{..}, so pretokenize() is a scanner that produces the
# same pieces as regex.findall with that pattern. At each position it tries,
# in this order, and takes the first that matches:
#   1. one of the contractions 's 't 're 've 'm 'll 'd -- case-sensitive, ASCII
#      apostrophe only, and NOT checked for a following letter ("'dog" gives
#      "'d" + "og", exactly as GPT-2 does);
#   2. an optional single U+0020 space, then a maximal run of letters
#      (Unicode general category L*);
#   3. the same with numbers (category N*: digits, but also '½', 'Ⅻ', ...);
#   4. the same with "other" characters: neither whitespace nor L* nor N*;
#   5. a whitespace run not followed by a non-space: the whole run if it ends
#      the text, otherwise the run minus its last character (so that last
#      space can start the next word as " word"); a single whitespace
#      character followed by a non-space fails here and falls to 6;
#   6. a maximal whitespace run (in practice: that single character).
# "Whitespace" is the Unicode White_Space property (what `regex` uses for \s),
# listed explicitly below; note it differs from str.isspace(), which also
# accepts U+001C..U+001F. L*/N* come from unicodedata of this Python.
# The optional space in 2-4 is only U+0020: "\tword" gives "\t" + "word".

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
WHITESPACE = frozenset(map(chr, [
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000]))
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def _kind(c):
    """'s' whitespace, 'L' letter, 'N' number, 'o' anything else."""
    if c in WHITESPACE:
        return "s"
    cat = unicodedata.category(c)[0]
    return cat if cat in "LN" else "o"


def pretokenize(text):
    kinds = [_kind(c) for c in text]
    n = len(text)
    out = []
    i = 0
    while i < n:
        # 1. contractions
        if text[i] == "'":
            m = next((c for c in CONTRACTIONS if text.startswith(c, i)), None)
            if m:
                out.append(m)
                i += len(m)
                continue
        # 2-4. optional space + run of one class
        start = i
        j = i
        if text[i] == " " and i + 1 < n and kinds[i + 1] != "s":
            j = i + 1
        if kinds[j] != "s":
            k = kinds[j]
            j += 1
            while j < n and kinds[j] == k:
                j += 1
            out.append(text[start:j])
            i = j
            continue
        # 5-6. whitespace
        j = i
        while j < n and kinds[j] == "s":
            j += 1
        if j < n and j - i >= 2:
            j -= 1  # leave the last whitespace char for the next piece
        elif j < n:
            j = i + 1  # rule 6: lone whitespace before a non-space
        out.append(text[i:j])
        i = j
    return out


# ---------------------------------------------------------------- BPE training

def train_bpe(texts, vocab_size):
    """Classic BPE on pre-token counts: repeatedly merge the most frequent
    adjacent symbol pair (ties: the lexicographically smallest pair, for a
    deterministic result). Returns the merges in priority order and the
    vocabulary (256 byte symbols, merge results, then <|endoftext|>)."""
    counts = {}
    for t in texts:
        for piece in pretokenize(t):
            counts[piece] = counts.get(piece, 0) + 1
    words = []
    freqs = []
    for piece, c in counts.items():
        words.append([BYTE_ENCODER[b] for b in piece.encode("utf-8")])
        freqs.append(c)

    # ids 0..255: the byte symbols in bytes_to_unicode() order, as in GPT-2's
    # own vocab ("!" = 0, ..., "Ġ" = 220).
    vocab = {ch: i for i, ch in enumerate(BYTE_ENCODER.values())}
    pair_count = {}
    where = {}
    for wi, w in enumerate(words):
        for p in zip(w, w[1:]):
            pair_count[p] = pair_count.get(p, 0) + freqs[wi]
            where.setdefault(p, set()).add(wi)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)

    merges = []
    while len(vocab) < vocab_size - 1 and heap:
        negc, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negc or negc == 0:
            continue  # stale heap entry
        a, b = pair
        new = a + b
        merges.append(pair)
        if new not in vocab:  # two merges can spell the same string
            vocab[new] = len(vocab)
        changed = set()
        for wi in list(where.get(pair, ())):
            w = words[wi]
            f = freqs[wi]
            out = []
            i = 0
            hit = False
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(new)
                    i += 2
                    hit = True
                else:
                    out.append(w[i])
                    i += 1
            if not hit:
                continue
            for p in zip(w, w[1:]):
                pair_count[p] -= f
                changed.add(p)
            for p in zip(out, out[1:]):
                pair_count[p] = pair_count.get(p, 0) + f
                where.setdefault(p, set()).add(wi)
                changed.add(p)
            words[wi] = out
        where.pop(pair, None)
        pair_count.pop(pair, None)
        changed.discard(pair)
        for p in changed:
            if pair_count[p] > 0:
                heapq.heappush(heap, (-pair_count[p], p))
    vocab[EOT] = len(vocab)
    return merges, vocab


def save_tokenizer(out_dir, merges, vocab):
    """As Hugging Face's GPT2Tokenizer.save_vocabulary writes them."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(vocab, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")


# ---------------------------------------------------------- encode / decode

class Tokenizer:
    """GPT-2's encoder.py: pre-tokenise, map bytes to symbols, then in each
    piece repeatedly merge the adjacent pair with the lowest merge rank."""

    def __init__(self, directory):
        with open(os.path.join(directory, "vocab.json"), encoding="utf-8") as f:
            self.encoder = json.load(f)
        self.decoder = {v: k for k, v in self.encoder.items()}
        with open(os.path.join(directory, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        assert lines[0].startswith("#version")
        pairs = [tuple(line.split(" ")) for line in lines[1:] if line]
        self.ranks = {p: i for i, p in enumerate(pairs)}
        self.eot_id = self.encoder[EOT]
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks:
                break
            word = merge_pair(word, bigram)
        self.cache[token] = word
        return word

    def encode(self, text):
        """Plain text only: '<|endoftext|>' in text is not special here; the
        trainer inserts eot_id between documents itself."""
        ids = []
        for piece in pretokenize(text):
            sym = "".join(BYTE_ENCODER[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(sym))
        return ids

    def decode(self, ids):
        text = "".join(self.decoder[i] for i in ids)
        return bytearray(BYTE_DECODER[c] for c in text).decode("utf-8", errors="replace")


# ----------------------------------------------------------------------- main

def _self_test():
    cases = {
        "Hello world": ["Hello", " world"],
        "I'm  here's 'dog": ["I", "'m", " ", " here", "'s", " '", "dog"],
        "a\n\nb": ["a", "\n", "\n", "b"],
        "x  \n  y ": ["x", "  \n ", " y", " "],
        "tab\tx 42!? ": ["tab", "\t", "x", " 42", "!?", " "],
        "I'M ½caf\u00e9": ["I", "'", "M", " ½", "café"],
    }
    for text, want in cases.items():
        got = pretokenize(text)
        assert got == want, (text, got, want)
        assert "".join(got) == text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="samples/models/fortune-gpt2")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--split-seed", type=int, default=1234)
    args = ap.parse_args()

    _self_test()
    entries = load_fortunes()
    train, valid = split_corpus(entries, args.split_seed)
    print(f"{len(entries)} entries: {len(train)} train, {len(valid)} validation")
    try:  # Debian's python3-regex, if present, is the reference for the scanner
        import regex
    except ImportError:
        regex = None
    if regex is not None:
        pat = regex.compile(GPT2_PATTERN)
        for text in entries + ["\n".join(entries)]:
            assert pretokenize(text) == pat.findall(text), text[:80]
        print("pretokenize() agrees with the regex module on the whole corpus")
    # Learned on the training split only, so validation text stays unseen.
    merges, vocab = train_bpe(train, args.vocab_size)
    save_tokenizer(args.out, merges, vocab)
    print(f"{len(merges)} merges, vocabulary {len(vocab)} (eot id {vocab[EOT]})")

    tok = Tokenizer(args.out)
    for text in valid[:200]:
        assert tok.decode(tok.encode(text)) == text
    n_chars = sum(len(t) for t in valid)
    n_tok = sum(len(tok.encode(t)) for t in valid)
    print(f"validation: {n_chars} chars -> {n_tok} tokens ({n_chars / n_tok:.2f} chars/token)")


if __name__ == "__main__":
    sys.exit(main())
