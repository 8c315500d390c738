import assert from "node:assert/strict";
import { loadCsv, parseCsv } from "./csv.ts";

Deno.test("parseCsv() takes the last column as the target by default and the others as features", () => {
  const d = parseCsv("a,b,y\n1,2,0.5\n3,4,1.5\n");
  assert.deepEqual(d.x.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(d.y.toArray(), [[0.5], [1.5]]);
  assert.deepEqual([d.features, d.targets], [["a", "b"], ["y"]]);
  assert.equal(d.classes, undefined);
});

Deno.test("parseCsv() handles quotes, CRLF, a BOM, blank lines, chosen columns and delimiters", () => {
  const text = '\ufeff"x, one";"note";t1;t2\r\n"1";"a ""quoted"" text";5;6\r\n\r\n2;"multi\nline";7;8\r\n';
  const d = parseCsv(text, { delimiter: ";", target: ["t1", "t2"], features: ["x, one"] });
  assert.deepEqual(d.x.toArray(), [[1], [2]]);
  assert.deepEqual(d.y.toArray(), [[5, 6], [7, 8]]);
});

Deno.test("parseCsv() maps a text target to class indices in order of appearance", () => {
  const d = parseCsv("f,label\n1,cat\n2,dog\n3,cat\n");
  assert.deepEqual([...d.y.data], [0, 1, 0]);
  assert.deepEqual(d.classes, ["cat", "dog"]);
});

Deno.test("parseCsv() names the line and column of a bad row or value", () => {
  assert.throws(
    () => parseCsv("a,b\n1,2\n3,4,5\n", {}, "d.csv"),
    /Cannot read d.csv as a CSV file as line 3 has 3 fields but the header has 2/,
  );
  assert.throws(
    () => parseCsv("a,b\n1,2\nx,4\n"),
    /the value "x" at line 3, column "a" is not a finite decimal number/,
  );
  assert.throws(
    () => parseCsv("a,b\n1,2\n3,x\n"),
    /the value "x" at line 3, column "b" is not a finite decimal number/,
  );
  assert.throws(() => parseCsv("a,b,c\n1,,2\n"), /value at line 2, column "b" is empty/);
  assert.throws(() => parseCsv('a,b\n1,"2\n'), /quoted field that starts at line 2 is never closed/);
  assert.throws(
    () => parseCsv("a,b\n1,2\n", { target: "z" }),
    /target names a column "z" the header lacks: the columns are a, b/,
  );
  assert.throws(() => parseCsv("a,a\n1,2\n"), /names column "a" twice/);
  assert.throws(() => parseCsv(""), /it is empty/);
  assert.throws(() => parseCsv("a,b\n"), /no data rows/);
});

Deno.test("loadCsv() reads a file and rejects one that is not UTF-8", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ok.csv`, "a,y\n1,0\n");
    assert.deepEqual((await loadCsv(`${dir}/ok.csv`)).x.toArray(), [[1]]);
    await Deno.writeFile(`${dir}/bad.csv`, new Uint8Array([0x61, 0x0a, 0xff, 0xfe]));
    await assert.rejects(loadCsv(`${dir}/bad.csv`), /bad\.csv as a CSV file as it is not valid UTF-8/);
    const cut = "a,y\n1,0\n2";
    await Deno.writeTextFile(`${dir}/cut.csv`, cut);
    await assert.rejects(loadCsv(`${dir}/cut.csv`), /line 3 has 1 field but the header has 2/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseCsv() reads decimal numbers only: hexadecimal, binary and octal literals are not numbers", () => {
  const { x } = parseCsv("a,b,t\n-1.5e2,+.25,1\n7.,0,0\n");
  assert.deepEqual(x.toArray(), [[-150, 0.25], [7, 0]]);
  for (const value of ["0x10", "0b11", "0o7", "0X1F", "Infinity", "1_000", "- 1"]) {
    assert.throws(
      () => parseCsv(`a,b\n${value},1\n`),
      new RegExp(`the value "${value}" at line 2, column "a" is not a finite decimal number`),
    );
  }
  // A target column of such values is text, so its values become classes, as in pandas.
  const text = parseCsv("a,label\n1,0x10\n2,0b11\n3,0x10\n");
  assert.deepEqual(text.classes, ["0x10", "0b11"]);
  assert.deepEqual(text.y.toArray(), [[0], [1], [0]]);
});
