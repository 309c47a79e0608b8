// An ingest worker in its own process, for the crash test in ../faults.test.ts: the ingest role of a
// real Pipeline (BullMQ on the given Redis and prefix, the database opened as the app opens it),
// killed with SIGKILL by the test. It says `{ ready: true }` once its worker takes jobs.
import { randomUUID } from "node:crypto";
import { Conversations } from "../../../src/conversation/conversations.ts";
import { openDatabase } from "../../../src/db/database.ts";
import { generateKey, IdentityVault } from "../../../src/db/index.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { BullmqBroker } from "../../../src/queue/bullmq-broker.ts";
import { DatabaseConversationStore } from "../../../src/repos/conversations.ts";
import { testContext } from "../../support/engine.ts";
import { logTo } from "../../support/log.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`ingest-worker: ${name} is not set`);
  return value;
};
const concurrency = Number(process.env.CONCURRENCY ?? "16");

// As the app opens it (already migrated: the test made it).
const database = await openDatabase({ url: env("DATABASE_URL"), migrate: false, maxConnections: concurrency });
const { sql } = database;
const broker = new BullmqBroker({
  url: env("REDIS_URL"),
  prefix: env("PREFIX"),
  lockDurationMs: Number(env("LOCK_MS")),
  stalledIntervalMs: Number(env("STALLED_MS")),
  onError: (e, where) => console.error(`ingest-worker ${process.pid}: ${where}: ${e.message}`),
});
const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
const ctx = testContext({ languages: ["en", "it", "ar"], newId: randomUUID });
const pipeline = new Pipeline({
  broker,
  sql,
  vault,
  conversations: new Conversations(ctx, new DatabaseConversationStore(sql, vault)),
  rules: ctx.texts,
  channels: [],
  shards: 1,
  log: logTo((line) => console.error(`ingest-worker ${process.pid}: ${line}`)),
});

// Left alone by a test that died: go when the parent goes.
process.on("disconnect", () => process.exit(1));
process.once("SIGTERM", () => {
  void (async () => {
    await pipeline.close();
    await broker.close();
    await database.close();
    process.exit(0);
  })();
});

await pipeline.declare();
await pipeline.work({ ingest: true, concurrency });
process.send?.({ ready: true });
