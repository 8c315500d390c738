/**
 * CSV files with a header row.
 *
 * @module
 */

import { Tensor } from "../../core/tensor.ts";
import type { Dataset } from "./_rows.ts";

/** Options for {@linkcode parseCsv} and {@linkcode loadCsv}. */
export interface CsvOptions {
  /** The target column(s), by header name. @default {the last column} */
  target?: string | readonly string[];
  /** The feature columns, by header name. @default {every column that is not a target} */
  features?: readonly string[];
  /** The field separator, one character. @default {","} */
  delimiter?: string;
}

/** A dataset read from CSV, with the column names it came from. */
export interface CsvData extends Dataset {
  /** The feature column names, in the order of `x`'s columns. */
  features: string[];
  /** The target column names, in the order of `y`'s columns. */
  targets: string[];
  /**
   * When the (single) target column holds text, its distinct values in order of
   * first appearance; `y` then holds each row's index into this list.
   */
  classes?: string[];
}

/** A decimal number (`-1.5e2`, `+.25`, `7.`), else NaN: not `Number`'s `0x10`, `0b11`, `0o7` or `Infinity`. */
function decimal(text: string): number {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
}

/** Splits CSV text into records of fields (RFC 4180 quoting), remembering each record's line. */
function records(text: string, delimiter: string, fail: (why: string) => never): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [], field = "", quoted = false, line = 1, start = 1, i = 0, wasQuoted = false;
  const endField = () => {
    fields.push(wasQuoted ? field : field.trim());
    field = "";
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) out.push({ line: start, fields });
    fields = [];
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"') {
      if (field.trim() !== "") fail(`a quote appears inside the unquoted field "${field}" at line ${line}`);
      field = "";
      quoted = true;
      wasQuoted = true;
    } else if (c === delimiter) endField();
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) fail(`the quoted field that starts at line ${start} is never closed`);
  endRecord();
  return out;
}

/**
 * Parses CSV text with a header row into a numeric dataset: RFC 4180 quoting,
 * `\n` or `\r\n` line ends, blank lines ignored. Every row must have as many
 * fields as the header and every feature must be a finite decimal number
 * (`-1.5e2`, `+.25`; not `0x10`, `0b11` or `Infinity`, which `Number` accepts); otherwise
 * the error names the line and the column, so a damaged file never becomes a
 * silently smaller dataset. A single target column whose values are all text
 * (class names) becomes class indices, listed in `classes`; a numeric column
 * with one text value is an error at that value.
 *
 * @param text The file's content.
 * @param options `target`, `features`, `delimiter`.
 * @param source What the text is (a path), for messages. @default {"the CSV data"}
 * @returns `{ x: [rows, features], y: [rows, targets], features, targets, classes? }`.
 * @throws {RangeError} For a malformed row or value (naming its line and column) or an unknown column.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const data = parseCsv("x1,x2,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n");
 * assert.deepEqual(data.x.toArray(), [[1, 2], [3, 4], [5, 6]]);
 * assert.deepEqual(data.y.toArray(), [[0], [1], [0]]);
 * assert.deepEqual(data.classes, ["setosa", "virginica"]);
 * assert.throws(() => parseCsv("a,b\n1,2\n3\n"), /line 3 has 1 field but the header has 2/);
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}, source = "the CSV data"): CsvData {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot read ${source} as a CSV file as ${why}`);
  };
  const delimiter = options.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter.length !== 1 || delimiter === '"' || /[\r\n]/.test(delimiter)) {
    throw new RangeError(
      `Cannot read ${source} as delimiter must be one character other than a quote or a line end: current value is ${
        JSON.stringify(delimiter)
      }`,
    );
  }
  const rows = records(text, delimiter, fail);
  if (rows.length === 0) fail("it is empty: the first line must be a header");
  const header = rows[0].fields;
  header.forEach((name, i) => {
    if (name === "") fail(`column ${i + 1} of the header (line ${rows[0].line}) has no name`);
    if (header.indexOf(name) !== i) fail(`the header names column "${name}" twice`);
  });
  const column = (name: string, option: string) => {
    const i = header.indexOf(name);
    if (i === -1) {
      throw new RangeError(
        `Cannot read ${source} as ${option} names a column "${name}" the header lacks: the columns are ${
          header.join(", ")
        }`,
      );
    }
    return i;
  };
  const targets = options.target === undefined
    ? [header[header.length - 1]]
    : typeof options.target === "string"
    ? [options.target]
    : [...options.target];
  const targetIdx = targets.map((t) => column(t, "target"));
  const features = options.features ? [...options.features] : header.filter((h) => !targets.includes(h));
  const featureIdx = features.map((f) => column(f, "features"));
  if (features.length === 0) fail("no column is left for the features");
  const body = rows.slice(1);
  if (body.length === 0) fail(`it has a header but no data rows`);
  const n = body.length;
  const x = new Float64Array(n * features.length), y = new Float64Array(n * targets.length);
  const number = (value: string, line: number, name: string): number => {
    if (value === "") fail(`the value at line ${line}, column "${name}" is empty`);
    const v = decimal(value);
    if (!Number.isFinite(v)) {
      fail(`the value ${JSON.stringify(value)} at line ${line}, column "${name}" is not a finite decimal number`);
    }
    return v;
  };
  const textTarget = targets.length === 1 &&
    body.every((r) => !Number.isFinite(decimal(r.fields[targetIdx[0]] ?? "")));
  const classes: string[] = [];
  body.forEach(({ line, fields }, r) => {
    if (fields.length !== header.length) {
      fail(
        `line ${line} has ${fields.length} field${fields.length === 1 ? "" : "s"} but the header has ${header.length}`,
      );
    }
    featureIdx.forEach((c, j) => (x[r * features.length + j] = number(fields[c], line, header[c])));
    if (textTarget) {
      const label = fields[targetIdx[0]];
      if (label === "") fail(`the value at line ${line}, column "${targets[0]}" is empty`);
      let k = classes.indexOf(label);
      if (k === -1) k = classes.push(label) - 1;
      y[r] = k;
    } else targetIdx.forEach((c, j) => (y[r * targets.length + j] = number(fields[c], line, header[c])));
  });
  return {
    x: new Tensor(x, [n, features.length]),
    y: new Tensor(y, [n, targets.length]),
    features,
    targets,
    ...(textTarget ? { classes } : {}),
  };
}

/**
 * Reads a CSV file with a header row (see {@linkcode parseCsv}). Needs `--allow-read`.
 *
 * @param path The file path.
 * @param options `target`, `features`, `delimiter`.
 * @returns `{ x, y, features, targets, classes? }`.
 * @throws {RangeError} For a malformed file, naming the path, line and column.
 * @throws {Deno.errors.NotFound} When the file does not exist (naming it).
 *
 * @example
 * ```ts
 * import { loadCsv } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "a,b,label\n0,1,1\n1,1,0\n");
 * const { x, y } = await loadCsv(path, { target: "label" });
 * assert.deepEqual(x.shape, [2, 2]);
 * assert.deepEqual(y.toArray(), [[1], [0]]);
 * await Deno.remove(path);
 * ```
 */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<CsvData> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot read ${path} as a CSV file as it does not exist`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new RangeError(`Cannot read ${path} as a CSV file as it is a folder`);
    }
    throw error;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RangeError(`Cannot read ${path} as a CSV file as it is not valid UTF-8 text`);
  }
  return parseCsv(text, options, path);
}
