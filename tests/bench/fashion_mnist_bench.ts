/**
 * Fashion-MNIST on what users run — `train()` and the CLI — against the kernel floor, PyTorch CPU
 * and TF.js, every configuration in a process of its own, in one run.
 *
 * Workload (see `_fashion_mnist.ts`): MLP 784-256-128-10, ReLU, softmax cross-entropy, Adam 1e-3,
 * batch 128, float32; every epoch ends with accuracy on the 10,000 test images. Every
 * configuration trains from `train()`'s initial weights (`xavier-uniform`, seed 0) on `train()`'s
 * batch order, reading the same IDX files:
 *
 * | row            | what runs                                                                          |
 * | -------------- | ---------------------------------------------------------------------------------- |
 * | `train-wasm`   | `train()` with an ordinary options object on the default backend (`wasm`)         |
 * | `train-wasm-1` | the same with `backend: { name: "wasm", threads: 1 }`                              |
 * | `train-blas`   | the same with `backend: "blas"` (OpenBLAS through FFI)                             |
 * | `train-js`     | the same with `backend: "js"` (TypeScript only)                                    |
 * | `cli-wasm`     | `gradflow train examples/experiments/fashion_mnist.json` (the CLI, default backend) |
 * | `cli-blas`     | the same with `--backend blas`                                                     |
 * | `floor-wasm`   | the kernel floor: a hand-written loop of plugin calls (no trainer), `wasm`         |
 * | `floor-blas`   | the kernel floor on `blas`                                                         |
 * | `torch-1`      | PyTorch CPU (`python3-torch`), 1 thread                                            |
 * | `torch-N`      | PyTorch CPU, every core                                                            |
 * | `tfjs-wasm`    | TF.js 4.22 wasm, as users write it                                                 |
 * | `tfjs-wasm-tuned` | TF.js wasm with the expert's transposed-matmul gradient                        |
 * | `tfjs-cpu`     | TF.js cpu backend                                                                  |
 *
 * Seconds per epoch are each configuration's own clock over the training steps and the test
 * evaluation (for `train()` and the CLI, the trainer's `history` time); "CPU s/epoch" the CPU
 * seconds (every thread) over the same span, where the configuration can measure them;
 * "process s" and "process CPU s" the wall time and the CPU seconds of the whole process
 * (start-up and data loading included; CPU time changes little when other jobs share the
 * machine, wall time a lot). Peak RSS is the process's `ru_maxrss` (see `_peak_rss.ts`). Each gradflow row gets its ratio to PyTorch on 1 thread and on
 * every core, and to TF.js wasm; then the issue's targets are checked.
 *
 * PyTorch is a benchmark-only dependency: without a `python3` that imports `torch` its rows say
 * how to get it (`apt-get install python3-torch`; `PYTHON=/path/to/python3` picks another
 * interpreter). TF.js comes from `tests/bench/deno.json` and its own lock, so the CLI, the demo
 * and the tests never download it.
 *
 * ```sh
 * apt-get install -y dataset-fashion-mnist libopenblas0 python3-torch
 * deno task bench                     # every row, one epoch
 * deno task bench --epochs 5          # five epochs (the accuracy target)
 * deno task bench --only train-blas,torch-1 --quick
 * ```
 *
 * Flags: `--epochs N`; `--quick` (the first 12,800 images of each split: 100 steps); `--limit N`;
 * `--only a,b` / `--skip a,b` (row names); `--seed N`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRegistry } from "../../plugins/mod.ts";
import { readIdx } from "../../train/data/idx.ts";
import { dataDir, RESULT_MARK, type RunResult, trainerInputs, writeTrainerInputs } from "./_fashion_mnist.ts";
import { CPU_MARK, PEAK_MARK } from "./_peak_rss.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "1" },
    quick: { type: "boolean", default: false },
    limit: { type: "string" },
    only: { type: "string" },
    skip: { type: "string" },
    seed: { type: "string", default: "0" },
  },
});

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const CORES = navigator.hardwareConcurrency;
const epochs = Number(args.epochs), seed = Number(args.seed);
const limit = args.limit !== undefined ? Number(args.limit) : args.quick ? 12800 : undefined;
if (!Number.isInteger(epochs) || epochs < 1) {
  throw new RangeError(`--epochs must be a positive integer: ${epochs}`);
}
const list = (s: string | undefined) => s?.split(",").map((x) => x.trim()).filter((x) => x !== "");
const only = list(args.only), skip = list(args.skip) ?? [];

/** A configuration: its row name, what it is, and the command that runs it (or why it cannot run). */
interface Config {
  name: string;
  about: string;
  kind: "gradflow" | "peer";
  /** For the CLI rows: the `train()` row it must be within 10% of. */
  against?: string;
  command: () => string[] | { missing: string } | Promise<string[] | { missing: string }>;
  /** Reads the result when the process does not print one (the CLI: its run folder). */
  result?: () => Promise<RunResult>;
}

