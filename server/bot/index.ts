import type { Config } from "../config.js";
import type { Bot, BotDecision, BotInput } from "./types.js";

export type { Bot, BotDecision, BotInput } from "./types.js";

/**
 * The live bot. Until a model version is active, every message is handed off to a human:
 * the customer is told so and the conversation waits for an agent.
 */
export async function createBot(_config: Config): Promise<Bot> {
  return {
    async decide(_input: BotInput): Promise<BotDecision> {
      return { kind: "handoff", reason: "no_model" };
    },
    activeVersion() {
      return null;
    },
  };
}
