#!/usr/bin/env python3
"""An independent NumPy version of the issue's Fashion-MNIST run, to compare accuracies with.

The same recipe as `descent train --data fashion-mnist --model mlp:256,128 --batch-size 128
--epochs 10`: inputs in [0, 1] standardised with the training set's global mean and deviation,
784-256-128-10 with ReLU, PyTorch's nn.Linear initialisation (U(+-1/sqrt(in)) for weights and
biases), mean cross-entropy, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, bias-corrected), a fresh
shuffle each epoch, the last smaller batch kept. float32 throughout. Its random numbers are
NumPy's, so a seed here is not the same run as the same seed in Descent: compare the spread of
test accuracies over several seeds, not single runs.

usage: fashion_mnist_mlp.py SEED [DIR]   (DIR: /usr/share/datasets/fashion-mnist/)
prints: seed, epoch, test accuracy after each epoch
"""
import gzip
import sys

import numpy as np


def idx(path, header):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    seed = int(sys.argv[1])
    root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist/"
    x_train = idx(root + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    y_train = idx(root + "/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    x_test = idx(root + "/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    y_test = idx(root + "/t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    rng = np.random.default_rng(seed)
    sizes = [784, 256, 128, 10]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8

    def forward(x):
        acts = [x]
        for k in range(3):
            z = acts[-1] @ params[2 * k] + params[2 * k + 1]
            acts.append(np.maximum(z, 0) if k < 2 else z)
        return acts

    t = 0
    for epoch in range(1, 11):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 128):
            batch = order[start:start + 128]
            n = len(batch)
            acts = forward(x_train[batch])
            logits = acts[3] - acts[3].max(1, keepdims=True)
            grad = np.exp(logits)
            grad /= grad.sum(1, keepdims=True)
            grad[np.arange(n), y_train[batch]] -= 1
            grad /= n
            grads = [None] * 6
            for k in (2, 1, 0):
                grads[2 * k] = acts[k].T @ grad
                grads[2 * k + 1] = grad.sum(0)
                if k > 0:
                    grad = (grad @ params[2 * k].T) * (acts[k] > 0)
            t += 1
            for j, g in enumerate(grads):
                m[j] = beta1 * m[j] + (1 - beta1) * g
                v[j] = beta2 * v[j] + (1 - beta2) * g * g
                m_hat = m[j] / (1 - beta1 ** t)
                v_hat = v[j] / (1 - beta2 ** t)
                params[j] -= (lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
        accuracy = (forward(x_test)[3].argmax(1) == y_test).mean()
        print(seed, epoch, accuracy, flush=True)


if __name__ == "__main__":
    main()
