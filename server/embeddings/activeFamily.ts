import type { BaseFamily } from "../../trainer/index.js";
import { loadTrainerSettings } from "../nightly/settings.js";

/** The workspace's base family (trainer settings `training.baseModel`), read at each call: a change needs no restart. */
export async function activeBaseFamily(): Promise<BaseFamily> {
  return (await loadTrainerSettings()).training.baseModel;
}
