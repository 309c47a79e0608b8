// checkRedis refuses a Redis that may evict queue keys, and says clearly when Redis is out of reach.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRedis } from "../../src/queue/redis-check.ts";
import { RedisEvictionPolicyError, RedisUnreachableError } from "../../src/queue/errors.ts";
import { freePort } from "../support/free-port.ts";
import { testRedisUrl } from "../support/db.ts";
import { startDedicatedRedis, type DedicatedRedis } from "./redis-server.ts";

describe("checkRedis", () => {
  let lru: DedicatedRedis;
  let noConfig: DedicatedRedis;
  beforeAll(async () => {
    [lru, noConfig] = await Promise.all([
      startDedicatedRedis(["--maxmemory-policy", "allkeys-lru", "--appendonly", "no", "--requirepass", "right-secret"]),
      // As on managed services: CONFIG is disabled, INFO still tells the policy.
      startDedicatedRedis(["--maxmemory-policy", "volatile-ttl", "--appendonly", "no", "--rename-command", "CONFIG", ""]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([lru?.stop(), noConfig?.stop()]);
  });

  it("accepts noeviction", async () => {
    expect(await checkRedis(testRedisUrl())).toMatchObject({ maxmemoryPolicy: "noeviction", source: "CONFIG" });
  });

  const withPassword = (url: string, password: string) => {
    const u = new URL(url);
    u.password = password;
    return u.toString();
  };

  it("refuses allkeys-lru, saying BullMQ needs noeviction and how to set it", async () => {
    const error = await checkRedis(withPassword(lru.url, "right-secret")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisEvictionPolicyError);
    expect(error).toMatchObject({ code: "REDIS_EVICTION_POLICY", policy: "allkeys-lru", url: withPassword(lru.url, "***") });
    expect((error as Error).message).not.toContain("right-secret");
    expect((error as Error).message).toMatch(/BullMQ needs noeviction/);
    expect((error as Error).message).toMatch(/CONFIG SET maxmemory-policy noeviction/);
  });

  it("refuses volatile-* policies too, read from INFO where CONFIG is disabled", async () => {
    await expect(checkRedis(noConfig.url)).rejects.toMatchObject({ code: "REDIS_EVICTION_POLICY", policy: "volatile-ttl" });
  });

  it("says Redis is unreachable, showing the URL without its password", async () => {
    const port = await freePort();
    const error = await checkRedis(`redis://:s3cret-pass@127.0.0.1:${port}/0`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    const message = (error as Error).message;
    expect(message).toContain(`redis://:***@127.0.0.1:${port}/0`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain("s3cret");
  });

  it("says so when the password is wrong, without showing it", async () => {
    const error = await checkRedis(withPassword(lru.url, "wrong-secret")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as Error).message).toMatch(/WRONGPASS/);
    expect((error as Error).message).not.toContain("wrong-secret");
  });
});
