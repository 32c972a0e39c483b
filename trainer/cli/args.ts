/** Thrown for bad command-line usage: the CLI prints the message and usage and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  flags: Record<string, string>;
  positional: string[];
}

/** `--name value`, `--name=value` and positionals; only names in `known` are accepted, `booleans` take no value. */
export function parseArgs(argv: string[], known: string[], booleans: string[] = []): ParsedArgs {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name) && !booleans.includes(name)) throw new UsageError(`unknown flag --${name}`);
    if (booleans.includes(name)) {
      flags[name] = "true";
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`flag --${name} needs a value`);
    flags[name] = value;
  }
  return { flags, positional };
}

export function numberFlag(
  flags: Record<string, string>,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const bad =
    raw.trim() === "" ||
    !Number.isFinite(n) ||
    (opts.integer && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min) ||
    (opts.max !== undefined && n > opts.max);
  if (bad) {
    const range = [
      opts.integer ? "an integer" : "a number",
      opts.min !== undefined ? `≥ ${opts.min}` : "",
      opts.max !== undefined ? `≤ ${opts.max}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    throw new UsageError(`--${name} must be ${range}, got "${raw}"`);
  }
  return n;
}

export function requireFlag(flags: Record<string, string>, name: string): string {
  const v = flags[name];
  if (v === undefined) throw new UsageError(`missing required flag --${name}`);
  return v;
}

export const DEFAULT_BASE_MODEL_DIR = ".local/models/all-MiniLM-L6-v2";

export function baseModelDirFrom(flags: Record<string, string>): string {
  return flags.base ?? process.env.BASE_MODEL_DIR ?? DEFAULT_BASE_MODEL_DIR;
}

/** Runs a CLI main, turning errors into a one-line message and an exit code (2 for usage, 1 otherwise). */
export function runCli(main: () => Promise<void>, usage: string): void {
  main().catch((err: unknown) => {
    const e = err as Error;
    process.stderr.write(`error: ${e.message}\n`);
    if (err instanceof UsageError) process.stderr.write(`\n${usage}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
