/**
 * Fashion-MNIST on what users run — `train()` and the CLI — against the kernel floor, PyTorch CPU
 * and TF.js, every configuration in a process of its own, in one run, on one workload or both:
 *
 * - `--workload mlp` (the default; issue 11): MLP 784-256-128-10, ReLU, on images as rows `[n, 784]`.
 * - `--workload cnn` (issue 12): conv 1→32 3×3 padding 1, ReLU, max-pool 2, conv 32→64 3×3 padding 1,
 *   ReLU, max-pool 2, flatten (3136), dense 128, ReLU, dense 10, on images `[n, 1, 28, 28]` in [0, 1]
 *   (the network of `examples/fashion_cnn.ts`, in PyTorch's layouts).
 * - `--workload all`: the MLP, then the CNN.
 *
 * Both (see `_fashion_mnist.ts`): softmax cross-entropy, Adam 1e-3, batch 128, float32; every epoch
 * ends with accuracy on the 10,000 test images. Every configuration trains from `train()`'s initial
 * weights (seed 0: `xavier-uniform` for dense layers, PyTorch's default for convolutions) on
 * `train()`'s batch order, reading the same IDX files; PyTorch loads the weights by `state_dict` name.
 *
 * | row               | what runs                                                                             |
 * | ----------------- | ------------------------------------------------------------------------------------- |
 * | `train-wasm`      | `train()` with an ordinary options object on the default backend (`wasm`, every core) |
 * | `train-wasm-1`    | the same with `backend: { name: "wasm", threads: 1 }`                                 |
 * | `train-blas`      | the same with `backend: "blas"` (OpenBLAS through FFI, its own thread count: every core) |
 * | `train-blas-1`    | the same with `backend: { name: "blas", threads: 1 }`                                 |
 * | `train-js`        | the same with `backend: "js"` (TypeScript only; CNN: only with `--only`)              |
 * | `cli-wasm`        | `gradflow train` on the workload's experiment file (the CLI, default backend)         |
 * | `cli-blas`        | the same with `--backend blas`                                                        |
 * | `floor-wasm`      | the kernel floor: a hand-written loop of plugin calls (no trainer), `wasm`            |
 * | `floor-blas`      | the kernel floor on `blas`                                                            |
 * | `torch-1`         | PyTorch CPU (`python3-torch`), 1 thread                                               |
 * | `torch-N`         | PyTorch CPU, every core                                                               |
 * | `tfjs-wasm`       | TF.js 4.22 wasm, as users write it (the CNN stops: no Conv2DBackpropFilter on wasm)   |
 * | `tfjs-wasm-tuned` | TF.js wasm with the expert's hand-written gradients (dense; CNN: filter by im2col)   |
 * | `tfjs-cpu`        | TF.js cpu backend (CNN: only with `--only`)                                           |
 *
 * The experiment files: `examples/experiments/fashion_mnist.json` (MLP) and
 * `examples/experiments/fashion_cnn.json` (CNN).
 *
 * Seconds per epoch are each configuration's own clock over the training steps and the test
 * evaluation (for `train()` and the CLI, the trainer's `history` time); "CPU s/epoch" the CPU
 * seconds (every thread) over the same span, where the configuration can measure them;
 * "process s" and "process CPU s" the wall time and the CPU seconds of the whole process
 * (start-up and data loading included; CPU time changes little when other jobs share the
 * machine, wall time a lot). Peak RSS is the process's `ru_maxrss` (see `_peak_rss.ts`). Each
 * gradflow row gets its ratio to PyTorch on 1 thread and on every core, and to the TF.js wasm
 * rows; then the workload's targets are checked (issue 11's for the MLP, issue 12's for the CNN).
 *
 * TF.js's CNN is slow (minutes per epoch on wasm, far more on cpu): on the CNN its rows train for
 * `--tfjs-steps` steps (50 by default; `all` for whole epochs), and their seconds per epoch are
 * those steps' time scaled to an epoch, plus the test evaluation; their accuracy is after those steps.
 *
 * PyTorch is a benchmark-only dependency: without a `python3` that imports `torch` its rows say
 * how to get it (`apt-get install python3-torch`; `PYTHON=/path/to/python3` picks another
 * interpreter). TF.js comes from `tests/bench/deno.json` and its own lock, so the CLI, the demo
 * and the tests never download it.
 *
 * ```sh
 * apt-get install -y dataset-fashion-mnist libopenblas0 python3-torch
 * deno task bench                     # the MLP: every row, one epoch
 * deno task bench --epochs 5          # five epochs (the MLP's accuracy target)
 * deno task bench --workload cnn      # the CNN: every row, one epoch (TF.js: 50 steps)
 * deno task bench --workload cnn --epochs 3 --skip tfjs-wasm,tfjs-wasm-tuned   # the CNN's accuracy target
 * deno task bench --workload all      # both, one after the other
 * deno task bench --only train-blas,torch-1 --quick
 * ```
 *
 * Flags: `--workload mlp|cnn|all`; `--epochs N`; `--quick` (the first 12,800 images of each split:
 * 100 steps); `--limit N`; `--only a,b` / `--skip a,b` (row names); `--seed N`; `--tfjs-steps N|all`;
 * `--repeat N` (every row N times, round-robin; each row reports its median run and its largest peak RSS).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRegistry } from "../../plugins/mod.ts";
import { readIdx } from "../../train/data/idx.ts";
import {
  dataDir,
  RESULT_MARK,
  type RunResult,
  trainerInputs,
  type Workload,
  workload,
  WORKLOADS,
  writeTrainerInputs,
} from "./_fashion_mnist.ts";
import { CPU_MARK, PEAK_MARK } from "./_peak_rss.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    workload: { type: "string", default: "mlp" },
    epochs: { type: "string", default: "1" },
    quick: { type: "boolean", default: false },
    limit: { type: "string" },
    only: { type: "string" },
    skip: { type: "string" },
    seed: { type: "string", default: "0" },
    "tfjs-steps": { type: "string" },
    repeat: { type: "string", default: "1" },
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
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  throw new RangeError(`--repeat must be a positive integer: ${args.repeat}`);
}
const tfjsSteps = args["tfjs-steps"];
if (tfjsSteps !== undefined && tfjsSteps !== "all" && !(Number.isInteger(Number(tfjsSteps)) && Number(tfjsSteps) > 0)) {
  throw new RangeError(`--tfjs-steps must be a positive integer or all: ${tfjsSteps}`);
}
const workloads = args.workload === "all" ? Object.values(WORKLOADS) : [workload(args.workload!)];
const list = (s: string | undefined) => s?.split(",").map((x) => x.trim()).filter((x) => x !== "");
const only = list(args.only), skip = list(args.skip) ?? [];

/** A configuration: its row name, what it is, and the command that runs it (or why it cannot run). */
interface Config {
  name: string;
  about: string;
  kind: "gradflow" | "peer";
  /** False for a row run only when `--only` names it (too slow to be in every run). */
  byDefault?: boolean;
  /** For the CLI rows: the `train()` row it must be within 10% of. */
  against?: string;
  command: () => string[] | { missing: string } | Promise<string[] | { missing: string }>;
  /** Reads the result when the process does not print one (the CLI: its run folder). */
  result?: () => Promise<RunResult>;
}

