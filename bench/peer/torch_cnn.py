#!/usr/bin/env python3
"""PyTorch peer of Descent's CNN recipe on Fashion-MNIST (README: cnn:c32k3,bn,relu,pool2,c64k3,bn,relu,pool2,fc128,relu,drop0.3).

The same network (3x3 convolutions with padding 1 and no bias before batch norm, 2x2 max pooling, dropout 0.3,
PyTorch's default initialisation), batch, optimiser (Adam, lr 1e-3) and data (pixels / 255, standardised with the
training set's global mean and deviation), on the CPU with 2 threads, as DESIGN.md's peer.

usage: torch_cnn.py speed [BATCH] [STEPS]        training samples/s over STEPS steps (steps only, no evaluation),
                                                 after 5 warm-up steps; prints one line per 50 steps and the median
       torch_cnn.py train [EPOCHS] [SEED]         the recipe with a cosine schedule and crop:2,flip augmentation,
                                                 printing the test accuracy after each epoch
Run with Debian's python3-torch: /usr/bin/python3 bench/peer/torch_cnn.py speed 128 200
"""
import gzip, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)
ROOT = "/usr/share/datasets/fashion-mnist/"


def idx(name, header):
    with gzip.open(ROOT + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def load():
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    xt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    mean, std = x.mean(), x.std(unbiased=False)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
    return (x - mean) / std, y, (xt - mean) / std, yt, float(-mean / std)


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def augment(xb, fill, gen):
    """RandomCrop(28, padding=2, fill=black) then RandomHorizontalFlip, per image."""
    n = xb.shape[0]
    padded = torch.nn.functional.pad(xb, (2, 2, 2, 2), value=fill)
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(n)])
    out[flip] = out[flip].flip(3)
    return out


def speed(batch, steps):
    x, y, _, _, _ = load()
    torch.manual_seed(0)
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(x))
    rates, t0, done = [], None, 0
    for s in range(steps + 5):
        i = order[(s * batch) % (len(x) - batch):][:batch]
        opt.zero_grad()
        loss = loss_fn(net(x[i]), y[i])
        loss.backward()
        opt.step()
        loss.item()
        if s == 4:
            t0 = time.perf_counter()
        elif s > 4 and (s - 4) % 50 == 0:
            t = time.perf_counter()
            rates.append(50 * batch / (t - t0))
            print(f"steps {s - 54}-{s - 4}: {rates[-1]:.0f} samples/s", flush=True)
            t0 = t
    print(f"median {statistics.median(rates):.0f} samples/s (torch {torch.__version__}, 2 threads, batch {batch}, "
          f"mkldnn {torch.backends.mkldnn.is_available()})")


def train(epochs, seed):
    x, y, xt, yt, fill = load()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    steps = epochs * ((len(x) + 127) // 128)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(x), generator=gen)
        t0 = time.perf_counter()
        for s in range(0, len(x), 128):
            i = order[s:s + 128]
            opt.zero_grad()
            loss_fn(net(augment(x[i], fill, gen)), y[i]).backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            correct = sum((net(xt[s:s + 1000]).argmax(1) == yt[s:s + 1000]).sum().item() for s in range(0, len(xt), 1000))
        print(f"epoch {epoch + 1}: test accuracy {correct / len(xt):.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "speed"
    if mode == "speed":
        speed(int(sys.argv[2]) if len(sys.argv) > 2 else 128, int(sys.argv[3]) if len(sys.argv) > 3 else 200)
    elif mode == "train":
        train(int(sys.argv[2]) if len(sys.argv) > 2 else 15, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    else:
        sys.exit(__doc__)
