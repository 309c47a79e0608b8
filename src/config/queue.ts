// Settings of the queues, from the environment, and the broker they choose: BullMQ on Redis when
// REDIS_URL is set, otherwise the in-memory broker of the zero-setup demo.
import { z } from "zod";
import { MemorySendRateStore, type SendRateStore } from "../channel/send-rate.ts";
import type { Log } from "../log/log.ts";
import type { BullmqBrokerOptions } from "../queue/bullmq-broker.ts";
import { MemoryBroker } from "../queue/memory-broker.ts";
import type { Broker } from "../queue/types.ts";
import { readSettings } from "./env.ts";

const port = z.coerce
  .number({ error: "a port number, e.g. 3100" })
  .int("a port number, e.g. 3100")
  .min(1, "a port number from 1 to 65535")
  .max(65535, "a port number from 1 to 65535");

export const QueueSettings = z
  .object({
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: "a redis:// or rediss:// URL, e.g. redis://:password@localhost:6379/0" })
      .optional()
      .describe("Redis for the queues (BullMQ), shared by every process; unset: in-memory queues inside this one process (demo)"),
    INLOCO_QUEUE_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/, "1 to 50 letters, digits, '_', '.' or '-', e.g. inloco or inloco-staging")
      .default("inloco")
      .describe("prefix of every queue key in Redis: two installations may share one Redis with different prefixes"),
    INLOCO_DASHBOARD_PORT: port.optional().describe("port of the operators' queue dashboard (bull-board); unset: no dashboard"),
    INLOCO_DASHBOARD_HOST: z
      .string()
      .trim()
      .min(1)
      .default("127.0.0.1")
      .describe("interface the dashboard listens on (default 127.0.0.1; put a TLS proxy in front to reach it from elsewhere)"),
    INLOCO_DASHBOARD_USER: z.string().trim().min(1).optional().describe("user name of the dashboard's HTTP basic auth; required with the dashboard"),
    INLOCO_DASHBOARD_PASSWORD: z
      .string()
      .min(12, "at least 12 characters (e.g. from `openssl rand -base64 18`)")
      .optional()
      .describe("password of the dashboard's HTTP basic auth; required with the dashboard"),
  })
  .superRefine((s, ctx) => {
    if (s.INLOCO_DASHBOARD_PORT === undefined) return;
    if (!s.REDIS_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["INLOCO_DASHBOARD_PORT"],
        message: "the dashboard shows queues in Redis: set REDIS_URL too, or unset INLOCO_DASHBOARD_PORT (in-memory queues have no dashboard)",
      });
    }
    for (const variable of ["INLOCO_DASHBOARD_USER", "INLOCO_DASHBOARD_PASSWORD"] as const) {
      if (!s[variable]) {
        ctx.addIssue({
          code: "custom",
          path: [variable],
          message: `required with INLOCO_DASHBOARD_PORT: the dashboard shows people's messages and can retry or delete jobs`,
        });
      }
    }
  });
export type QueueSettings = z.infer<typeof QueueSettings>;

/** Read the queue settings from the environment, or throw a ConfigError naming each bad variable. */
export function readQueueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  return readSettings(QueueSettings, env);
}

/**
 * The broker these settings ask for: BullMQ after checkRedis (reachable, maxmemory-policy noeviction),
 * or the in-memory broker when REDIS_URL is unset.
 */
export async function openBroker(settings: QueueSettings, options: Omit<BullmqBrokerOptions, "url" | "prefix"> = {}): Promise<Broker> {
  if (!settings.REDIS_URL) return new MemoryBroker();
  // Loaded only here: the demo without Redis never pays for BullMQ.
  const [{ checkRedis }, { BullmqBroker }] = await Promise.all([import("../queue/redis-check.ts"), import("../queue/bullmq-broker.ts")]);
  const redis = await checkRedis(settings.REDIS_URL);
  if (redis.maxmemoryPolicy === undefined) {
    options.log?.warn(`Could not read the maxmemory-policy of Redis at ${redis.url}: make sure it is noeviction, or jobs can be lost.`);
  }
  return new BullmqBroker({ ...options, url: settings.REDIS_URL, prefix: settings.INLOCO_QUEUE_PREFIX });
}

/**
 * Where channels count what they send (flood control): in Redis when REDIS_URL is set, shared by every
 * process of the installation (under INLOCO_QUEUE_PREFIX), otherwise in this process.
 */
export async function openSendRates(settings: QueueSettings, log?: Log): Promise<{ store: SendRateStore; close(): Promise<void> }> {
  if (!settings.REDIS_URL) return { store: new MemorySendRateStore(), close: async () => undefined };
  const { openRedisSendRates } = await import("../queue/send-rate-redis.ts");
  return openRedisSendRates(settings.REDIS_URL, settings.INLOCO_QUEUE_PREFIX, log);
}
