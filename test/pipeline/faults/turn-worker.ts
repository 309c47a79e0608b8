// An inbound (turn-processing) worker in its own process, for the crash test in ../faults.test.ts: the
// inbound role of a real Pipeline (BullMQ on the given Redis and prefix, the database opened as the app
// opens it, the identity keys the test shares with it). It says `{ ready: true }` once its workers take
// jobs.
//
// EXIT_BEFORE_OUTBOX_OF=n (read here only, set by the test): the process kills itself (SIGKILL) when the
// n-th turn it handled is committed and its outbox is about to be queued — after the commit, before
// the first of that turn's outbox items reaches the queue (README, "Life of a message", step 7). The
// test's broker wrapper below sees that moment: outbox items are the only jobs the inbound worker puts
// with ids `<turn>/<item>`, all of a turn's items sharing the `<turn>` part.
import { randomUUID } from "node:crypto";
import { Conversations } from "../../../src/conversation/conversations.ts";
import { openDatabase } from "../../../src/db/database.ts";
import { IdentityVault } from "../../../src/db/index.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { outboxPlanner } from "../../../src/effects/registry.ts";
import { BullmqBroker } from "../../../src/queue/bullmq-broker.ts";
import type { AddOptions, Broker } from "../../../src/queue/types.ts";
import { eventsForStart } from "../../../src/repos/events-for-start.ts";
import { DatabaseConversationStore } from "../../../src/repos/conversations.ts";
import { testContext } from "../../support/engine.ts";
import { logTo } from "../../support/log.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`turn-worker: ${name} is not set`);
  return value;
};
const exitAt = Number(process.env.EXIT_BEFORE_OUTBOX_OF ?? "0");

const database = await openDatabase({ url: env("DATABASE_URL"), migrate: false });
const { sql, prisma } = database;
const inner = new BullmqBroker({
  url: env("REDIS_URL"),
  prefix: env("PREFIX"),
  lockDurationMs: Number(env("LOCK_MS")),
  stalledIntervalMs: Number(env("STALLED_MS")),
  onError: (e, where) => console.error(`turn-worker ${process.pid}: ${where}: ${e.message}`),
});

/** The broker, except that it kills this process at the chosen turn's first outbox item. */
function crashingBroker(broker: BullmqBroker, n: number): Broker {
  const turns = new Set<string>();
  const before = (opts: AddOptions | undefined) => {
    const id = opts?.id;
    const slash = id?.lastIndexOf("/") ?? -1;
    if (id === undefined || slash < 0) return;
    turns.add(id.slice(0, slash));
    if (turns.size === n) {
      process.send?.({ exiting: id.slice(0, slash) });
      process.kill(process.pid, "SIGKILL");
    }
  };
  return {
    kind: broker.kind,
    declare: (q, s) => broker.declare(q, s),
    put: async (q, name, data, opts) => {
      before(opts);
      return broker.put(q, name, data, opts);
    },
    work: (q, processor, opts) => broker.work(q, processor, opts),
    queues: () => broker.queues(),
    counts: (q) => broker.counts(q),
    failed: (q, opts) => broker.failed(q, opts),
    retry: (q, which) => broker.retry(q, which),
    purge: (queues, match) => broker.purge(queues, match),
    close: () => broker.close(),
  };
}
const broker = exitAt > 0 ? crashingBroker(inner, exitAt) : inner;

// As ./support.ts builds the test's own pipeline, with the keys the test shares with this process.
const vault = new IdentityVault({ hashKey: Buffer.from(env("HASH_KEY"), "base64"), encryptionKey: Buffer.from(env("ENCRYPTION_KEY"), "base64") });
const ctx = testContext({ languages: ["en", "it", "ar"], newId: randomUUID });
const reminders = { reminderAfterSeconds: 3600, entryFlow: "main", now: () => new Date(), flows: ctx.flows };
const pipeline = new Pipeline({
  broker,
  sql,
  vault,
  conversations: new Conversations(ctx, new DatabaseConversationStore(sql, vault), outboxPlanner(reminders), eventsForStart(prisma)),
  rules: ctx.texts,
  channels: ["telegram"],
  shards: Number(env("SHARDS")),
  reminders,
  log: logTo((line) => console.error(`turn-worker ${process.pid}: ${line}`)),
});

// Left alone by a test that died: go when the parent goes.
process.on("disconnect", () => process.exit(1));
process.once("SIGTERM", () => {
  void (async () => {
    await pipeline.close();
    await inner.close();
    await database.close();
    process.exit(0);
  })();
});

await pipeline.declare();
await pipeline.work({ inbound: true });
process.send?.({ ready: true });