const tmp = await Deno.makeTempDir({ prefix: "gradflow-bench-" });
const common = [
  "--epochs",
  String(epochs),
  ...(limit === undefined ? [] : ["--limit", String(limit)]),
];
const denoRun = (...flags: string[]) => [DENO, "run", "--no-prompt", ...flags];
const gradflow = (mode: string, backend: string, threads?: number) => () => {
  if (threads !== undefined && createRegistry().get("backend", "wasm").defaults?.threads === undefined) {
    return { missing: "the wasm backend here has no threads option" };
  }
  const flags = ["--mode", mode, "--backend", backend, "--seed", String(seed), "--inputs", tmp, ...common];
  if (threads !== undefined) flags.push("--threads", String(threads));
  return [...denoRun("--allow-read", "--allow-env", "--allow-ffi"), `${ROOT}/tests/bench/_run_gradflow.ts`, ...flags];
};
const tfjs = (backend: string, tuned: boolean) => () => [
  ...denoRun(
    "--config",
    `${ROOT}/tests/bench/deno.json`,
    "--allow-read",
    "--allow-env",
    "--allow-sys",
  ),
  `${ROOT}/tests/bench/_run_tfjs.ts`,
  ...[
    "--backend",
    backend,
    ...(tuned ? ["--tuned"] : []),
    "--inputs",
    tmp,
    ...common,
  ],
];
const torch = (threads: number) => async () => {
  const python = await findTorch();
  if (typeof python !== "string") return python;
  return [
    python,
    `${ROOT}/tests/bench/_run_torch.py`,
    "--threads",
    String(threads),
    "--inputs",
    tmp,
    ...common,
  ];
};

/**
 * The CLI as the README documents it, `deno task gradflow train …`: the launcher (`cli/launch.ts`) starts
 * `cli/main.ts` with the permissions the command needs (read the data set folder, write the run folder,
 * FFI for `blas`) and waits for it, so the row's peak RSS is the training process's.
 */
const cli = (backend: string) => {
  const out = `${tmp}/cli-${backend}`;
  return {
    command: () => [
      ...denoRun("--allow-read", "--allow-run"),
      `${ROOT}/cli/launch.ts`,
      "train",
      `${ROOT}/examples/experiments/fashion_mnist.json`,
      ...["--epochs", String(epochs), "--seed", String(seed), "--out", out],
      ...(backend === "wasm" ? [] : ["--backend", backend]),
      ...(limit === undefined ? [] : ["--set", `data.limit=${limit}`]),
      ...(Deno.env.get("FASHION_MNIST_DIR") ? ["--set", `data.dir=${dataDir()}`] : []),
    ],
    result: async (): Promise<RunResult> => {
      const records = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim()
        .split("\n").map((l) => JSON.parse(l));
      const last = records.filter((r) => r.kind === undefined || r.kind === "epoch").at(-1);
      const samples = limit ?? 60000;
      return {
        name: `cli-${backend}`,
        secondsPerEpoch: last.time / epochs,
        samplesPerSecond: (epochs * samples) / last.time,
        accuracy: last.valAccuracy,
        loss: last.loss,
        epochs,
      };
    },
  };
};

