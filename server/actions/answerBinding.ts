import { Action } from "../models/action.js";
import type { AnswerAction } from "../models/answer.js";
import { badRequest } from "../errors.js";

/**
 * The extra placeholders an answer that calls `action` may use: the action's reply fields and the answer's
 * own slot names. Refuses an action that does not exist, so a typo is caught when the answer is saved.
 */
export async function actionPlaceholders(action: AnswerAction | null | undefined): Promise<string[]> {
  if (!action) return [];
  const def = await Action.findOne({ name: action.name }, { replyFields: 1 }).lean();
  if (!def) throw badRequest(`No action named ${action.name}`);
  return [...def.replyFields, ...action.slots.map((s) => s.name)];
}
