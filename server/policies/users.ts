import { badRequest, conflict } from "../errors.js";
import { User } from "../models/user.js";
import type { SessionUser } from "../auth/types.js";

/**
 * Instance rules for changing a user: admins cannot lock themselves out, and the last active admin
 * cannot be disabled or demoted (nobody could then manage accounts).
 */
export async function assertUserUpdateAllowed(actor: SessionUser, targetId: string, change: { role?: string; disabled?: boolean }) {
  const self = actor.id === targetId;
  if (self && change.disabled === true) throw badRequest("You cannot disable your own account");
  if (self && change.role && change.role !== "admin") throw badRequest("You cannot remove your own admin role");
  const losesAdmin = change.disabled === true || (change.role !== undefined && change.role !== "admin");
  if (!losesAdmin) return;
  const target = await User.findById(targetId).lean();
  if (target?.role !== "admin" || target.disabled) return;
  const activeAdmins = await User.countDocuments({ role: "admin", disabled: false });
  if (activeAdmins <= 1) throw conflict("This is the last active admin");
}
