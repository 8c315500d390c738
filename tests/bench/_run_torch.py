"""PyTorch CPU on the Fashion-MNIST benchmark, in a process of its own (started by fashion_mnist_bench.ts).

A benchmark-only dependency: Debian's python3-torch (PyTorch 1.13), `apt-get install python3-torch`.
The same model, data, starting weights and batch order as gradflow's train() (--workload mlp|cnn, see
_fashion_mnist.ts): the weights and the order come from the files the driver wrote. params.json names each
parameter by its path in gradflow's tree, which is its key in this nn.Sequential's state_dict, so the
weights load by name (load_state_dict, strict); dense weights that gradflow holds [in, out] ("layout":
"in-out", the MLP's) are transposed into nn.Linear's [out, in], and the CNN's are PyTorch's layouts already
(convolutions [out, in, kh, kw]). The pixels are read from the same IDX files and divided by 255 in float32
(torchvision's ToTensor), as rows [n, 784] for the MLP and images [n, 1, 28, 28] for the CNN. The loop is the
one PyTorch users write: index a batch, zero_grad, CrossEntropyLoss, backward, Adam's step; after every epoch,
accuracy on the test images, in batches of 1024 as train() evaluates.

Usage: python3 _run_torch.py --inputs DIR --threads N [--workload mlp|cnn] [--epochs N] [--limit N]
       [--name NAME] [--data DIR]
"""

import argparse
import gzip
import json
import os
import struct
import time

BATCH = EVAL_BATCH = 128  # train()'s evalBatchSize is its batchSize


def read_idx(path):
    """An IDX file as a uint8 array, from `path`.gz or, failing that, `path`."""
    import numpy as np

    path = path + ".gz" if os.path.exists(path + ".gz") else path
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    shape = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def network(workload):
    from torch import nn

    if workload == "mlp":
        return nn.Sequential(
            nn.Linear(784, 256),
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    if workload == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(3136, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    raise ValueError(f"--workload must be mlp or cnn: current value is {workload}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--workload", default="mlp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--name")
    parser.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    # torch.set_num_threads bounds PyTorch's own pool, not the BLAS and OpenMP pools under it (Debian's PyTorch
    # calls OpenBLAS, whose threads would otherwise take every core): these bound them, before they start.
    for pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[pool] = str(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    sample = (784,) if args.workload == "mlp" else (1, 28, 28)

    def images(name):
        x = read_idx(f"{args.data}/{name}-images-idx3-ubyte")[: args.limit]
        return torch.from_numpy(x.reshape(len(x), *sample)).float().div_(255)

    def labels(name):
        return torch.from_numpy(read_idx(f"{args.data}/{name}-labels-idx1-ubyte")[: args.limit].astype(np.int64))

    train_x, train_y = images("train"), labels("train")
    test_x, test_y = images("t10k"), labels("t10k")
    n = len(train_x)

    model = network(args.workload)
    with open(f"{args.inputs}/params.json") as f:
        manifest = json.load(f)
    state = {}
    for i, p in enumerate(manifest):
        value = torch.from_numpy(np.fromfile(f"{args.inputs}/param{i}.f32", dtype="<f4").reshape(p["shape"]))
        state[p["name"]] = value.T.contiguous() if p.get("layout") == "in-out" else value
    model.load_state_dict(state)  # strict: every name and shape is the state_dict's
    order = torch.from_numpy(np.fromfile(f"{args.inputs}/order.i32", dtype="<i4").astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    start, cpu = time.perf_counter(), time.process_time()
    for epoch in range(args.epochs):
        model.train()
        loss_sum = 0.0
        epoch_order = order[epoch * n : (epoch + 1) * n]
        for i in range(0, n, BATCH):
            rows = epoch_order[i : i + BATCH]
            xb, yb = train_x[rows], train_y[rows]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(rows)
        model.eval()
        with torch.no_grad():
            correct = sum(
                int((model(test_x[i : i + EVAL_BATCH]).argmax(1) == test_y[i : i + EVAL_BATCH]).sum())
                for i in range(0, len(test_x), EVAL_BATCH)
            )
        accuracy = correct / len(test_x)
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
