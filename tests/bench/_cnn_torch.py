"""PyTorch CPU on the CNN workload of tests/bench/cnn_bench.ts, in a process of its own.

    python3 tests/bench/_cnn_torch.py INPUTS_DIR THREADS

INPUTS_DIR holds what the benchmark's main process wrote: inputs.json (parameter names and shapes, the
number of training images, epochs), params.bin (the float32 parameters, in that order) and order.bin (the
int32 sample order of every epoch). The parameter names are gradflow's tree paths, which are this
nn.Sequential's state_dict keys, so the weights load by name. Prints one line RESULT {json}.
"""
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn

BATCH, LEARNING_RATE = 128, 1e-3


def read_idx(path):
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    directory, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    with open(os.path.join(directory, "inputs.json")) as f:
        inputs = json.load(f)
    samples, epochs = inputs["samples"], inputs["epochs"]
    values = np.fromfile(os.path.join(directory, "params.bin"), dtype=np.float32)
    order = np.fromfile(os.path.join(directory, "order.bin"), dtype=np.int32).reshape(epochs, samples)

    data_dir = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
    train_x = torch.from_numpy(read_idx(f"{data_dir}/train-images-idx3-ubyte")[:samples].astype(np.float32) / 255)
    train_x = train_x.reshape(samples, 1, 28, 28)
    train_y = torch.from_numpy(read_idx(f"{data_dir}/train-labels-idx1-ubyte")[:samples].astype(np.int64))
    test_x = torch.from_numpy(read_idx(f"{data_dir}/t10k-images-idx3-ubyte").astype(np.float32) / 255)
    test_x = test_x.reshape(-1, 1, 28, 28)
    test_y = torch.from_numpy(read_idx(f"{data_dir}/t10k-labels-idx1-ubyte").astype(np.int64))

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    state, at = {}, 0
    for p in inputs["params"]:
        size = int(np.prod(p["shape"]))
        state[p["name"]] = torch.from_numpy(values[at:at + size].copy()).reshape(p["shape"])
        at += size
    model.load_state_dict(state)  # strict: the names and shapes are the state_dict's
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()

    steps, last = 0, float("nan")
    cpu0, t0 = time.process_time(), time.perf_counter()
    for epoch in range(epochs):
        perm = torch.from_numpy(order[epoch].astype(np.int64))
        for start in range(0, samples, BATCH):
            rows = perm[start:start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[rows]), train_y[rows])
            loss.backward()
            optimizer.step()
            last = loss.item()
            steps += 1
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0

    with torch.no_grad():
        correct = sum(int((model(test_x[i:i + 128]).argmax(1) == test_y[i:i + 128]).sum()) for i in range(0, len(test_y), 128))
    print("RESULT " + json.dumps({
        "name": f"torch-{'1' if threads == 1 else 'all'}",
        "steps": steps,
        "samples": samples * epochs,
        "seconds": seconds,
        "cpuSeconds": cpu,
        "peakMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accuracy": correct / len(test_y),
        "loss": last,
        "note": f"PyTorch {torch.__version__}, {threads} thread(s)",
    }))


main()
