import fsp from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Config } from "../config.js";
import { Answer } from "../models/answer.js";
import { actionCreator } from "../actions/actionDefinitions.js";
import { answerUpdater } from "../curation/answers.js";
import { createActionBody } from "../api/actions/schema.js";
import { answerActionBody } from "../api/answers/schema.js";
import { demoOrdersOrigin } from "./demoOrderService.js";

// The sample shop's actions (samples/acme-tea/actions.json): each names a path on the demo order service,
// whose origin comes from DEMO_ORDERS_PORT, and the FAQ answers that call them. Checked with the API's own
// schemas, so the sample cannot hold what an admin could not save.
const sampleActions = z
  .object({
    actions: z.array(z.object({ path: z.string().startsWith("/") }).passthrough()),
    answers: z.array(z.object({ title: z.string().min(1), text: z.string().min(1), action: answerActionBody }).strict()),
  })
  .strict();

/**
 * Defines the sample actions and attaches them to their answers (which the FAQ import just wrote), by the
 * same commands the console uses. Returns the names of the actions defined.
 */
export async function demoActionsLoader(config: Config, file: string): Promise<string[]> {
  const sample = sampleActions.parse(JSON.parse(await fsp.readFile(file, "utf8")));
  const origin = demoOrdersOrigin(config);
  const names: string[] = [];
  for (const { path: urlPath, ...rest } of sample.actions) {
    const definition = createActionBody.parse({ ...rest, url: origin + urlPath });
    await actionCreator(config, null, definition);
    names.push(definition.name);
  }
  for (const a of sample.answers) {
    const answer = await Answer.findOne({ title: a.title, status: "active" }, { version: 1 }).lean();
    if (!answer) throw new Error(`${path.basename(file)}: no answer titled "${a.title}" in the sample FAQ`);
    await answerUpdater(null, String(answer._id), { version: answer.version, text: a.text, action: a.action });
  }
  return names;
}
