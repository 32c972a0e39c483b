// Entry point of the process trainInChildProcess forks: 'ready' out, one TrainOptions in, progress and one result out.
import { toChildError } from "./childProcess.js";
import type { TrainOptions } from "./options.js";
import { trainModel } from "./trainModel.js";

process.once("message", async (opts: TrainOptions) => {
  try {
    const result = await trainModel(opts, (progress) => process.send!({ type: "progress", progress }));
    process.send!({ type: "result", result }, () => process.exit(0));
  } catch (err) {
    process.send!({ type: "error", error: toChildError(err) }, () => process.exit(1));
  }
});
// The trainer that forked this process is gone (whatever ended it): so is the reason to keep computing.
process.once("disconnect", () => process.exit(1));
process.send!({ type: "ready" });
