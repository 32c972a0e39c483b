import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseArgs, numberFlag, UsageError } from "../../trainer/cli/args.js";

function cli(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", `trainer/cli/${script}.ts`, ...args], { encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

test("parseArgs accepts known flags in both forms and rejects the rest", () => {
  assert.deepEqual(parseArgs(["--data", "a.csv", "--epochs=3", "hello"], ["data", "epochs"]), {
    flags: { data: "a.csv", epochs: "3" },
    positional: ["hello"],
  });
  assert.throws(() => parseArgs(["--nope", "x"], ["data"]), UsageError);
  assert.throws(() => parseArgs(["--data"], ["data"]), /--data needs a value/);
  assert.throws(() => parseArgs(["--data", "--out", "x"], ["data", "out"]), /--data needs a value/);
  assert.throws(() => numberFlag({ epochs: "2.5" }, "epochs", { integer: true, min: 1 }), /--epochs must be an integer ≥ 1, got "2.5"/);
  assert.equal(numberFlag({ lr: "1e-4" }, "lr", { min: 0 }), 1e-4);
});

test("CLIs exit 2 with usage on bad flags and 1 with a clear message on bad files", () => {
  const badFlag = cli("train", ["--data", "x.csv", "--out", "/tmp/x", "--methd", "lora"]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /unknown flag --methd/);
  assert.match(badFlag.stderr, /usage: npm run model:train/);

  const missing = cli("train", ["--data", "/nonexistent/data.csv", "--out", "/tmp/x"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\/nonexistent\/data\.csv: cannot read \(ENOENT\)/);

  const noModel = cli("predict", ["--model", "/nonexistent/model", "hello"]);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /missing manifest\.json/);

  assert.equal(cli("eval", ["--data", "x.csv"]).code, 2);
});
