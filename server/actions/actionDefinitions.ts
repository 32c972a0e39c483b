import type { Config } from "../config.js";
import type { SessionUser } from "../auth/types.js";
import { Action, type ActionDoc } from "../models/action.js";
import { audit } from "../audit/index.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { withRecordLock } from "../db/recordLock.js";
import { matchAllowList } from "../outbound/allowList.js";
import { outboundOptions } from "../outbound/index.js";
import { newSigningSecret } from "../signing/index.js";
import { actionUrl } from "./actionCaller.js";
import type { FieldType } from "./responseShape.js";

export interface ActionDefinition {
  name: string;
  description: string;
  url: string;
  method: "GET" | "POST";
  headers: { name: string; value?: string; secret: boolean }[];
  timeoutMs: number;
  fields: { path: string; type: FieldType; required: boolean }[];
  replyFields: string[];
  requiresVerifiedCustomer: boolean;
}

/** Refuses, when saved, a URL the outbound rules would refuse anyway, so the admin learns it now. */
function assertCallableUrl(config: Config, template: string): void {
  let url: URL;
  try {
    url = new URL(actionUrl(template, new Proxy({}, { get: () => "x" }) as Record<string, string>));
  } catch {
    throw badRequest("The URL is not valid (slots go in as {{slot_name}})");
  }
  if (!matchAllowList(outboundOptions(config).allowList, url)) {
    throw badRequest(
      `${url.protocol}//${url.host} is not in OUTBOUND_ALLOWED_URLS; an admin of the server adds it there (plain http only for hosts listed with http://)`,
    );
  }
}

function assertHeaderValues(headers: ActionDefinition["headers"]): void {
  const missing = headers.find((h) => h.value === undefined);
  if (missing) throw badRequest(`Header ${missing.name} needs a value`);
}

/**
 * actionCreator: the signing secret is returned this once; the service that receives the calls keeps it.
 * A null actor is the system (the demo workspace).
 */
export async function actionCreator(
  config: Config,
  actor: SessionUser | null,
  input: ActionDefinition,
): Promise<{ action: ActionDoc; signingSecret: string }> {
  assertCallableUrl(config, input.url);
  assertHeaderValues(input.headers);
  if (await Action.exists({ name: input.name })) throw conflict(`An action named ${input.name} exists`);
  const signingSecret = newSigningSecret();
  const action = await Action.create({ ...input, signingSecret, createdBy: actor?.id ?? null }).catch((err) => {
    throw (err as { code?: number }).code === 11000 ? conflict(`An action named ${input.name} exists`) : err;
  });
  await audit(actor, "action.create", { type: "action", id: String(action._id) }, { name: input.name, url: input.url });
  return { action, signingSecret };
}

/** actionUpdater: optimistic on `version`; a secret header sent without a value keeps the stored one. */
export async function actionUpdater(
  config: Config,
  actor: SessionUser,
  id: string,
  input: Partial<ActionDefinition> & { version: number; status?: "active" | "disabled" },
): Promise<ActionDoc> {
  const { version, ...changes } = input;
  if (changes.url) assertCallableUrl(config, changes.url);
  return withRecordLock(`action:${id}`, async () => {
    const current = await Action.findById(id);
    if (!current) throw notFound("Action");
    if (current.version !== version) throw conflict("The action changed meanwhile; review the current version and retry");
    if (changes.headers) {
      const stored = new Map((current.headers ?? []).map((h) => [h.name.toLowerCase(), h]));
      changes.headers = changes.headers.map((h) =>
        h.value === undefined && h.secret ? { ...h, value: stored.get(h.name.toLowerCase())?.value ?? undefined } : h,
      );
      assertHeaderValues(changes.headers);
    }
    const fields = changes.fields ?? current.fields;
    const replyFields = changes.replyFields ?? current.replyFields;
    const unknown = replyFields.filter((r) => !fields.some((f) => f.path === r));
    if (unknown.length) throw badRequest(`Reply fields not among the fields: ${unknown.join(", ")}`);
    const updated = await Action.findOneAndUpdate({ _id: id, version }, { $set: changes, $inc: { version: 1 } }, { new: true });
    if (!updated) throw conflict("The action changed meanwhile; review the current version and retry");
    await audit(actor, "action.update", { type: "action", id }, { changed: Object.keys(changes) });
    return updated;
  });
}

export async function signingSecretRotator(actor: SessionUser, id: string): Promise<string> {
  const signingSecret = newSigningSecret();
  const updated = await Action.findOneAndUpdate({ _id: id }, { $set: { signingSecret }, $inc: { version: 1 } }, { new: true });
  if (!updated) throw notFound("Action");
  await audit(actor, "action.rotate_secret", { type: "action", id });
  return signingSecret;
}