const CONFIGS: Config[] = [
  {
    name: "train-wasm",
    about: "train(), default backend (wasm)",
    kind: "gradflow",
    command: gradflow("train", "default"),
  },
  {
    name: "train-wasm-1",
    about: 'train(), backend { name: "wasm", threads: 1 }',
    kind: "gradflow",
    command: gradflow("train", "wasm", 1),
  },
  {
    name: "train-blas",
    about: 'train(), backend "blas"',
    kind: "gradflow",
    command: gradflow("train", "blas"),
  },
  {
    name: "train-js",
    about: 'train(), backend "js"',
    kind: "gradflow",
    command: gradflow("train", "js"),
  },
  {
    name: "cli-wasm",
    about: "gradflow train fashion_mnist.json",
    kind: "gradflow",
    against: "train-wasm",
    ...cli("wasm"),
  },
  {
    name: "cli-blas",
    about: "… --backend blas",
    kind: "gradflow",
    against: "train-blas",
    ...cli("blas"),
  },
  {
    name: "floor-wasm",
    about: "kernel floor (hand-written loop), wasm",
    kind: "gradflow",
    command: gradflow("floor", "wasm"),
  },
  {
    name: "floor-blas",
    about: "kernel floor (hand-written loop), blas",
    kind: "gradflow",
    command: gradflow("floor", "blas"),
  },
  {
    name: "torch-1",
    about: "PyTorch CPU, 1 thread",
    kind: "peer",
    command: torch(1),
  },
  {
    name: `torch-${CORES}`,
    about: `PyTorch CPU, ${CORES} threads`,
    kind: "peer",
    command: torch(CORES),
  },
  {
    name: "tfjs-wasm",
    about: "TF.js wasm, as users write it",
    kind: "peer",
    command: tfjs("wasm", false),
  },
  {
    name: "tfjs-wasm-tuned",
    about: "TF.js wasm, expert's matmul gradient",
    kind: "peer",
    command: tfjs("wasm", true),
  },
  {
    name: "tfjs-cpu",
    about: "TF.js cpu",
    kind: "peer",
    command: tfjs("cpu", false),
  },
];

let torchPython: Promise<string | { missing: string }> | undefined;
/** The first of `$PYTHON`, `python3`, `/usr/bin/python3` that imports torch. */
function findTorch(): Promise<string | { missing: string }> {
  torchPython ??= (async () => {
    for (
      const python of [Deno.env.get("PYTHON"), "python3", "/usr/bin/python3"]
    ) {
      if (!python) continue;
      try {
        const { success } = await new Deno.Command(python, {
          args: ["-c", "import torch"],
          stdout: "null",
          stderr: "null",
        })
          .output();
        if (success) return python;
      } catch {
        // Not installed there.
      }
    }
    return {
      missing: "no python3 imports torch: apt-get install python3-torch (or set PYTHON)",
    };
  })();
  return torchPython;
}

interface Row extends RunResult {
  about: string;
  kind: Config["kind"];
  peakMiB: number;
  processSeconds: number;
  processCpuSeconds: number;
}

