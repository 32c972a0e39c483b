import { randomUUID } from "node:crypto";
import mongoose from "mongoose";
import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { Answer } from "../models/answer.js";
import { answerTextFor, messageLanguage } from "./replyLanguage.js";
import { startInferenceThread } from "./inference/index.js";
import { ModelHost, type PredictorLoader } from "./modelHost.js";
import { renderReply } from "./render.js";
import type { Bot, BotDecision, BotInput } from "./types.js";

export type { Bot, BotDecision, BotInput } from "./types.js";

export interface ModelBot extends Bot {
  /** Applies the active-version pointer now instead of at the next poll. */
  sync(): Promise<void>;
  loadedVersions(): string[];
  close(): Promise<void>;
}

export interface CreateBotOptions {
  load?: PredictorLoader;
  pollMs?: number;
}

/**
 * The live bot: answers with the active model version when it is confident and the answer still exists,
 * otherwise hands off. With no active version every message is handed off (reason "no_model").
 */
export async function createBot(config: Config, opts: CreateBotOptions = {}): Promise<ModelBot> {
  // Models run in a worker thread, started on the first load, so a server with no model starts light.
  const thread = opts.load ? null : startInferenceThread({ baseModelDir: config.BASE_MODEL_DIR });
  const host = new ModelHost(config, opts.load ?? thread!.load, opts.pollMs);
  host.start();

  async function decide(input: BotInput): Promise<BotDecision> {
    const lease = host.acquire();
    if (!lease) return { kind: "handoff", reason: "no_model" };
    const { entry, release } = lease;
    try {
      const started = performance.now();
      const p = await entry.predictor.predict(input.text, input.previousTurn ?? undefined);
      const inferenceMs = performance.now() - started;
      const why = p.inScope === false ? "out_of_scope" : !p.confident ? "low_confidence" : null;
      if (why)
        return {
          kind: "handoff",
          reason: why,
          confidence: p.confidence,
          inScopeScore: p.inScopeScore,
          modelVersion: entry.version,
          inferenceMs,
        };
      const answer = mongoose.isValidObjectId(p.label) ? await Answer.findOne({ _id: p.label, status: "active" }).lean() : null;
      if (!answer) return { kind: "handoff", reason: "unknown_answer", confidence: p.confidence, modelVersion: entry.version, inferenceMs };
      // the same answer in the customer's language, when the bank has it
      const { text } = answerTextFor(answer, messageLanguage(input.text, input.language));
      return {
        kind: "reply",
        answerId: String(answer._id),
        text: await renderReply(text, input.conversationId),
        confidence: p.confidence,
        modelVersion: entry.version,
        replyId: randomUUID(),
        alternatives: p.alternatives.map((a) => ({ answerId: a.label, confidence: a.confidence })),
        inferenceMs,
        action: answer.action ? { name: answer.action.name, slots: answer.action.slots, template: text } : null,
      };
    } catch (err) {
      logger.error({ err, version: entry.version }, "model failed to answer; handing off");
      return { kind: "handoff", reason: "model_error", modelVersion: entry.version };
    } finally {
      release();
    }
  }

  return {
    decide,
    activeVersion: () => host.activeVersion(),
    sync: () => host.sync(),
    loadedVersions: () => host.loadedVersions(),
    close: async () => {
      await host.close();
      await thread?.close();
    },
  };
}