/** The targets of a workload's issue, checked in every run. */
interface Targets {
  issue: number;
  /** `train()` on `blas` at most this many times PyTorch's 1-thread epoch. */
  blas: number;
  /** `train()` on the default backend at most this many times PyTorch's 1-thread epoch. */
  wasm: number;
  /** Both `train()` rows faster than TF.js wasm. */
  fasterThanTfjs: boolean;
  /** This test accuracy after `accuracyEpochs` epochs, on every backend. */
  accuracy: number;
  accuracyEpochs: number;
}

const TARGETS: Record<Workload["name"], Targets> = {
  mlp: { issue: 11, blas: 1, wasm: 1.5, fasterThanTfjs: false, accuracy: 0.86, accuracyEpochs: 5 },
  cnn: { issue: 12, blas: 1.2, wasm: 2.5, fasterThanTfjs: true, accuracy: 0.9, accuracyEpochs: 3 },
};

const tmp = await Deno.makeTempDir({ prefix: "gradflow-bench-" });
const denoRun = (...flags: string[]) => [DENO, "run", "--no-prompt", ...flags];

/** The configurations of a workload whose shared inputs are in `dir`. */
function configs(work: Workload, dir: string): Config[] {
  const common = [
    "--workload",
    work.name,
    "--epochs",
    String(epochs),
    ...(limit === undefined ? [] : ["--limit", String(limit)]),
    "--inputs",
    dir,
  ];
  const cnn = work.name === "cnn";
  const gradflow = (mode: string, backend: string, threads?: number) => () => {
    if (threads !== undefined && createRegistry().get("backend", backend).defaults?.threads === undefined) {
      return { missing: `the ${backend} backend here has no threads option` };
    }
    const flags = ["--mode", mode, "--backend", backend, "--seed", String(seed), ...common];
    if (threads !== undefined) flags.push("--threads", String(threads));
    return [...denoRun("--allow-read", "--allow-env", "--allow-ffi"), `${ROOT}/tests/bench/_run_gradflow.ts`, ...flags];
  };
  // TF.js's CNN takes minutes per epoch: a few steps, scaled, unless told otherwise.
  const steps = tfjsSteps ?? (cnn ? "50" : "all");
  const tfjs = (backend: string, tuned: boolean) => () => [
    ...denoRun("--config", `${ROOT}/tests/bench/deno.json`, "--allow-read", "--allow-env", "--allow-sys"),
    `${ROOT}/tests/bench/_run_tfjs.ts`,
    ...["--backend", backend, ...(tuned ? ["--tuned"] : []), ...(steps === "all" ? [] : ["--steps", steps])],
    ...common,
  ];
  const torch = (threads: number) => async () => {
    const python = await findTorch();
    if (typeof python !== "string") return python;
    return [python, `${ROOT}/tests/bench/_run_torch.py`, "--threads", String(threads), ...common];
  };

  /**
   * The CLI as the README documents it, `deno task gradflow train …`: the launcher (`cli/launch.ts`) starts
   * `cli/main.ts` with the permissions the command needs (read the data set folder, write the run folder,
   * FFI for `blas`) and waits for it, so the row's peak RSS is the training process's.
   */
  const cli = (backend: string) => {
    const out = `${dir}/cli-${backend}`;
    return {
      command: () => [
        ...denoRun("--allow-read", "--allow-run"),
        `${ROOT}/cli/launch.ts`,
        "train",
        `${ROOT}/${work.experiment}`,
        ...["--epochs", String(epochs), "--seed", String(seed), "--out", out],
        ...(backend === "wasm" ? [] : ["--backend", backend]),
        ...(limit === undefined ? [] : ["--set", `data.limit=${limit}`]),
        ...(Deno.env.get("FASHION_MNIST_DIR") ? ["--set", `data.dir=${dataDir()}`] : []),
      ],
      result: async (): Promise<RunResult> => {
        const records = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim()
          .split("\n").map((l) => JSON.parse(l));
        const last = records.filter((r) => r.kind === undefined || r.kind === "epoch").at(-1);
        const samples = Math.min(limit ?? 60000, 60000);
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
  const file = work.experiment.split("/").at(-1);
  return [
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
    { name: "train-blas", about: 'train(), backend "blas"', kind: "gradflow", command: gradflow("train", "blas") },
    {
      name: "train-blas-1",
      about: 'train(), backend { name: "blas", threads: 1 }',
      kind: "gradflow",
      command: gradflow("train", "blas", 1),
    },
    {
      name: "train-js",
      about: 'train(), backend "js"',
      kind: "gradflow",
      byDefault: !cnn,
      command: gradflow("train", "js"),
    },
    { name: "cli-wasm", about: `gradflow train ${file}`, kind: "gradflow", against: "train-wasm", ...cli("wasm") },
    { name: "cli-blas", about: "… --backend blas", kind: "gradflow", against: "train-blas", ...cli("blas") },
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
    { name: "torch-1", about: "PyTorch CPU, 1 thread", kind: "peer", command: torch(1) },
    { name: `torch-${CORES}`, about: `PyTorch CPU, ${CORES} threads`, kind: "peer", command: torch(CORES) },
    { name: "tfjs-wasm", about: "TF.js wasm, as users write it", kind: "peer", command: tfjs("wasm", false) },
    {
      name: "tfjs-wasm-tuned",
      about: cnn ? "TF.js wasm, expert's conv and matmul gradients" : "TF.js wasm, expert's matmul gradient",
      kind: "peer",
      command: tfjs("wasm", true),
    },
    { name: "tfjs-cpu", about: "TF.js cpu", kind: "peer", byDefault: !cnn, command: tfjs("cpu", false) },
  ];
}

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
  /** How many runs the row's figures are the median of. */
  runs?: number;
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

/** The accuracy, and after how many steps where a row trained for part of an epoch. */
function accuracyCell(r: RunResult): string {
  return `${fixed(100 * r.accuracy, 2)}%${r.partial ? ` (${r.partial.steps} of ${r.partial.of} steps)` : ""}`;
}

function printRows(rows: Row[]): void {
  const peer = (name: string) => rows.find((r) => r.name === name);
  const refs = ["torch-1", `torch-${CORES}`, "tfjs-wasm", "tfjs-wasm-tuned"].map((name) => ({ name, row: peer(name) }))
    .filter((ref) => ref.row !== undefined);
  const header = [
    "run",
    "what",
    "s/epoch",
    ...refs.map((r) => `× ${r.name}`),
    "samples/s",
    "peak RSS MiB",
    "test acc",
    "loss",
    "CPU s/epoch",
    "process s",
    "process CPU s",
  ];
  console.log(`\n| ${header.join(" | ")} |`);
  console.log(`| ${header.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`);
  for (const r of rows) {
    const cells = [
      r.name,
      r.about,
      fixed(r.secondsPerEpoch, 2),
      ...refs.map((ref) => r.kind === "gradflow" ? fixed(r.secondsPerEpoch / ref.row!.secondsPerEpoch, 2) : "—"),
      fixed(r.samplesPerSecond, 0),
      fixed(r.peakMiB, 0),
      accuracyCell(r),
      fixed(r.loss, 4),
      fixed(r.cpuSecondsPerEpoch ?? NaN, 2),
      fixed(r.processSeconds, 1),
      fixed(r.processCpuSeconds, 1),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
  const floors = rows.filter((r) => r.shares !== undefined);
  if (floors.length > 0) {
    console.log(
      `\nkernel floor: where a step's time goes (matmul: the backend's matrix products, im2col convolutions' too)`,
    );
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

/** The workload's targets, each as measured in this run (or why it cannot be judged). */
function printTargets(work: Workload, configs: Config[], rows: Row[]): void {
  const targets = TARGETS[work.name];
  const row = (name: string) => rows.find((r) => r.name === name);
  const lines: string[] = [];
  const check = (what: string, ok: boolean | undefined, figures: string) =>
    lines.push(
      `- ${ok === undefined ? "n/a " : ok ? "met " : "MISS"} ${what}: ${figures}`,
    );
  const torch1 = row("torch-1");
  const ratio = (a: Row | undefined, b: Row | undefined) => a && b ? a.secondsPerEpoch / b.secondsPerEpoch : undefined;
  const shown = (r: number | undefined, digits: number) =>
    r === undefined ? "a row it needs did not run" : `${fixed(r, digits)}×`;
  const times = (x: number) => (x === 1 ? "" : `${x}× `);
  for (const name of ["train-blas", "train-blas-1"]) {
    const blas = ratio(row(name), torch1);
    check(
      `${name} ≤ ${times(targets.blas)}PyTorch 1 thread`,
      blas === undefined ? undefined : blas <= targets.blas,
      shown(blas, 2),
    );
  }
  const wasm = ratio(row("train-wasm"), torch1);
  check(
    `train-wasm (the default backend) ≤ ${times(targets.wasm)}PyTorch 1 thread`,
    wasm === undefined ? undefined : wasm <= targets.wasm,
    shown(wasm, 2),
  );
  if (targets.fasterThanTfjs) {
    const tfjs = ["tfjs-wasm", "tfjs-wasm-tuned"].map(row).filter((r) => r !== undefined);
    for (const name of ["train-blas", "train-wasm"]) {
      if (tfjs.length === 0) check(`${name} faster than TF.js wasm`, undefined, "no TF.js wasm row ran");
      for (const t of tfjs) {
        const r = ratio(row(name), t);
        check(`${name} faster than ${t.name}`, r === undefined ? undefined : r < 1, shown(r, 2));
      }
    }
  }
  for (const c of configs.filter((c) => c.against !== undefined)) {
    const r = ratio(row(c.name), row(c.against!));
    check(
      `${c.name} within 10% of ${c.against}`,
      r === undefined ? undefined : r <= 1.1,
      shown(r, 3),
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
  const judged = epochs >= targets.accuracyEpochs && limit === undefined;
  for (
    const r of rows.filter((r) => r.kind === "gradflow" && !r.name.startsWith("floor-"))
  ) {
    check(
      `${r.name} ≥ ${100 * targets.accuracy}% test accuracy after ${targets.accuracyEpochs} epochs`,
      judged ? r.accuracy >= targets.accuracy : undefined,
      judged
        ? `${fixed(100 * r.accuracy, 2)}% after ${epochs}`
        : `run with --epochs ${targets.accuracyEpochs} (no --quick or --limit)`,
    );
  }
  console.log(`\ntargets (issue ${targets.issue}), in this run:\n${lines.join("\n")}`);
}

/** Runs a workload's selected rows and prints its tables and targets. */
/** A row's median run by seconds per epoch (the lower middle of an even count), with its runs' largest peak RSS. */
function medianRun(runs: Row[]): Row {
  const sorted = [...runs].sort((a, b) => a.secondsPerEpoch - b.secondsPerEpoch);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...middle, peakMiB: Math.max(...runs.map((r) => r.peakMiB)), runs: runs.length };
}

async function bench(work: Workload, trainSamples: number): Promise<void> {
  const samples = limit === undefined ? trainSamples : Math.min(trainSamples, limit);
  const dir = `${tmp}/${work.name}`;
  await Deno.mkdir(dir);
  await writeTrainerInputs(dir, trainerInputs(work, seed, samples, epochs));
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(
    `\nFashion-MNIST ${work.title}, batch 128, float32, Adam 1e-3: ${epochs} epoch(s) of ${samples} images` +
      `${limit === undefined ? "" : ` (--limit ${limit}: the first ${limit} of each split)`}; ` +
      `${CORES} cores, load average ${load}, Deno ${Deno.version.deno}`,
  );
  const all = configs(work, dir);
  const chosen = all.filter((c) =>
    (only !== undefined ? only.includes(c.name) : c.byDefault !== false) && !skip.includes(c.name)
  );
  // With --repeat N the rows run round-robin N times (so that a slow minute of a shared machine falls on every row
  // alike), and each row reports its median run, with the largest peak RSS of its runs.
  const runs = new Map<string, Row[]>();
  const skipped: string[] = [];
  for (let round = 1; round <= repeat; round++) {
    for (const config of chosen) {
      if (round > 1 && !runs.has(config.name)) continue;
      const r = await run(config);
      if ("failed" in r) {
        console.log(`${r.name}: not run: ${r.failed}`);
        if (!skipped.some((s) => s.startsWith(`${r.name} `))) skipped.push(`${r.name} (${r.failed})`);
        continue;
      }
      console.log(
        `${r.name}${repeat > 1 ? ` (run ${round} of ${repeat})` : ""}: ${fixed(r.secondsPerEpoch, 2)} s/epoch (CPU ${
          fixed(r.cpuSecondsPerEpoch ?? NaN, 2)
        } s), test accuracy ${accuracyCell(r)}, ` +
          `peak RSS ${fixed(r.peakMiB, 0)} MiB${r.note ? ` (${r.note})` : ""}`,
      );
      runs.set(r.name, [...(runs.get(r.name) ?? []), r]);
    }
  }
  const rows = [...runs.values()].map(medianRun);
  if (repeat > 1) console.log(`\neach row: the median of its runs by s/epoch, with the largest peak RSS of its runs`);
  printRows(rows);
  if (skipped.length > 0) console.log(`\nnot run: ${skipped.join("; ")}`);
  const left = all.filter((c) => only === undefined && c.byDefault === false && !skip.includes(c.name));
  if (left.length > 0) {
    console.log(`left out of this workload's default run (too slow; name them in --only): ${left.map((c) => c.name)}`);
  }
  if (rows.some((r) => r.partial)) {
    console.log(`TF.js rows trained for part of an epoch, their time scaled to one: --tfjs-steps all for whole epochs`);
  }
  printTargets(work, all, rows);
  const one = rows.find((r) => r.name === "train-wasm-1"), every = rows.find((r) => r.name === "train-wasm");
  if (one && every) {
    console.log(`train-wasm-1 / train-wasm: ${fixed(one.secondsPerEpoch / every.secondsPerEpoch, 2)}× (${every.note})`);
  }
  for (const backend of ["wasm", "blas"]) {
    const t = rows.find((r) => r.name === `train-${backend}`),
      f = rows.find((r) => r.name === `floor-${backend}`);
    if (t && f) {
      console.log(
        `train-${backend} / floor-${backend}: ${fixed(t.secondsPerEpoch / f.secondsPerEpoch, 3)}× ` +
          `(the trainer's cost over the hand-written loop); same epoch loss: ${t.loss === f.loss ? "yes" : "NO"}`,
      );
    }
  }
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
  try {
    for (const work of workloads) await bench(work, samples);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
