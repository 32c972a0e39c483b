import { z, type ZodTypeAny } from "zod";
import type { Permission } from "../../policies/permissions.js";
import { authSchemas, csrfResponse, sessionResponse } from "../auth/schema.js";
import { createUserResponse, usersSchemas, userView } from "../users/schema.js";
import { conversationsSchemas } from "../conversations/schema.js";
import { reviewsSchemas } from "../reviews/schema.js";
import { answersSchemas } from "../answers/schema.js";
import { examplesSchemas } from "../examples/schema.js";
import { auditSchemas } from "../audit/schema.js";
import { modelVersionsSchemas } from "../modelVersions/schema.js";
import { runsSchemas } from "../runs/schema.js";
import { nightlySettingsSchemas } from "../nightlySettings/schema.js";
import { analyticsSchemas } from "../analytics/schema.js";

/**
 * Every route of the agent/admin API, with who may call it and its zod schemas: the OpenAPI document
 * is generated from this list and the authorization-matrix test walks it, so a route added here is
 * documented and tested for anonymous/agent/admin at once. Other resources add theirs with `documentRoutes`.
 */
export interface RouteDoc {
  method: "get" | "post" | "patch" | "put" | "delete";
  // Express style (`:id`); converted to `{id}` for OpenAPI.
  path: string;
  summary: string;
  tag: string;
  // null: public; "session": any signed-in user; otherwise the permission the route requires.
  access: Permission | "session" | null;
  params?: ZodTypeAny;
  query?: ZodTypeAny;
  body?: ZodTypeAny;
  response?: ZodTypeAny;
  status?: number;
}

