#!/usr/bin/env node
// Runs every tests/**/*.test.ts with node's test runner (through tsx), or only the layers/files given:
//   npm test                 all layers
//   npm test -- unit api     only tests/unit and tests/api
//   npm test -- tests/api/health.test.ts
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const walk = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p) : e.name.endsWith(".test.ts") ? [p] : [];
      })
    : [];

const targets = args.length ? args : ["tests"];
const files = targets
  .flatMap((t) => {
    const p = fs.existsSync(path.join(root, t)) ? path.join(root, t) : path.join(root, "tests", t);
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ? [p] : walk(p);
  })
  .map((f) => path.relative(root, f))
  .sort();

if (files.length === 0) {
  console.error(`No test files found under: ${targets.join(", ")}`);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(result.status ?? 1);
