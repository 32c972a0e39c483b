// npm run model:predict -- --model dir [--previous "earlier turn"] "customer message"
import { baseModelDirFrom, parseArgs, requireFlag, runCli, UsageError } from "./args.js";

const USAGE = 'usage: npm run model:predict -- --model dir [--previous "earlier turn"] [--base dir] "message"';

async function main(): Promise<void> {
  const { flags, positional } = parseArgs(process.argv.slice(2), ["model", "previous", "base", "backend"]);
  if (positional.length !== 1) throw new UsageError(`expected exactly one message, got ${positional.length}`);
  if (!positional[0].trim()) throw new UsageError("the message is empty");
  const modelDir = requireFlag(flags, "model");
  const { loadPredictor } = await import("../predictor.js");
  const predictor = await loadPredictor(modelDir, { baseModelDir: baseModelDirFrom(flags), backend: flags.backend as never });
  const p = await predictor.predict(positional[0], flags.previous ?? null);
  predictor.dispose();
  console.log(JSON.stringify({ ...p, threshold: predictor.threshold }, null, 2));
}

runCli(main, USAGE);
