import crypto from "node:crypto";
import request from "supertest";
import type { Role } from "../../server/models/user.js";
import { userCreator } from "../../server/auth/userCreator.js";
import type { AppContext } from "../../server/context.js";
import { recordBotReply, recordCustomerMessage } from "../../server/conversationLog/messageRecorder.js";
import { handOff } from "../../server/conversationLog/botResponder.js";
import { Answer } from "../../server/models/answer.js";
import { Conversation } from "../../server/models/conversation.js";

export const TEST_PASSWORD = "correct horse battery staple";

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** Creates a user with a password directly in the database (through the real command). */
export async function createUser(
  role: Role = "agent",
  overrides: Partial<Pick<TestUser, "email" | "name" | "password">> = {},
): Promise<TestUser> {
  const email = overrides.email ?? `${role}-${crypto.randomBytes(4).toString("hex")}@example.test`;
  const name = overrides.name ?? `${role[0].toUpperCase()}${role.slice(1)} ${email.slice(role.length + 1, role.length + 5)}`;
  const password = overrides.password ?? TEST_PASSWORD;
  const { user } = await userCreator({ email, name, role, password });
  return { id: String(user._id), email, name, role, password };
}

export type LoggedInAgent = ReturnType<typeof request.agent> & { user: TestUser; csrfToken: string; cookie: string };

/**
 * A supertest agent signed in as `user` (or a fresh user of `role`). It keeps the session cookie and
 * sends the CSRF header on every request, like the console does.
 */
export async function loginAs(url: string, who: Role | TestUser = "agent"): Promise<LoggedInAgent> {
  const user = typeof who === "string" ? await createUser(who) : who;
  const agent = request.agent(url);
  const res = await agent.post("/api/auth/login").send({ email: user.email, password: user.password });
  if (res.status !== 200) throw new Error(`login as ${user.email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const csrfToken = res.body.csrfToken as string;
  agent.set("x-csrf-token", csrfToken);
  const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  const cookie = setCookie.map((c) => c.split(";")[0]).join("; ");
  return Object.assign(agent, { user, csrfToken, cookie });
}

// ---- conversation fixtures, through the conversation log's real commands ----

export async function createAnswer(title = "Reset password", text = "Hi {{name}}, use the 'Forgot password' link on the sign-in page.") {
  return Answer.create({ title, text });
}

/** A customer question and a bot reply to it (as if model `modelVersion` answered). */
export async function seedBotExchange(
  ctx: AppContext,
  opts: {
    question?: string;
    answerId?: string;
    confidence?: number;
    modelVersion?: string;
    customerName?: string;
    customerId?: string;
  } = {},
) {
  const customerId = opts.customerId ?? `cust-${crypto.randomBytes(4).toString("hex")}`;
  const asked = await recordCustomerMessage(ctx, {
    customerId,
    clientId: crypto.randomUUID(),
    text: opts.question ?? "How do I reset my password?",
  });
  if (opts.customerName) await Conversation.updateOne({ _id: asked.conversation._id }, { $set: { customerName: opts.customerName } });
  const answerId = opts.answerId ?? String((await createAnswer())._id);
  const replied = await recordBotReply(
    ctx,
    asked.conversation,
    {
      kind: "reply",
      answerId,
      text: "Use the 'Forgot password' link on the sign-in page.",
      confidence: opts.confidence ?? 0.5,
      modelVersion: opts.modelVersion ?? "v-test-1",
      replyId: crypto.randomUUID(),
      alternatives: [],
    },
    asked.message._id,
  );
  if (!replied) throw new Error("the seeded conversation was not the bot's to answer");
  return { conversation: replied.conversation, question: asked.message, reply: replied.message, answerId, customerId };
}

/** A conversation the bot handed to a human: status "waiting". */
export async function seedWaitingConversation(ctx: AppContext, text = "I want to talk to a person") {
  const customerId = `cust-${crypto.randomBytes(4).toString("hex")}`;
  const asked = await recordCustomerMessage(ctx, { customerId, clientId: crypto.randomUUID(), text });
  await handOff(ctx, asked.conversation, "low_confidence", asked.message);
  return { conversation: (await Conversation.findById(asked.conversation._id))!, question: asked.message, customerId };
}
