/**
 * The playground's speed in headless Chromium: training steps per second of a
 * 2-8-8-1 tanh network on the spirals, batch 10 (Adam), while the page draws
 * the decision boundary, the points and the weights on every frame. Prints
 * steps/s and frames/s, one line per second, then the medians.
 *
 *   deno task bench:playground [--seconds 10]
 *
 * Needs Chromium (CHROME_PATH, or /usr/bin/chromium). Run it on a quiet machine:
 * the worker and the page's main thread each want a core.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Browser, findChromium } from "./_cdp.ts";
import { buildPlayground } from "./build.ts";
import { staticHandler } from "./serve.ts";

const { values } = parseArgs({ args: Deno.args, options: { seconds: { type: "string", default: "10" } } });
const seconds = Number(values.seconds);
const chromium = findChromium();
if (chromium === null) {
  console.error(
    "error: Cannot run the benchmark as Chromium is missing: install it (apt-get install chromium) or set CHROME_PATH",
  );
  Deno.exit(2);
}
const site = await Deno.makeTempDir({ prefix: "gradflow_playground_bench_" });
await buildPlayground({ out: site });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, staticHandler(site));
const browser = await Browser.launch(chromium, { width: 1360, height: 900 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage();
  await page.viewport(1360, 900);
  const query = "data=two-spirals&samples=300&hidden=8,8&act=tanh&opt=adam&opt.learningRate=0.03&batch=10&seed=0";
  await page.goto(`http://127.0.0.1:${server.addr.port}/?${query}`);
  await page.waitFor(`document.querySelector(".run.run-a")?.dataset.step === "0"`, 30_000);
  await new Promise((r) => setTimeout(r, 1200)); // the status line says the backend once a second
  const backend = await page.evaluate<string>(`document.getElementById("speed").textContent`);
  await page.evaluate(`document.getElementById("play").click()`);
  await new Promise((r) => setTimeout(r, 2000)); // warm up
  const rates: number[] = [], fps: number[] = [], draw: number[] = [];
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const { rate, frames, ms } = await page.evaluate<{ rate: number; frames: number; ms: number }>(
      `(({ dataset: d }) => ({ rate: Number(d.stepsPerSecond), frames: Number(d.fps), ms: Number(d.drawMs) }))(document.getElementById("speed"))`,
    );
    rates.push(rate);
    fps.push(frames);
    draw.push(ms);
    console.log(`${Math.round(rate)} steps/s  ${frames.toFixed(0)} fps  ${ms.toFixed(1)} ms of drawing per frame`);
  }
  const cores = navigator.hardwareConcurrency;
  console.log(
    `2-8-8-1 tanh, batch 10, Adam, ${backend}, ${cores} cores: median ${
      Math.round(median(rates))
    } steps/s while drawing ${Math.round(median(fps))} frames/s (${median(draw).toFixed(1)} ms of drawing each)`,
  );
  if (page.errors.length > 0) console.error("console errors:", page.errors);
} finally {
  await browser.close();
  await server.shutdown();
  await Deno.remove(site, { recursive: true });
}
