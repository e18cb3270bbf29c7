#!/usr/bin/env python3
"""Prompts of three kinds for the task-identification example (as in the
paper: can the entropy profile tell which kind of task the model is on?).

Usage: tools/make_example_prompts.py OUT.jsonl [--per-kind N]
Kinds: continuation (the start of a proverb-like sentence), counting (a
regular sequence to continue), question (a question to answer). Seeded and
deterministic; labels are the kind.
"""
import argparse
import json
import random

SUBJECTS = ["A wise man", "The early bird", "A friend", "Every cloud", "The best things in life",
            "Love", "A penny saved", "Time", "Knowledge", "The pen", "Fortune", "Patience",
            "A journey", "Old age", "Money", "The truth", "Silence", "Hope", "A fool", "Happiness"]
VERBS = ["is", "never", "always", "will", "can", "must", "should", "may"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
QUESTIONS = ["What is the meaning of {}?", "Why do people love {}?", "How can a man find {}?",
             "Who can explain {}?", "Where does {} go?", "When will {} end?", "What happens to {}?",
             "Why is {} so hard?", "How do you know {}?", "What is the best thing about {}?"]
TOPICS = ["life", "love", "money", "a good friend", "the world", "work", "happiness", "the sea",
          "old age", "a dream", "the truth", "time", "a computer", "the law"]


def continuation(r):
    return "%s %s" % (r.choice(SUBJECTS), r.choice(VERBS))


def counting(r):
    kind = r.randrange(4)
    if kind == 0:
        start = r.randrange(1, 40)
        step = r.choice([1, 2, 5, 10])
        return ", ".join(str(start + step * i) for i in range(r.randrange(4, 7))) + ","
    seq = [NUMBERS, DAYS, MONTHS][kind - 1]
    s = r.randrange(0, len(seq) - 4)
    return ", ".join(seq[s:s + r.randrange(3, 5)]) + ","


def question(r):
    return r.choice(QUESTIONS).format(r.choice(TOPICS))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--per-kind", type=int, default=40)
    a = ap.parse_args()
    r = random.Random(42)
    rows = []
    for kind, make in (("continuation", continuation), ("counting", counting), ("question", question)):
        made = set()
        while len(made) < a.per_kind:
            made.add(make(r))
        rows += [{"prompt": p, "label": kind} for p in sorted(made)]
    with open(a.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
