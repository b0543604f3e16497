#!/usr/bin/env python3
"""The GPT of `descent train --model gpt:...` written in PyTorch, to compare Descent against.

The same model as dev.descent.nn.transformer.Gpt, parameter for parameter and under the same
names: token and learned position embeddings, pre-norm blocks (LayerNorm, causal multi-head
attention through one qkv map, residual; LayerNorm, Linear(d, 4d), exact GELU, Linear(4d, d),
residual), a final LayerNorm, logits through the token embedding's matrix. AdamW with the
weight decay on matrices only, global gradient-norm clipping (torch.nn.utils.clip_grad_norm_),
float32 throughout.

usage:
  gpt_pytorch.py compare DIR
      DIR holds what GptAgreesWithPyTorchTest (module train) wrote: config.json, init.safetensors
      (Descent's initial weights), batches.bin (each step's input and target ids, int32
      little-endian) and lrs.txt (each step's learning rate). Trains on exactly those batches from
      those weights and writes each step's loss (before the step) to DIR/pytorch_losses.txt.
  gpt_pytorch.py time [--batch B] [--context T] [--layers L] [--heads H] [--dim D] [--vocab V]
                      [--steps N] [--threads 2]
      Times training steps of a randomly initialised model on random ids, as Descent's
      `bench` transformer row and `descent train` do, and prints tokens per second.
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).split(d, dim=2)
        q = q.view(b, t, self.heads, hd).transpose(1, 2)
        k = k.view(b, t, self.heads, hd).transpose(1, 2)
        v = v.view(b, t, self.heads, hd).transpose(1, 2)
        scores = (q @ k.transpose(2, 3)) * (1 / math.sqrt(hd))
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        weights = scores.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (weights @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        h = x + self.attention(self.norm1(x))
        return h + self.mlp(self.norm2(h))


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, dim):
        super().__init__()
        self.tokenEmbedding = nn.Embedding(vocab, dim)
        self.positionEmbedding = nn.Embedding(context, dim)
        self.blocks = nn.Sequential(*[Block(dim, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.tokenEmbedding(ids) + self.positionEmbedding.weight[:t]
        x = self.blocks(x)
        return self.norm(x) @ self.tokenEmbedding.weight.t()


def read_safetensors(path):
    """The tensors of a safetensors file (F32 only), by name."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if spec["dtype"] != "F32":
            raise ValueError(f"{name}: expected F32, got {spec['dtype']}")
        lo, hi = spec["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype="<f4").reshape(spec["shape"]).copy())
    return out


def optimizer(model, lr, betas, eps, weight_decay):
    """AdamW with the decay on matrices (and embedding tables) only, as WeightDecayGroups."""
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    rest = [p for p in params if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": rest, "weight_decay": 0.0}], lr=lr, betas=betas, eps=eps)


def compare(directory):
    cfg = json.load(open(f"{directory}/config.json"))
    torch.manual_seed(0)
    model = Gpt(cfg["vocab"], cfg["context"], cfg["layers"], cfg["heads"], cfg["dim"])
    weights = read_safetensors(f"{directory}/init.safetensors")
    state = model.state_dict()
    missing = set(state) ^ set(weights)
    if missing:
        sys.exit(f"the names differ: {sorted(missing)}")
    model.load_state_dict(weights)
    b, t, steps = cfg["batch"], cfg["context"], cfg["steps"]
    ids = np.fromfile(f"{directory}/batches.bin", dtype="<i4").reshape(steps, 2, b, t)
    lrs = [float(line) for line in open(f"{directory}/lrs.txt")]
    opt = optimizer(model, lrs[0], (cfg["beta1"], cfg["beta2"]), cfg["eps"], cfg["weight_decay"])
    losses = []
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lrs[step]
        x = torch.from_numpy(ids[step, 0].astype(np.int64))
        y = torch.from_numpy(ids[step, 1].astype(np.int64))
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        if cfg["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        losses.append(loss.item())
    with open(f"{directory}/pytorch_losses.txt", "w") as f:
        for v in losses:
            f.write(repr(v) + "\n")


def timing(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Gpt(args.vocab, args.context, args.layers, args.heads, args.dim)
    opt = optimizer(model, 1e-3, (0.9, 0.99), 1e-8, 0.1)
    x = torch.randint(0, args.vocab, (args.batch, args.context))
    y = torch.randint(0, args.vocab, (args.batch, args.context))
    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    per_step = sorted(times)[len(times) // 2]
    print(f"pytorch {torch.__version__}, {args.threads} threads: batch {args.batch} x context {args.context}, "
          f"median {per_step * 1000:.0f} ms/step, {args.batch * args.context / per_step:.0f} tokens/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare")
    c.add_argument("directory")
    t = sub.add_parser("time")
    for name, default in [("batch", 32), ("context", 128), ("layers", 4), ("heads", 4), ("dim", 128), ("vocab", 96),
                          ("steps", 10), ("warmup", 3), ("threads", 2)]:
        t.add_argument("--" + name, type=int, default=default)
    args = parser.parse_args()
    if args.command == "compare":
        compare(args.directory)
    else:
        timing(args)


if __name__ == "__main__":
    main()
