// The queue settings from the environment, and the broker they open.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/env.ts";
import { openBroker, QueueSettings, readQueueSettings } from "../../src/config/queue.ts";
import { RedisEvictionPolicyError } from "../../src/queue/errors.ts";
import { testRedisUrl } from "../support/db.ts";
import { testPrefix } from "./helpers.ts";
import { startDedicatedRedis } from "./redis-server.ts";

const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    readQueueSettings(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => p.variable);
  }
};

describe("queue settings", () => {
  it("needs nothing: no REDIS_URL means in-memory queues, prefix inloco, no dashboard", () => {
    expect(readQueueSettings({})).toEqual({ INLOCO_QUEUE_PREFIX: "inloco", INLOCO_DASHBOARD_HOST: "127.0.0.1" });
    expect(readQueueSettings({ REDIS_URL: "" }).REDIS_URL).toBeUndefined();
  });

  it("takes redis:// and rediss:// URLs only", () => {
    expect(readQueueSettings({ REDIS_URL: "rediss://:pw@redis.example.org:6380/1" }).REDIS_URL).toBe("rediss://:pw@redis.example.org:6380/1");
    expect(problemsOf({ REDIS_URL: "http://localhost:6379" })).toEqual(["REDIS_URL"]);
    expect(problemsOf({ REDIS_URL: "localhost:6379" })).toEqual(["REDIS_URL"]);
    expect(problemsOf({ INLOCO_QUEUE_PREFIX: "in loco:1" })).toEqual(["INLOCO_QUEUE_PREFIX"]);
  });

  it("enables the dashboard with a port, and then requires Redis, a user and a password", () => {
    expect(problemsOf({ INLOCO_DASHBOARD_PORT: "3100" }).sort()).toEqual(["INLOCO_DASHBOARD_PASSWORD", "INLOCO_DASHBOARD_PORT", "INLOCO_DASHBOARD_USER"]);
    expect(problemsOf({ REDIS_URL: "redis://localhost", INLOCO_DASHBOARD_PORT: "3100", INLOCO_DASHBOARD_USER: "ops", INLOCO_DASHBOARD_PASSWORD: "short" })).toEqual([
      "INLOCO_DASHBOARD_PASSWORD",
    ]);
    expect(
      readQueueSettings({ REDIS_URL: "redis://localhost", INLOCO_DASHBOARD_PORT: "3100", INLOCO_DASHBOARD_USER: "ops", INLOCO_DASHBOARD_PASSWORD: "long-enough-secret" }),
    ).toMatchObject({ INLOCO_DASHBOARD_PORT: 3100, INLOCO_DASHBOARD_USER: "ops" });
    expect(problemsOf({ INLOCO_DASHBOARD_PORT: "http" })).toContain("INLOCO_DASHBOARD_PORT");
  });

  it("describes every variable", () => {
    const undescribed = Object.entries(QueueSettings.shape).filter(([, schema]) => !schema.description);
    expect(undescribed.map(([name]) => name)).toEqual([]);
  });
});

describe("openBroker", () => {
  it("opens the in-memory broker without REDIS_URL, BullMQ after checking Redis with it", async () => {
    const memory = await openBroker(readQueueSettings({}));
    expect(memory.kind).toBe("memory");
    await memory.close();
    const bullmq = await openBroker(readQueueSettings({ REDIS_URL: testRedisUrl(), INLOCO_QUEUE_PREFIX: testPrefix() }));
    expect(bullmq.kind).toBe("bullmq");
    await bullmq.close();
  });

  it("refuses a Redis that may evict keys", async () => {
    const server = await startDedicatedRedis(["--maxmemory-policy", "allkeys-lfu"]);
    try {
      await expect(openBroker(readQueueSettings({ REDIS_URL: server.url }))).rejects.toBeInstanceOf(RedisEvictionPolicyError);
    } finally {
      await server.stop();
    }
  });
});
