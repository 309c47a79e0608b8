// Tools of the pipeline fault tests (../faults.test.ts): waiting through outages, worker processes,
// a TCP proxy that can cut the database off, and people who talk to a pipeline the way a channel
// adapter hands their messages in.
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { Inbound } from "../../../src/channel/contract.ts";
import { Conversations } from "../../../src/conversation/conversations.ts";
import { generateKey, IdentityVault } from "../../../src/db/index.ts";
import type { Input, Message } from "../../../src/engine/index.ts";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { plainText } from "../../../src/messages/plain-text.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { outboxPlanner } from "../../../src/effects/registry.ts";
import type { Broker, JobCounts } from "../../../src/queue/index.ts";
import { DatabaseConversationStore } from "../../../src/repos/conversations.ts";
import type { Sql } from "../../../src/db/sql.ts";
import { eventsForStart } from "../../../src/repos/events-for-start.ts";
import { testContext } from "../../support/engine.ts";
import { RecordingChannel } from "../harness.ts";
import { logInto } from "../../support/log.ts";

/**
 * Polls until `check` holds, for up to `timeoutMs`. A check that throws (Redis or the database away)
 * counts as "not yet"; the last error is in the timeout's message.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 25, signal }: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (signal?.aborted) throw new Error(`stopped waiting for ${what}`);
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Counts of every queue of a broker by name. */
export async function allCounts(broker: Broker): Promise<Record<string, JobCounts>> {
  const names = await broker.queues();
  const counts = await Promise.all(names.map((q) => broker.counts(q)));
  return Object.fromEntries(names.map((q, i) => [q, counts[i]!]));
}

/** No job waits, runs or is delayed (timers may be delayed: they are set an hour ahead). */
export function quiet(counts: Record<string, JobCounts>): boolean {
  return Object.entries(counts).every(([q, c]) => c.waiting + c.active + (q === "timers" ? 0 : c.delayed) === 0);
}

/** A worker process running `script` (a tsx file in this folder), ready once it says so. */
export async function startWorkerProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(join(import.meta.dirname, script), {
    env: { ...process.env, ...env },
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} not ready after 30 s`)), 30_000);
      child.on("message", (m: { ready?: boolean }) => {
        if (m.ready) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited before it was ready (${signal ?? code})`));
      });
    });
  } catch (e) {
    await killProcess(child);
    throw e;
  }
  return child;
}

/** SIGKILL, and wait until it is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** A TCP proxy to `target` on a free loopback port that can cut every connection and refuse new ones. */
export interface CuttableProxy {
  readonly port: number;
  /** Connections refused while cut. */
  readonly refused: number;
  /** Destroy every open connection, and refuse (accept, then reset) new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function cuttableProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let refused = 0;
  const server: Server = createServer((client) => {
    if (isCut) {
      refused++;
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    get refused() {
      return refused;
    },
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      isCut = false;
    },
    async close() {
      isCut = true;
      for (const socket of open) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One step of a conversation: what the person says, and how many messages they have had once answered. */
export interface Step {
  input: string | Input;
  /** Messages received in all once this step is answered (from a reference run). */
  expectReceived: number;
}

const toInput = (text: string | Input): Input =>
  typeof text !== "string" ? text : text === "/start" ? { type: "start", params: {} } : { type: "text", text };

/**
 * Hand one message in as a channel adapter does: `accept` may throw while the queue is away, and the
 * platform then delivers the same update (same id) again, until it is accepted.
 */
export async function acceptWithRetries(
  pipeline: Pipeline,
  address: string,
  input: string | Input,
  messageId: string,
  onRefused: (e: unknown) => void,
  { deadlineMs = 60_000, retryMs = 250, signal }: { deadlineMs?: number; retryMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const inbound: Inbound = { channel: "telegram", address, messageId, input: toInput(input), at: new Date().toISOString() };
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await pipeline.accept(inbound);
      return;
    } catch (e) {
      onRefused(e);
      if (Date.now() > deadline || signal?.aborted) throw e;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

/**
 * A person talking: says each step's input, then waits for the whole answer (as counted in the
 * reference run) before saying the next, as people in a chat do.
 */
export async function talk(
  pipeline: Pipeline,
  received: () => readonly Message[],
  address: string,
  steps: readonly Step[],
  onRefused: (e: unknown) => void,
  { replyTimeoutMs = 60_000, signal }: { replyTimeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  for (const [n, step] of steps.entries()) {
    // The provider's message id: a retried delivery of the same message carries the same one.
    await acceptWithRetries(pipeline, address, step.input, `${address}-${n}`, onRefused, { ...(signal ? { signal } : {}) });
    await waitUntil(() => received().length >= step.expectReceived, `${address} to get the answer to step ${n}`, { timeoutMs: replyTimeoutMs, intervalMs: 20, ...(signal ? { signal } : {}) });
  }
}

export interface FaultPipeline {
  pipeline: Pipeline;
  channel: RecordingChannel;
  vault: IdentityVault;
  broker: Broker;
  /** What the pipeline logged (failed tries…). */
  log: string[];
  /** The contact of a Telegram chat id. */
  contactIdOf(address: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A pipeline with every worker role, like ../harness.ts, on a given database (the tests put a
 * proxy in front of the database) and broker, keeping its log.
 */
export async function faultPipeline(
  { prisma, sql }: { prisma: PrismaClient; sql: Sql },
  broker: Broker,
  {
    shards = 4,
    concurrency = 4,
    keys = { hashKey: generateKey(), encryptionKey: generateKey() },
    inbound = true,
  }: {
    shards?: number;
    concurrency?: number;
    /** Identity keys (base64), to share with worker processes (./turn-worker.ts). */
    keys?: { hashKey: string; encryptionKey: string };
    /** Work the inbound shards here (false: worker processes do). */
    inbound?: boolean;
  } = {},
): Promise<FaultPipeline> {
  const vault = new IdentityVault({ hashKey: Buffer.from(keys.hashKey, "base64"), encryptionKey: Buffer.from(keys.encryptionKey, "base64") });
  const ctx = testContext({ languages: ["en", "it", "ar"], newId: randomUUID });
  const reminders = { reminderAfterSeconds: 3600, entryFlow: "main", now: () => new Date(), flows: ctx.flows };
  const conversations = new Conversations(ctx, new DatabaseConversationStore(sql, vault), outboxPlanner(reminders), eventsForStart(prisma));
  const channel = new RecordingChannel("telegram", (m) => plainText(m, ctx.texts));
  const log: string[] = [];
  const pipeline = new Pipeline({ broker, sql, vault, conversations, rules: ctx.texts, channels: ["telegram"], shards, reminders, log: logInto(log) });
  await pipeline.declare();
  await pipeline.work({ inbound, ingest: true, timers: true, outbound: new Map([["telegram", channel]]), concurrency });
  return {
    pipeline,
    channel,
    vault,
    broker,
    log,
    async contactIdOf(address) {
      const where = { channel_addressHash: { channel: "telegram" as const, addressHash: vault.hashAddress("telegram", address) } };
      return (await prisma.channelIdentity.findUniqueOrThrow({ where, select: { contactId: true } })).contactId;
    },
    async close() {
      await pipeline.close();
      await broker.close();
    },
  };
}
