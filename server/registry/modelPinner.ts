import { audit, type Actor } from "../audit/index.js";
import { swapPointer } from "./activeModel.js";

/** While pinned, the nightly run still trains and evaluates but never promotes over the active version. */
export async function modelPinner(opts: { actor: Actor | null; pinned: boolean }): Promise<void> {
  const before = await swapPointer({ pinned: opts.pinned });
  await audit(opts.actor, opts.pinned ? "model.pin" : "model.unpin", { type: "modelVersion", id: before?.version ?? "none" }, {});
}
