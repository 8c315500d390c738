/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The playground's Web Worker: trains one run with gradflow's own `train`,
 * from the same experiment JSON that `gradflow train` reads, so the page stays
 * responsive; or runs the race. Play, pause and step work through a callback
 * that waits between steps.
 *
 * @module
 */

import { getBackend } from "../../core/backend.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { Tensor } from "../../core/tensor.ts";
import { loadData } from "../../cli/_setup.ts";
import { parseExperiment } from "../../cli/experiment.ts";
import { loadPlugin } from "../../plugins/load_plugin.ts";
import { createRegistry } from "../../plugins/mod.ts";
import type { Callback, TrainContext } from "../../train/callback.ts";
import type { EpochRecord, History } from "../../train/history.ts";
import { resolveModel } from "../../train/model.ts";
import { predict } from "../../train/predict.ts";
import { train } from "../../train/train.ts";
import type { OptionValue, PluginInfo } from "./config.ts";
import type { FromWorker, Grid, LayerWeights, ToWorker } from "./protocol.ts";
import { runRacer } from "./race.ts";
import { gridInputs, heldOut, metricsJsonl } from "./run_data.ts";

const registry = createRegistry();
const loadedUrls = new Set<string>();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How often a running session sends a frame: 45 a second (the page draws each on the next display frame). */
const FRAME_MS = 1000 / 45;
/** How long a running session computes before it lets messages (pause, step) in. */
const SLICE_MS = 8;

// A yield to the event loop that is not clamped like nested timers: a message to ourselves.
const channel = new MessageChannel();
const woken: (() => void)[] = [];
channel.port1.onmessage = () => woken.shift()?.();
const yieldToEvents = () =>
  new Promise<void>((resolve) => {
    woken.push(resolve);
    channel.port2.postMessage(null);
  });

/** The run this worker trains: its controls and what it has sent. */
interface Session {
  running: boolean;
  /** Steps still to take before pausing (from "step"). */
  budget: number;
  /** Resolves the wait of a paused run. */
  wake: (() => void) | null;
  /** Epoch records not yet sent. */
  pending: EpochRecord[];
  history: History | null;
}

let session: Session | null = null;