/** Runs one configuration through `_peak_rss.ts`; its result, or why it did not run. */
async function run(
  config: Config,
): Promise<Row | { name: string; failed: string }> {
  const command = await config.command();
  if (!Array.isArray(command)) {
    return { name: config.name, failed: command.missing };
  }
  const started = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(DENO, {
    args: [
      "run",
      "--allow-run",
      "--allow-ffi",
      `${ROOT}/tests/bench/_peak_rss.ts`,
      ...command,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const processSeconds = (performance.now() - started) / 1000;
  const out = new TextDecoder().decode(stdout),
    err = new TextDecoder().decode(stderr);
  const line = (mark: string) => out.split("\n").findLast((l) => l.startsWith(mark))?.slice(mark.length);
  if (code !== 0) {
    const why = (err.trim().split("\n").find((l) => /error|Error/.test(l)) ?? err.trim().split("\n").at(-1) ?? "")
      .slice(0, 300);
    return { name: config.name, failed: `exit ${code}: ${why}` };
  }
  const printed = line(RESULT_MARK);
  const result: RunResult = printed !== undefined ? JSON.parse(printed) : await config.result!();
  return {
    ...result,
    name: config.name,
    about: config.about,
    kind: config.kind,
    peakMiB: Number(line(PEAK_MARK)) / 1024,
    processSeconds,
    processCpuSeconds: Number(line(CPU_MARK)),
  };
}

const fixed = (
  x: number,
  digits: number,
) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function printRows(rows: Row[]): void {
  const peer = (name: string) => rows.find((r) => r.name === name);
  const refs = ["torch-1", `torch-${CORES}`, "tfjs-wasm"].map((name) => ({
    name,
    row: peer(name),
  }));
  console.log(
    `\n| run | what | s/epoch | ${refs.map((r) => `× ${r.name}`).join(" | ")} | samples/s | peak RSS MiB | ` +
      `test acc | loss | CPU s/epoch | process s | process CPU s |`,
  );
  console.log(
    `| --- | --- | ---: | ${refs.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const r of rows) {
    const ratios = refs.map((ref) =>
      r.kind === "gradflow" && ref.row !== undefined ? fixed(r.secondsPerEpoch / ref.row.secondsPerEpoch, 2) : "—"
    );
    console.log(
      `| ${r.name} | ${r.about} | ${fixed(r.secondsPerEpoch, 2)} | ${ratios.join(" | ")} | ${
        fixed(r.samplesPerSecond, 0)
      } | ${fixed(r.peakMiB, 0)} | ${fixed(100 * r.accuracy, 2)}% | ${fixed(r.loss, 4)} | ${
        fixed(r.cpuSecondsPerEpoch ?? NaN, 2)
      } | ${fixed(r.processSeconds, 1)} | ${fixed(r.processCpuSeconds, 1)} |`,
    );
  }
  const floors = rows.filter((r) => r.shares !== undefined);
  if (floors.length > 0) {
    console.log(`\nkernel floor: where a step's time goes`);
    console.log(`| run | matmul | other ops | optimizer | batch assembly |`);
    console.log(`| --- | ---: | ---: | ---: | ---: |`);
    for (const r of floors) {
      const s = r.shares!;
      console.log(
        `| ${r.name} | ${pct(s.matmul)} | ${pct(s.other)} | ${pct(s.optimizer)} | ${pct(s.data)} |`,
      );
    }
  }
}

/** The issue's targets, each as measured in this run (or why it cannot be judged). */
function printTargets(rows: Row[]): void {
  const row = (name: string) => rows.find((r) => r.name === name);
  const lines: string[] = [];
  const check = (what: string, ok: boolean | undefined, figures: string) =>
    lines.push(
      `- ${ok === undefined ? "n/a " : ok ? "met " : "MISS"} ${what}: ${figures}`,
    );
  const torch1 = row("torch-1");
  const ratio = (a: Row | undefined, b: Row | undefined) => a && b ? a.secondsPerEpoch / b.secondsPerEpoch : undefined;
  const blas = ratio(row("train-blas"), torch1);
  check(
    "train() on blas ≤ PyTorch 1 thread",
    blas === undefined ? undefined : blas <= 1,
    `${fixed(blas ?? NaN, 2)}×`,
  );
  const wasm = ratio(row("train-wasm"), torch1);
  check(
    "train() on the default backend ≤ 1.5× PyTorch 1 thread",
    wasm === undefined ? undefined : wasm <= 1.5,
    `${fixed(wasm ?? NaN, 2)}×`,
  );
  for (const c of CONFIGS.filter((c) => c.against !== undefined)) {
    const r = ratio(row(c.name), row(c.against!));
    check(
      `${c.name} within 10% of ${c.against}`,
      r === undefined ? undefined : r <= 1.1,
      `${fixed(r ?? NaN, 3)}×`,
    );
  }
  const torchPeak = Math.min(
    ...rows.filter((r) => r.name.startsWith("torch-")).map((r) => r.peakMiB),
  );
  for (const r of rows.filter((r) => r.name.startsWith("train-"))) {
    check(
      `peak RSS of ${r.name} ≤ PyTorch's`,
      Number.isFinite(torchPeak) ? r.peakMiB <= torchPeak : undefined,
      `${fixed(r.peakMiB, 0)} vs ${fixed(torchPeak, 0)} MiB`,
    );
  }
  for (
    const r of rows.filter((r) => r.kind === "gradflow" && !r.name.startsWith("floor-"))
  ) {
    check(
      `${r.name} ≥ 86% test accuracy after 5 epochs`,
      epochs >= 5 && limit === undefined ? r.accuracy >= 0.86 : undefined,
      epochs >= 5 && limit === undefined ? `${fixed(100 * r.accuracy, 2)}%` : "run with --epochs 5 (no --quick)",
    );
  }
  console.log(`\ntargets (issue 11), in this run:\n${lines.join("\n")}`);
}

async function main() {
  let samples: number;
  try {
    samples = (await readIdx(`${dataDir()}/train-labels-idx1-ubyte.gz`)).shape[0];
  } catch (error) {
    console.error(
      `Cannot run the benchmark as Fashion-MNIST is not readable in ${dataDir()} (${(error as Error).message}): ` +
        `apt-get install -y dataset-fashion-mnist, or set FASHION_MNIST_DIR to a folder holding the four .gz files`,
    );
    Deno.exit(1);
  }
  if (limit !== undefined) samples = Math.min(samples, limit);
  await writeTrainerInputs(tmp, trainerInputs(seed, samples, epochs));
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(
    `Fashion-MNIST MLP 784-256-128-10, batch 128, float32, Adam 1e-3: ${epochs} epoch(s) of ${samples} images` +
      `${limit === undefined ? "" : ` (--limit ${limit}: the first ${limit} of each split)`}; ` +
      `${CORES} cores, load average ${load}, Deno ${Deno.version.deno}`,
  );
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const config of CONFIGS) {
    if (
      (only !== undefined && !only.includes(config.name)) ||
      skip.includes(config.name)
    ) continue;
    const r = await run(config);
    if ("failed" in r) {
      console.log(`${r.name}: not run: ${r.failed}`);
      skipped.push(`${r.name} (${r.failed})`);
      continue;
    }
    console.log(
      `${r.name}: ${fixed(r.secondsPerEpoch, 2)} s/epoch (CPU ${
        fixed(r.cpuSecondsPerEpoch ?? NaN, 2)
      } s), test accuracy ${fixed(100 * r.accuracy, 2)}%, ` +
        `peak RSS ${fixed(r.peakMiB, 0)} MiB${r.note ? ` (${r.note})` : ""}`,
    );
    rows.push(r);
  }
  printRows(rows);
  if (skipped.length > 0) console.log(`\nnot run: ${skipped.join("; ")}`);
  printTargets(rows);
  const one = rows.find((r) => r.name === "train-wasm-1"), all = rows.find((r) => r.name === "train-wasm");
  if (one && all) {
    console.log(`train-wasm-1 / train-wasm: ${fixed(one.secondsPerEpoch / all.secondsPerEpoch, 2)}× (${all.note})`);
  }
  const floorOf = (backend: string) => rows.find((r) => r.name === `floor-${backend}`);
  for (const backend of ["wasm", "blas"]) {
    const t = rows.find((r) => r.name === `train-${backend}`),
      f = floorOf(backend);
    if (t && f) {
      console.log(
        `train-${backend} / floor-${backend}: ${fixed(t.secondsPerEpoch / f.secondsPerEpoch, 3)}× ` +
          `(the trainer's cost over the hand-written loop); same epoch loss: ${t.loss === f.loss ? "yes" : "NO"}`,
      );
    }
  }
  await Deno.remove(tmp, { recursive: true });
}

if (import.meta.main) await main();
