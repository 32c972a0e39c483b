import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

// trainer/ is a library: the server, the benchmarks and the scripts enter it through trainer/index.ts only, so its
// internals can move without breaking them. This reads every import (static, dynamic and re-exports) of those
// folders and names each one that resolves to another file of trainer/.
const root = path.resolve(import.meta.dirname, "../..");
const entry = path.join(root, "trainer/index.ts");
const trainerDir = path.join(root, "trainer") + path.sep;

const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "results" ? [] : sources(p);
    return /\.(ts|tsx|mts|mjs|js)$/.test(e.name) ? [p] : [];
  });

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\1/g;

export function trainerInternalsImported(dirs: string[]): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of sources(path.join(root, dir))) {
      for (const [, , spec] of fs.readFileSync(file, "utf8").matchAll(SPECIFIER)) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
        if (target.startsWith(trainerDir) && target !== entry) found.push(`${path.relative(root, file)} imports ${spec}`);
      }
    }
  }
  return found;
}

test("server/, bench/ and scripts/ import the model library only through trainer/index.ts", () => {
  assert.deepEqual(trainerInternalsImported(["server", "bench", "scripts"]), []);
});

test("the check sees a deep import, static or dynamic", () => {
  const dir = fs.mkdtempSync(path.join(root, "bench", ".entry-check-"));
  try {
    fs.writeFileSync(
      path.join(dir, "a.ts"),
      `import { x } from "../../trainer/model/index.js";\nconst y = await import('../../trainer/index.js');\n`,
    );
    fs.writeFileSync(path.join(dir, "b.ts"), `const z = await import("../../trainer/train/random.js");\n`);
    const rel = path.relative(root, dir);
    assert.deepEqual(trainerInternalsImported([rel]).sort(), [
      `${rel}/a.ts imports ../../trainer/model/index.js`,
      `${rel}/b.ts imports ../../trainer/train/random.js`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
