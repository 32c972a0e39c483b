import { Router } from "express";
import type { AppContext } from "../../context.js";
import { User } from "../../models/user.js";
import { currentUser, guard } from "../../auth/index.js";
import { userCreator } from "../../auth/userCreator.js";
import { assertUserUpdateAllowed } from "../../policies/users.js";
import { audit, auditedChange } from "../../audit/index.js";
import { AGENT_NS } from "../../gateway/broadcast.js";
import { userRoom } from "../../gateway/agent/index.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentUser } from "../../presenters/user.js";
import { usersSchemas as s } from "./schema.js";

export function usersRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("users.manage"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const filter: Record<string, unknown> = {};
    if (query.role) filter.role = query.role;
    if (query.disabled !== undefined) filter.disabled = query.disabled;
    const users = await User.find(filter).sort({ createdAt: 1 }).limit(500).lean();
    res.json({ users: users.map(presentUser) });
  });

  // Invite (no password: a one-time token for /console/#/invite/<token>) or create with a password.
  router.post("/", guard("users.manage"), validate(s.create), async (req, res) => {
    const { body } = valid(req, s.create);
    const { user, inviteToken } = await userCreator(body);
    const actor = currentUser(req);
    await audit(
      actor,
      inviteToken ? "user.invite" : "user.create",
      { type: "user", id: String(user._id) },
      { email: user.email, role: user.role },
    );
    res.status(201).json({
      user: presentUser(user),
      inviteToken,
      inviteUrl: inviteToken ? `${ctx.config.PUBLIC_URL ?? ""}/console/#/invite/${inviteToken}` : null,
    });
  });

  router.patch("/:id", guard("users.manage"), validate(s.update), async (req, res) => {
    const { params, body } = valid(req, s.update);
    const actor = currentUser(req);
    await assertUserUpdateAllowed(actor, params.id, body);
    if (!(await User.exists({ _id: params.id }))) throw notFound("User");
    const action = body.disabled === true ? "user.disable" : body.disabled === false ? "user.enable" : "user.update";
    const user = await auditedChange(actor, action, { type: "user", id: params.id }, { ...body }, () =>
      User.findByIdAndUpdate(params.id, { $set: body }, { new: true, runValidators: true }),
    );
    if (!user) throw notFound("User");
    // A disabled agent's open console is cut off now, not at their next request.
    if (body.disabled) ctx.io.of(AGENT_NS).in(userRoom(params.id)).disconnectSockets(true);
    res.json({ user: presentUser(user) });
  });

  return router;
}
