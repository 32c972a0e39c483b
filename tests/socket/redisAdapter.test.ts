import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { startTestRedis, type TestRedis } from "../helpers/redis.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connectCustomer } from "../helpers/socketClient.js";

// One chat server with the Redis adapter attached, in this process. The multi-process behaviour is in
// scaleOut.test.ts; this is what a single process does when Redis goes away under it.
let redis: TestRedis;
let t: TestServer;
const sockets: { close(): void }[] = [];

before(async () => {
  redis = await startTestRedis();
  t = await startTestServer({ REDIS_URL: redis.url });
});
after(async () => {
  sockets.forEach((s) => s.close());
  await t?.stop();
  await redis?.stop();
});

test("with Redis gone, a message still reaches this process's own sockets and the process does not crash", async () => {
  const unhandled: unknown[] = [];
  const record = (err: unknown) => unhandled.push(err);
  process.on("unhandledRejection", record);
  try {
    const customer = await connectCustomer(t.url);
    sockets.push(customer);
    // Closed for good: every publish the adapter makes from now on fails.
    const adapter = t.server.io.of("/customer").adapter as unknown as { pubClient: Redis };
    adapter.pubClient.disconnect();

    // The hand-off notice is broadcast to the conversation's room, through the adapter.
    const notice = customer.next("message:new", (m: any) => m.role === "system");
    const sent = await customer.request("message:send", { clientId: randomUUID(), text: "Is anyone there?" });
    assert.equal((await notice).conversationId, sent.conversation.id);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(unhandled.map(String), [], "a failed publish must not become an unhandled rejection");
  } finally {
    process.off("unhandledRejection", record);
  }
});
