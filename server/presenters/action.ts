import type { Types } from "mongoose";

interface ActionLean {
  _id: Types.ObjectId;
  name: string;
  description?: string | null;
  url: string;
  method: string;
  headers?: { name: string; value?: string | null; secret?: boolean | null }[] | null;
  timeoutMs: number;
  fields: { path: string; type: string; required?: boolean | null }[];
  replyFields: string[];
  requiresVerifiedCustomer?: boolean | null;
  status: string;
  version: number;
  updatedAt?: Date | null;
}

/** An action for the console: secret header values and the signing secret never leave the server. */
export function presentAction(a: ActionLean) {
  return {
    id: String(a._id),
    name: a.name,
    description: a.description ?? "",
    url: a.url,
    method: a.method,
    headers: (a.headers ?? []).map((h) =>
      h.secret ? { name: h.name, secret: true, value: null, set: Boolean(h.value) } : { name: h.name, secret: false, value: h.value ?? "" },
    ),
    timeoutMs: a.timeoutMs,
    fields: a.fields.map((f) => ({ path: f.path, type: f.type, required: f.required ?? true })),
    replyFields: a.replyFields,
    requiresVerifiedCustomer: Boolean(a.requiresVerifiedCustomer),
    status: a.status,
    version: a.version,
    updatedAt: a.updatedAt ? new Date(a.updatedAt).toISOString() : null,
  };
}

interface CallLean {
  _id: Types.ObjectId;
  actionName: string;
  conversationId?: Types.ObjectId | null;
  messageId?: Types.ObjectId | null;
  requestId: string;
  outcome: string;
  httpStatus?: number | null;
  durationMs: number;
  detail?: string | null;
  slotNames: string[];
  preview?: boolean | null;
  createdAt?: Date | null;
}

export function presentActionCall(c: CallLean) {
  return {
    id: String(c._id),
    action: c.actionName,
    conversationId: c.conversationId ? String(c.conversationId) : null,
    messageId: c.messageId ? String(c.messageId) : null,
    requestId: c.requestId,
    outcome: c.outcome,
    httpStatus: c.httpStatus ?? null,
    durationMs: c.durationMs,
    detail: c.detail ?? null,
    slots: c.slotNames,
    preview: Boolean(c.preview),
    at: c.createdAt ? new Date(c.createdAt).toISOString() : null,
  };
}
