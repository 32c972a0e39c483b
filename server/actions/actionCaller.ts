import { randomUUID } from "node:crypto";
import type { Types } from "mongoose";
import type { Config } from "../config.js";
import { ActionCall, type ActionCallOutcome } from "../models/actionCall.js";
import type { CustomerIdentity } from "../identity/customerIdentity.js";
import { outboundOptions, outboundRequest, type Resolver } from "../outbound/index.js";
import { SIGNATURE_HEADER, signPayload } from "../signing/index.js";
import { logger } from "../logger.js";
import { pickFields, responseSchema, shapeProblem, type FieldValue, type ResponseField } from "./responseShape.js";

/** What a call needs of an action (a lean document or a draft being previewed). */
export interface ActionLike {
  _id: Types.ObjectId;
  name: string;
  url: string;
  method: string;
  headers?: { name: string; value?: string | null; secret?: boolean | null }[] | null;
  timeoutMs: number;
  fields: ResponseField[];
  replyFields: string[];
  requiresVerifiedCustomer?: boolean | null;
  signingSecret: string;
}

export interface ActionCallInput {
  conversationId: string | null;
  messageId?: string | null;
  customer: CustomerIdentity & { name?: string | null; email?: string | null };
  language: string;
  slots: Record<string, string>;
  preview?: boolean;
}

export type ActionCallResult =
  | { ok: true; fields: Record<string, FieldValue>; durationMs: number; httpStatus: number; requestId: string }
  | {
      ok: false;
      outcome: Exclude<ActionCallOutcome, "ok">;
      detail: string | null;
      durationMs: number;
      httpStatus: number | null;
      requestId: string;
    };

export interface CallerOptions {
  config: Config;
  // Tests point host names at local servers (a hosts-file stand-in); the server uses the system resolver.
  resolve?: Resolver;
}

/** The URL with each {{slot}} filled, URL-encoded so a slot value cannot change the host or path. */
export function actionUrl(template: string, slots: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_m, name: string) => encodeURIComponent(slots[name] ?? ""));
}

/**
 * actionCaller: calls an action once for a conversation and logs the call. The request carries the
 * conversation context (slots, the customer as far as it is known, language) and is signed; the response
 * must be JSON of the declared shape, and only the reply fields come back from here.
 */
export async function actionCaller(opts: CallerOptions, action: ActionLike, input: ActionCallInput): Promise<ActionCallResult> {
  const requestId = randomUUID();
  const result = await call(opts, action, input, requestId);
  try {
    await ActionCall.create({
      actionId: action._id,
      actionName: action.name,
      conversationId: input.conversationId,
      messageId: input.messageId ?? null,
      requestId,
      outcome: result.ok ? "ok" : result.outcome,
      httpStatus: result.httpStatus,
      durationMs: result.durationMs,
      detail: result.ok ? null : result.detail,
      slotNames: Object.keys(input.slots),
      preview: input.preview ?? false,
    });
  } catch (err) {
    // The call happened; a lost log line must not turn a good answer into a hand-off.
    logger.error({ err, action: action.name }, "action call log write failed");
  }
  return result;
}

async function call(opts: CallerOptions, action: ActionLike, input: ActionCallInput, requestId: string): Promise<ActionCallResult> {
  const fail = (
    outcome: Exclude<ActionCallOutcome, "ok">,
    detail: string | null,
    durationMs = 0,
    httpStatus: number | null = null,
  ): ActionCallResult => ({ ok: false, outcome, detail, durationMs, httpStatus, requestId });
  if (action.requiresVerifiedCustomer && !input.customer.verified) return fail("unverified", "the action needs a verified customer");

  const url = actionUrl(action.url, input.slots);
  const context = {
    action: action.name,
    requestId,
    conversationId: input.conversationId,
    customer: {
      id: input.customer.id,
      verified: input.customer.verified,
      name: input.customer.name ?? null,
      email: input.customer.email ?? null,
    },
    slots: input.slots,
    language: input.language,
  };
  const body = action.method === "POST" ? JSON.stringify(context) : undefined;
  // A GET has no body: the signature covers its path and query instead, where the slots are.
  const signed = body ?? new URL(url).pathname + new URL(url).search;
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": "Understudy-Action/1",
    "understudy-request-id": requestId,
    [SIGNATURE_HEADER]: signPayload(action.signingSecret, signed),
    ...(body ? { "content-type": "application/json" } : {}),
  };
  for (const h of action.headers ?? []) headers[h.name.toLowerCase()] = h.value ?? "";

  const res = await outboundRequest(
    { url, method: action.method as "GET" | "POST", headers, body, timeoutMs: action.timeoutMs },
    outboundOptions(opts.config, opts.resolve),
  );
  if (res.outcome === "timeout") return fail("timeout", `no answer within ${action.timeoutMs} ms`, res.durationMs);
  if (res.outcome === "blocked") return fail("blocked", res.reason, res.durationMs);
  if (res.outcome === "error") return fail("error", res.reason, res.durationMs);
  if (res.outcome === "http_error") return fail("http_error", `HTTP ${res.status}`, res.durationMs, res.status);

  let data: unknown;
  try {
    data = JSON.parse(res.body);
  } catch {
    return fail("bad_response", "the response is not JSON", res.durationMs, res.status);
  }
  const checked = responseSchema(action.fields).safeParse(data);
  if (!checked.success) return fail("bad_response", shapeProblem(checked.error), res.durationMs, res.status);
  return { ok: true, fields: pickFields(checked.data, action.replyFields), durationMs: res.durationMs, httpStatus: res.status, requestId };
}