async function startSession(json: Record<string, unknown>, grid: Grid): Promise<void> {
  const experiment = parseExperiment(json, "playground.json");
  const data = await loadData(experiment);
  const train0 = data.train;
  const n = train0.x.shape[0];
  const labels = Uint8Array.from({ length: n }, (_, i) => train0.y.data[i] > 0 ? 1 : 0);
  const fraction = typeof data.validation === "number" ? data.validation : 0;
  const points = Float64Array.from(train0.x.data);
  post({ type: "data", points, labels, validation: heldOut(train0, fraction, experiment.seed) }, [points.buffer]);

  const model = resolveModel(structuredClone(experiment.model), registry);
  const inputs = gridInputs(grid);
  const s: Session = { running: false, budget: 0, wake: null, pending: [], history: null };
  session = s;
  let lastFrame = -Infinity, lastYield = performance.now();
  let rateSteps = 0, rateTime = performance.now(), stepsPerSecond = 0, lastLoss: number | null = null;

  const frame = (ctx: TrainContext) => {
    const params = ctx.params as Record<string, Tensor>[];
    const output = predict({ model, params, state: ctx.state }, inputs);
    const boundary = Float32Array.from(output.data);
    const weights: LayerWeights[] = [];
    params.forEach((p, index) => {
      if (p && p.weight instanceof Tensor && p.weight.rank === 2) {
        weights.push({
          index,
          shape: [p.weight.shape[0], p.weight.shape[1]],
          weight: Float64Array.from(p.weight.data),
          bias: p.bias instanceof Tensor ? Float64Array.from(p.bias.data) : new Float64Array(p.weight.shape[1]),
        });
      }
    });
    const now = performance.now();
    if (now - rateTime >= 1000 || !s.running) {
      if (now > rateTime && ctx.step > rateSteps) stepsPerSecond = (ctx.step - rateSteps) / ((now - rateTime) / 1000);
      rateSteps = ctx.step, rateTime = now;
    }
    const epochs = s.pending.splice(0).map((r) => ({ ...r }));
    post({
      type: "frame",
      step: ctx.step,
      epoch: ctx.step === 0 ? 0 : ctx.epoch,
      stepsPerEpoch: ctx.stepsPerEpoch,
      running: s.running,
      epochs,
      loss: lastLoss,
      stepsPerSecond: s.running ? stepsPerSecond : 0,
      weights,
      boundary,
    }, [boundary.buffer, ...weights.flatMap((w) => [w.weight.buffer, w.bias.buffer])] as ArrayBuffer[]);
    lastFrame = now;
  };

  const waitWhilePaused = async (ctx: TrainContext) => {
    while (!s.running && s.budget === 0) {
      frame(ctx);
      await new Promise<void>((resolve) => (s.wake = resolve));
      s.wake = null;
      rateSteps = ctx.step, rateTime = performance.now();
    }
  };

  const control: Callback = {
    onTrainBegin: (ctx) => {
      s.history = ctx.history;
      return waitWhilePaused(ctx);
    },
    onStepEnd: (record, ctx) => {
      lastLoss = record.loss;
      if (s.budget > 0 && --s.budget === 0 && !s.running) return waitWhilePaused(ctx);
      const now = performance.now();
      if (now - lastFrame >= FRAME_MS) frame(ctx);
      if (now - lastYield >= SLICE_MS) {
        return yieldToEvents().then(() => {
          lastYield = performance.now();
          return waitWhilePaused(ctx);
        });
      }
    },
    onEpochEnd: (record) => {
      s.pending.push(record);
    },
  };

  const { validation } = data;
  // The options cli/_run.ts's runExperiment gives train() (what `gradflow train` runs), but for the epochs.
  await train({
    model: structuredClone(experiment.model),
    loss: { ...experiment.loss },
    optimizer: { ...experiment.optimizer },
    ...(experiment.scheduler ? { scheduler: { ...experiment.scheduler } } : {}),
    regularizers: experiment.regularizers.map((r) => ({ ...r })),
    data: data.train,
    validation,
    // The page trains until paused: the experiment's epochs matter only to the exported file.
    epochs: Number.MAX_SAFE_INTEGER,
    batchSize: experiment.batchSize,
    batching: experiment.batching,
    metrics: experiment.metrics.map((m) => (typeof m === "string" ? m : { ...m })),
    seed: experiment.seed,
    ...(experiment.backend ? { backend: { ...experiment.backend } } : {}),
    earlyStopping: false,
    recordSteps: experiment.recordSteps,
    gradientNorms: experiment.gradientNorms,
    registry,
    callbacks: [control],
    progress: false,
  });
}

function describe(plugin: Plugin, url: string): PluginInfo {
  const defaults: Record<string, OptionValue> = {};
  for (const [key, value] of Object.entries(plugin.defaults ?? {})) {
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") defaults[key] = value;
  }
  return { kind: plugin.kind, name: plugin.name, description: plugin.description ?? "", defaults, url };
}

async function loadPlugins(urls: string[]): Promise<void> {
  const loaded: PluginInfo[] = [], errors: { url: string; message: string }[] = [];
  for (const url of urls) {
    if (loadedUrls.has(url)) continue;
    try {
      // The same loader and checks as in Deno; a page's plugin replaces nothing built in.
      const plugins = await loadPlugin(url, { registry });
      loadedUrls.add(url);
      loaded.push(...plugins.map((p) => describe(p, url)));
    } catch (e) {
      errors.push({ url, message: errorText(e) });
    }
  }
  post({ type: "plugins", loaded, errors });
}

// Messages are handled in order: a run starts only after the plugins it may name are loaded.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  const s = session;
  switch (message.type) {
    case "play":
      if (s) (s.running = true, s.wake?.());
      return;
    case "pause":
      if (s) s.running = false;
      return;
    case "step":
      if (s) (s.budget += message.steps, s.wake?.());
      return;
    case "metrics":
      post({
        type: "metrics",
        jsonl: s?.history ? metricsJsonl(s.history) : "",
        epochs: s?.history?.epochs.length ?? 0,
      });
      return;
  }
  queue = queue.then(async () => {
    try {
      if (message.type === "plugins") await loadPlugins(message.urls);
      else if (message.type === "train") await startSession(message.experiment, message.grid);
      else if (message.type === "race") {
        const { id, fn, steps } = message;
        message.racers.forEach((racer, index) => {
          post({ type: "racer", id, index, result: runRacer(fn, racer, steps, registry) });
        });
        post({ type: "race-done", id });
      }
    } catch (e) {
      post({ type: "error", message: errorText(e) });
    }
  });
};

post({ type: "ready", backend: getBackend().name });
