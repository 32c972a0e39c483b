#!/usr/bin/env python3
"""Reference token ids and sentence embeddings for the TypeScript encoder's tests (run once; output committed).

Token ids come from Hugging Face `tokenizers` loading the model's own tokenizer.json (the fast BertTokenizer).
Embeddings come from an independent float64 numpy implementation of BERT + mean pooling + L2 normalisation,
reading model.safetensors directly. The TypeScript code shares nothing with this script.

  pip install numpy tokenizers
  python3 scripts/reference_embeddings.py [MODEL_DIR]
writes tests/fixtures/encoder/reference.json from tests/fixtures/encoder/sentences.json.
"""
import json
import math
import os
import struct
import sys

import numpy as np
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "BASE_MODEL_DIR", os.path.join(ROOT, ".local/models/all-MiniLM-L6-v2"))
FIXTURES = os.path.join(ROOT, "tests/fixtures/encoder")
MAX_LENGTH = 128


def read_safetensors(path):
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dtypes[info["dtype"]]).reshape(info["shape"]).astype(np.float64)
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


_erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def encode_sentence(w, cfg, ids, type_ids):
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    n = len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:n]
         + w["embeddings.token_type_embeddings.weight"][type_ids])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    d = x.shape[1] // heads
    lin = lambda t, name: t @ w[name + ".weight"].T + w[name + ".bias"]
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        split = lambda t: t.reshape(n, heads, d).transpose(1, 0, 2)
        q = split(lin(x, p + "attention.self.query"))
        k = split(lin(x, p + "attention.self.key"))
        v = split(lin(x, p + "attention.self.value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, heads * d)
        x = layer_norm(lin(ctx, p + "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        ff = lin(gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = layer_norm(ff + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    pooled = x.mean(0)  # one unpadded sentence: every token counts
    return pooled / max(np.linalg.norm(pooled), 1e-12)


def main():
    cfg = json.load(open(os.path.join(MODEL_DIR, "config.json")))
    tok = Tokenizer.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_LENGTH)
    w = read_safetensors(os.path.join(MODEL_DIR, "model.safetensors"))
    sentences = json.load(open(os.path.join(FIXTURES, "sentences.json"), encoding="utf-8"))
    out = []
    for s in sentences:
        enc = tok.encode(s["text"], s["pair"]) if s.get("pair") else tok.encode(s["text"])
        emb = encode_sentence(w, cfg, enc.ids, enc.type_ids)
        out.append({"ids": enc.ids, "typeIds": enc.type_ids, "embedding": [round(float(v), 6) for v in emb]})
    ref = {"model": os.path.basename(MODEL_DIR.rstrip("/")), "maxLength": MAX_LENGTH, "tokenizer": "tokenizers " +
           __import__("tokenizers").__version__, "sentences": out}
    with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, separators=(",", ":"))
    print(f"wrote {len(out)} references")


if __name__ == "__main__":
    main()
