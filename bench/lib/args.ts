// Tiny flag parser for the benchmarks: --name value or --name=value; booleans as --flag.
export function parseFlags(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), "true");
  }
  return out;
}

export function num(flags: Map<string, string>, name: string, def: number): number {
  const v = flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

export function str(flags: Map<string, string>, name: string, def: string): string {
  return flags.get(name) ?? def;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function log(...parts: unknown[]): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
}

// The trainer's seeded PRNG and shuffle, so a rerun draws the same questions.
export { seededRandom as rng, shuffleInPlace as shuffle } from "../../trainer/index.js";

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
