import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
let cached: Promise<string> | null = null;

/** package version plus the git commit when run from a checkout: enough to tell which code trained a version. */
export function codeVersion(): Promise<string> {
  cached ??= (async () => {
    const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string };
    const sha = await new Promise<string | null>((resolve) =>
      execFile("git", ["rev-parse", "--short", "HEAD"], { cwd: root, timeout: 2000 }, (err, out) => resolve(err ? null : out.trim())),
    );
    return sha ? `${pkg.version}+${sha}` : pkg.version;
  })();
  return cached;
}
