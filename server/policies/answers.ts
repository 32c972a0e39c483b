import type { SessionUser } from "../auth/types.js";
import { forbidden } from "../errors.js";
import { can } from "./permissions.js";

/**
 * Attaching an action to an answer (or changing its slots) makes the bot call a service outside on every
 * customer who gets that answer, so it takes the permission that defines actions; agents keep editing the
 * answer's title and text.
 */
export function assertCanSetAnswerAction(user: SessionUser, change: { action?: unknown }): void {
  if (change.action !== undefined && !can(user, "actions.manage")) throw forbidden("Only an admin attaches actions to answers");
}
