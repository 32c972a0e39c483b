import fs from "node:fs";
import path from "node:path";

/** The project root: benchmarks read and write paths relative to it, wherever they are started from. */
export const root = path.resolve(import.meta.dirname, "../..");

/** Writes a results or chart file at a path relative to the repository root, creating its folder. */
export function writeOutput(file: string, content: string): void {
  const target = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // written whole then renamed: a benchmark stopped mid-write leaves the last complete results, never half a file
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, target);
}