const id = "/:id";
export const catalog: RouteDoc[] = [
  {
    method: "post",
    path: "/api/auth/login",
    tag: "auth",
    summary: "Sign in (rotates the session; returns a CSRF token)",
    access: null,
    ...authSchemas.login,
    response: sessionResponse,
  },
  { method: "post", path: "/api/auth/logout", tag: "auth", summary: "Sign out", access: "session", status: 204 },
  {
    method: "get",
    path: "/api/auth/session",
    tag: "auth",
    summary: "The signed-in user and a CSRF token",
    access: "session",
    response: sessionResponse,
  },
  {
    method: "get",
    path: "/api/auth/csrf",
    tag: "auth",
    summary: "A CSRF token for this session (send as x-csrf-token)",
    access: "session",
    response: csrfResponse,
  },
  {
    method: "post",
    path: "/api/auth/invite/accept",
    tag: "auth",
    summary: "Choose a password with an invite token",
    access: null,
    ...authSchemas.acceptInvite,
    status: 204,
  },

  {
    method: "get",
    path: "/api/users",
    tag: "users",
    summary: "List users",
    access: "users.manage",
    ...usersSchemas.list,
    response: z.object({ users: z.array(userView) }),
  },
  {
    method: "post",
    path: "/api/users",
    tag: "users",
    summary: "Invite (no password) or create a user",
    access: "users.manage",
    ...usersSchemas.create,
    response: createUserResponse,
    status: 201,
  },
  {
    method: "patch",
    path: `/api/users${id}`,
    tag: "users",
    summary: "Rename, change role, disable/enable",
    access: "users.manage",
    ...usersSchemas.update,
    response: z.object({ user: userView }),
  },

  {
    method: "get",
    path: "/api/conversations",
    tag: "conversations",
    summary: "Live list, waiting first",
    access: "conversations.read",
    ...conversationsSchemas.list,
  },
  {
    method: "get",
    path: `/api/conversations${id}`,
    tag: "conversations",
    summary: "A conversation with its messages",
    access: "conversations.read",
    ...conversationsSchemas.get,
  },
  {
    method: "get",
    path: `/api/conversations${id}/messages`,
    tag: "conversations",
    summary: "Messages after a seq (resync)",
    access: "conversations.read",
    ...conversationsSchemas.messages,
  },
  {
    method: "post",
    path: `/api/conversations${id}/takeover`,
    tag: "conversations",
    summary: "Take over: the bot stops replying",
    access: "conversations.act",
    ...conversationsSchemas.action,
  },
  {
    method: "post",
    path: `/api/conversations${id}/messages`,
    tag: "conversations",
    summary: "Reply as the assigned agent (idempotent by clientId)",
    access: "conversations.act",
    ...conversationsSchemas.reply,
    status: 201,
  },
  {
    method: "post",
    path: `/api/conversations${id}/handback`,
    tag: "conversations",
    summary: "Hand back to the bot",
    access: "conversations.act",
    ...conversationsSchemas.action,
  },
  {
    method: "post",
    path: `/api/conversations${id}/close`,
    tag: "conversations",
    summary: "Close",
    access: "conversations.act",
    ...conversationsSchemas.action,
  },
  {
    method: "post",
    path: `/api/conversations${id}/read`,
    tag: "conversations",
    summary: "Reset the unread count",
    access: "conversations.read",
    ...conversationsSchemas.action,
  },

  {
    method: "get",
    path: "/api/reviews",
    tag: "reviews",
    summary: "Review queue: thumbs-down, then lowest confidence (kind=bot) or agent replies (kind=agent)",
    access: "reviews.act",
    ...reviewsSchemas.queue,
  },
  {
    method: "post",
    path: `/api/reviews${id}/approve`,
    tag: "reviews",
    summary: "Approve a bot or agent reply as a training example",
    access: "reviews.act",
    ...reviewsSchemas.approve,
    status: 201,
  },
  {
    method: "post",
    path: `/api/reviews${id}/edit`,
    tag: "reviews",
    summary: "Approve with corrected text (new or existing answer)",
    access: "reviews.act",
    ...reviewsSchemas.edit,
    status: 201,
  },
  {
    method: "post",
    path: `/api/reviews${id}/reject`,
    tag: "reviews",
    summary: "Reject a bot reply (kept as a negative example)",
    access: "reviews.act",
    ...reviewsSchemas.reject,
    status: 201,
  },
  {
    method: "post",
    path: `/api/reviews${id}/not-for-bot`,
    tag: "reviews",
    summary:
      'Mark the customer\'s question "not for the bot": no answer should answer it (trained against every answer, evaluated as out of scope)',
    access: "reviews.act",
    ...reviewsSchemas["not-for-bot"],
    status: 201,
  },

  { method: "get", path: "/api/answers", tag: "answers", summary: "Reply bank", access: "answers.read", ...answersSchemas.list },
  { method: "get", path: "/api/answers/placeholders", tag: "answers", summary: "Placeholders an answer may use", access: "answers.read" },
  {
    method: "post",
    path: "/api/answers/preview",
    tag: "answers",
    summary: "Validate and render a draft",
    access: "answers.read",
    ...answersSchemas.preview,
  },
  {
    method: "get",
    path: `/api/answers${id}`,
    tag: "answers",
    summary: "An answer with its phrasings (examples)",
    access: "answers.read",
    ...answersSchemas.get,
  },
  {
    method: "post",
    path: "/api/answers",
    tag: "answers",
    summary: "Create an answer",
    access: "answers.write",
    ...answersSchemas.create,
    status: 201,
  },
  {
    method: "patch",
    path: `/api/answers${id}`,
    tag: "answers",
    summary: "Rename / reword (409 on a stale version)",
    access: "answers.write",
    ...answersSchemas.update,
  },
  {
    method: "post",
    path: `/api/answers${id}/retire`,
    tag: "answers",
    summary: "Retire",
    access: "answers.write",
    ...answersSchemas.retire,
  },
  {
    method: "post",
    path: `/api/answers${id}/merge`,
    tag: "answers",
    summary: "Merge into another answer",
    access: "answers.write",
    ...answersSchemas.merge,
  },

  {
    method: "get",
    path: "/api/examples",
    tag: "examples",
    summary: "Training examples with lineage",
    access: "examples.read",
    ...examplesSchemas.list,
  },
  {
    method: "get",
    path: `/api/examples${id}`,
    tag: "examples",
    summary: "One example with lineage",
    access: "examples.read",
    ...examplesSchemas.get,
  },
  {
    method: "patch",
    path: `/api/examples${id}`,
    tag: "examples",
    summary: "Edit, mark golden, exclude (409 with the current version when stale)",
    access: "examples.write",
    ...examplesSchemas.update,
  },

  {
    method: "get",
    path: "/api/audit",
    tag: "audit",
    summary: "Audit log of agent/admin actions",
    access: "audit.read",
    ...auditSchemas.list,
  },

  { method: "get", path: "/api/health", tag: "health", summary: "Database and active model", access: null },

  // The training loop's resources (server/api/{models,runs,trainer,analytics}), with their own schemas.
  { method: "get", path: "/api/models", tag: "models", summary: "Model versions and the active pointer", access: "models.read" },
  {
    method: "get",
    path: "/api/models/:version",
    tag: "models",
    summary: "One version with its metrics and gate report",
    access: "models.read",
    ...modelVersionsSchemas.show,
  },
  {
    method: "post",
    path: "/api/models/rollback",
    tag: "models",
    summary: "Roll back to the previous (or a named) version",
    access: "models.manage",
    ...modelVersionsSchemas.rollback,
  },
  {
    method: "post",
    path: "/api/models/pin",
    tag: "models",
    summary: "Pin / unpin the active version",
    access: "models.manage",
    ...modelVersionsSchemas.pin,
  },
  {
    method: "post",
    path: "/api/models/:version/promote",
    tag: "models",
    summary: "Promote a version",
    access: "models.manage",
    ...modelVersionsSchemas.promote,
  },
  { method: "get", path: "/api/runs", tag: "runs", summary: "Training runs", access: "models.read", ...runsSchemas.list },
  { method: "get", path: "/api/runs/:id", tag: "runs", summary: "One run with its snapshot", access: "models.read", ...runsSchemas.show },
  { method: "post", path: "/api/runs", tag: "runs", summary: "Train now", access: "models.manage", ...runsSchemas.create, status: 201 },
  { method: "get", path: "/api/trainer/settings", tag: "trainer", summary: "Schedule and training settings", access: "models.read" },
  {
    method: "patch",
    path: "/api/trainer/settings",
    tag: "trainer",
    summary: "Change schedule and training settings",
    access: "models.manage",
    ...nightlySettingsSchemas.update,
  },
  {
    method: "get",
    path: "/api/analytics/models",
    tag: "analytics",
    summary: "Daily analytics per model version",
    access: "models.read",
    ...analyticsSchemas.models,
  },
  {
    method: "get",
    path: "/api/analytics/latency",
    tag: "analytics",
    summary: "Chat turn latency by stage over this process's recent turns",
    access: "models.read",
    ...analyticsSchemas.latency,
  },
  {
    method: "delete",
    path: "/api/analytics/latency",
    tag: "analytics",
    summary: "Start the turn latency window over",
    access: "models.manage",
    ...analyticsSchemas.latency,
    status: 204,
  },
  {
    method: "get",
    path: "/api/analytics/database",
    tag: "analytics",
    summary: "Database commands by chat-turn stage, command and collection (DB_TALLY)",
    access: "models.read",
    ...analyticsSchemas.database,
  },
  {
    method: "delete",
    path: "/api/analytics/database",
    tag: "analytics",
    summary: "Start the database command tally over",
    access: "models.manage",
    ...analyticsSchemas.database,
    status: 204,
  },
];

/** For other resources' routes (models, runs, …): documented and covered by the authorization matrix. */
export function documentRoutes(routes: RouteDoc[]): void {
  for (const r of routes) if (!catalog.some((c) => c.method === r.method && c.path === r.path)) catalog.push(r);
}
