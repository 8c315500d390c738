/**
 * Builds the playground into `playground/dist/`: the page and its worker
 * bundled by `deno bundle` from gradflow's unchanged sources, the Lion
 * example plugin bundled on its own (it brings its own copy of gradflow, as a
 * plugin loaded by URL does), and the HTML and CSS. The result is plain
 * static files: any static host serves them.
 *
 *   deno run --allow-read=. --allow-write=playground/dist --allow-run=deno playground/build.ts
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const here = new URL("./", import.meta.url);

/** Options of {@linkcode buildPlayground}. */
export interface BuildOptions {
  /** The output folder. @default {playground/dist} */
  out?: string;
  /** The deno executable that bundles. @default {this process's, else "deno" on the PATH} */
  deno?: string;
}

function path(url: URL): string {
  return decodeURIComponent(url.pathname);
}

function denoExecutable(): string {
  // Prefer this very Deno (the lock file and cache it uses); a narrow --allow-run=deno grants only the PATH's.
  const self = Deno.execPath();
  return Deno.permissions.querySync({ name: "run", command: self }).state === "granted" ? self : "deno";
}

async function bundle(deno: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(deno, {
    args: ["bundle", "--quiet", "--platform", "browser", "--format", "esm", ...args],
    cwd: path(root),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr).trim() || new TextDecoder().decode(output.stdout).trim();
    throw new Error(`Cannot build the playground as deno bundle failed: ${text}`);
  }
}

/**
 * Bundles the playground into a folder of static files.
 *
 * Needs `--allow-read` on the repository, `--allow-write` on the output folder and `--allow-run` for deno
 * (`deno bundle` fetches esbuild from npm into Deno's cache the first time).
 *
 * @param options `out`, `deno`.
 * @returns The output folder.
 */
export async function buildPlayground(options: BuildOptions = {}): Promise<string> {
  const out = options.out ?? path(new URL("dist", here));
  const deno = options.deno ?? denoExecutable();
  await Deno.mkdir(`${out}/plugins`, { recursive: true });
  await bundle(deno, ["--outdir", out, "playground/src/main.ts", "playground/src/worker.ts"]);
  await bundle(deno, ["--output", `${out}/plugins/lion.js`, "examples/plugins/lion.ts"]);
  for (const file of ["index.html", "style.css"]) await Deno.copyFile(path(new URL(file, here)), `${out}/${file}`);
  return out;
}

if (import.meta.main) {
  const out = await buildPlayground();
  console.log(`built the playground into ${out}/`);
}
