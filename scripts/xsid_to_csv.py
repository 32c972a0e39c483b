#!/usr/bin/env python3
"""Builds bench/data/xsid/ from xSID 0.7 (van der Goot et al. 2021; CC BY-SA 4.0): the Chinese and English files
are the same sentences with the same intents. Run once; output committed.

  python3 scripts/xsid_to_csv.py DIR_WITH_zh.valid.conll_zh.test.conll_en.valid.conll_en.test.conll

Both of xSID's non-English splits (valid 300, test 500) are pooled by sentence id, intents with fewer than 10
sentences dropped (alarm/time_left_on_alarm 4, alarm/snooze_alarm 5, alarm/modify_alarm 1), and the rest split
50/50 per intent with a fixed seed into train.csv and test.csv: the same ids in both languages.
"""
import csv
import os
import random
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench/data/xsid")
MIN_PER_INTENT = 10


def read(path, split):
    """Sentences in file order (the English files carry no ids; both languages list the same sentences in order)."""
    rows = {}
    text = intent = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# text = "):
            text = line[9:].strip()
        elif line.startswith("# intent = "):
            intent = line[11:].strip()
        elif not line.strip() and text is not None:
            rows[f"{split}-{len(rows) + 1:04d}"] = (text, intent)
            text = intent = None
    if text is not None:
        rows[f"{split}-{len(rows) + 1:04d}"] = (text, intent)
    return rows


def main():
    src = sys.argv[1]
    langs = {}
    for lang in ("zh", "en"):
        langs[lang] = {**read(os.path.join(src, f"{lang}.valid.conll"), "valid"), **read(os.path.join(src, f"{lang}.test.conll"), "test")}
    ids = sorted(set(langs["zh"]) & set(langs["en"]))
    for i in ids:
        assert langs["zh"][i][1] == langs["en"][i][1], i
    by_intent = defaultdict(list)
    for i in ids:
        by_intent[langs["zh"][i][1]].append(i)
    rng = random.Random(21)
    split = {}
    for intent, members in sorted(by_intent.items()):
        if len(members) < MIN_PER_INTENT:
            continue
        members = sorted(members)
        rng.shuffle(members)
        half = len(members) // 2
        for k, i in enumerate(members):
            split[i] = "train" if k < half else "test"
    os.makedirs(OUT, exist_ok=True)
    for lang in ("zh", "en"):
        for part in ("train", "test"):
            with open(os.path.join(OUT, f"{lang}.{part}.csv"), "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["text", "category"])
                for i in ids:
                    if split.get(i) == part:
                        w.writerow([langs[lang][i][0], langs[lang][i][1].replace("/", "_")])


if __name__ == "__main__":
    main()
