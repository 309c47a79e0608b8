// A whole worker process for the multi-process broadcast tests (test/broadcasts/processes.test.ts):
// every role of a real Pipeline and the broadcaster, on BullMQ (the given Redis and prefix), sending
// on Telegram through the fake Bot API at API_ROOT, with the identity keys the test seeded people
// under. Killed with SIGKILL or stopped with SIGTERM by the test; says `{ ready: true }` once working.
import { randomUUID } from "node:crypto";
import { telegramSender } from "../../../bots/telegram/index.ts";
import { Conversations } from "../../../src/conversation/conversations.ts";
import { openDatabase } from "../../../src/db/database.ts";
import { IdentityVault } from "../../../src/db/index.ts";
import { outboxPlanner } from "../../../src/effects/registry.ts";
import { Broadcaster } from "../../../src/pipeline/broadcaster.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { BullmqBroker } from "../../../src/queue/bullmq-broker.ts";
import { DatabaseConversationStore } from "../../../src/repos/conversations.ts";
import { eventsForStart } from "../../../src/repos/events-for-start.ts";
import { testContext } from "../../support/engine.ts";
import { createLog } from "../../../src/log/log.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`broadcast-worker: ${name} is not set`);
  return value;
};

const database = await openDatabase({ url: env("DATABASE_URL"), migrate: false, maxConnections: 12 });
const { sql } = database;
// Warnings and errors only: the test reads the database, not the log.
const log = createLog({ level: "warn", destination: { write: (line: string) => console.error(`broadcast-worker ${process.pid}: ${String((JSON.parse(line) as { msg?: unknown }).msg ?? "")}`) } });
const broker = new BullmqBroker({
  url: env("REDIS_URL"),
  prefix: env("PREFIX"),
  lockDurationMs: Number(env("LOCK_MS")),
  stalledIntervalMs: Number(env("STALLED_MS")),
  onError: (e, where) => console.error(`broadcast-worker ${process.pid}: ${where}: ${e.message}`),
});
const vault = new IdentityVault({ hashKey: Buffer.from(env("HASH_KEY"), "base64"), encryptionKey: Buffer.from(env("ENCRYPTION_KEY"), "base64") });
const ctx = { ...testContext(), newId: randomUUID, now: () => new Date() };
const reminders = { reminderAfterSeconds: 3600, entryFlow: ctx.entryFlow, now: () => new Date(), flows: ctx.flows };
const conversations = new Conversations(ctx, new DatabaseConversationStore(sql, vault), outboxPlanner(reminders), eventsForStart(database.prisma, undefined, ctx.languages));
const shards = 2;
const pipeline = new Pipeline({ broker, sql, vault, conversations, rules: ctx.texts, channels: ["telegram"], shards, reminders, log });
const sender = telegramSender({ token: env("BOT_TOKEN"), apiRoot: env("API_ROOT"), texts: ctx.texts });
const broadcaster = new Broadcaster({
  sql,
  broker,
  channels: ["telegram"],
  shards,
  quiet: null,
  defaultZone: "Europe/Rome",
  queuesLostAtStart: false,
  log,
  busyMs: 50,
  idleMs: 100,
  sweepEveryMs: 200,
  ...(process.env.REQUEUE_MS ? { requeueAfterMs: Number(process.env.REQUEUE_MS) } : {}),
  ...(process.env.IN_FLIGHT ? { pace: { telegram: { inFlight: Number(process.env.IN_FLIGHT) } } } : {}),
});

process.on("disconnect", () => process.exit(1));
process.once("SIGTERM", () => {
  void (async () => {
    await broadcaster.stop();
    await pipeline.close();
    await broker.close();
    await database.close();
    process.exit(0);
  })();
});

await pipeline.declare();
await pipeline.work({ inbound: true, ingest: true, outbound: new Map([["telegram", sender]]), concurrency: Number(process.env.CONCURRENCY ?? "8") });
broadcaster.start();
process.send?.({ ready: true });
