"""PyTorch CPU on the Fashion-MNIST benchmark, in a process of its own (started by fashion_mnist_bench.ts).

A benchmark-only dependency: Debian's python3-torch (PyTorch 1.13), `apt-get install python3-torch`.
The same model, data, starting weights and batch order as gradflow's train(): the weights and the
order come from the files the driver wrote (gradflow's [in, out] weights, transposed into
nn.Linear's [out, in]); the pixels are read from the same IDX files and divided by 255 in float32
(torchvision's ToTensor). The loop is the one PyTorch users write: index a batch, zero_grad,
CrossEntropyLoss, backward, Adam's step; after every epoch, accuracy on the test images.

Usage: python3 _run_torch.py --inputs DIR --threads N [--epochs N] [--limit N] [--name NAME] [--data DIR]
"""

import argparse
import gzip
import json
import os
import struct
import time


def read_idx(path):
    import numpy as np

    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    shape = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--name")
    parser.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    def images(name):
        x = read_idx(f"{args.data}/{name}-images-idx3-ubyte.gz")[: args.limit]
        return torch.from_numpy(x.reshape(len(x), 784)).float().div_(255)

    def labels(name):
        return torch.from_numpy(read_idx(f"{args.data}/{name}-labels-idx1-ubyte.gz")[: args.limit].astype(np.int64))

    train_x, train_y = images("train"), labels("train")
    test_x, test_y = images("t10k"), labels("t10k")
    n = len(train_x)

    params = [np.fromfile(f"{args.inputs}/param{i}.f32", dtype="<f4") for i in range(6)]
    order = torch.from_numpy(np.fromfile(f"{args.inputs}/order.i32", dtype="<i4").astype(np.int64))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    with torch.no_grad():
        for i, (fan_in, fan_out) in enumerate([(784, 256), (256, 128), (128, 10)]):
            layer = model[2 * i]
            layer.weight.copy_(torch.from_numpy(params[2 * i].reshape(fan_in, fan_out).T.copy()))
            layer.bias.copy_(torch.from_numpy(params[2 * i + 1]))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    start, cpu = time.perf_counter(), time.process_time()
    for epoch in range(args.epochs):
        model.train()
        loss_sum = 0.0
        epoch_order = order[epoch * n : (epoch + 1) * n]
        for i in range(0, n, 128):
            rows = epoch_order[i : i + 128]
            xb, yb = train_x[rows], train_y[rows]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(rows)
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = {
        "name": args.name or f"torch-{args.threads}",
        "secondsPerEpoch": seconds / args.epochs,
        "cpuSecondsPerEpoch": cpu / args.epochs,
        "samplesPerSecond": args.epochs * n / seconds,
        "accuracy": accuracy,
        "loss": loss_sum / n,
        "epochs": args.epochs,
        "note": f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)",
    }
    print("BENCH-RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
