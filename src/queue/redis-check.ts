// Checked once at start, before any queue is used: Redis answers, and it will never evict queue keys.
import { Redis } from "ioredis";
import { RedisEvictionPolicyError, RedisUnreachableError } from "./errors.ts";
import { redactRedisUrl } from "./redis-url.ts";

export interface RedisCheck {
  /** The URL without its password. */
  readonly url: string;
  /** Its maxmemory-policy, or undefined when neither CONFIG nor INFO tells it (then nothing was verified). */
  readonly maxmemoryPolicy: string | undefined;
  /** Where the policy was read. */
  readonly source: "CONFIG" | "INFO" | undefined;
}

/**
 * Connects to Redis and reads its maxmemory-policy (CONFIG GET; INFO memory where CONFIG is disabled, as on
 * many managed services). Throws RedisUnreachableError if Redis cannot be used, and RedisEvictionPolicyError
 * for any policy but noeviction: allkeys-* evicts any key, volatile-* the keys with a TTL, which include
 * BullMQ's job locks, so either loses or duplicates jobs under memory pressure.
 */
export async function checkRedis(url: string, options: { timeoutMs?: number } = {}): Promise<RedisCheck> {
  const shown = redactRedisUrl(url);
  const timeoutMs = options.timeoutMs ?? 5000;
  let lastError: Error | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on("error", (error: Error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    try {
      await Promise.race([client.connect(), timeout]);
    } catch (error) {
      throw new RedisUnreachableError(shown, describe(lastError ?? error), { cause: error });
    }
    const found = await Promise.race([readPolicy(client), timeout]).catch((error: unknown) => {
      throw new RedisUnreachableError(shown, describe(error), { cause: error });
    });
    if (found.policy !== undefined && found.policy !== "noeviction") throw new RedisEvictionPolicyError(shown, found.policy);
    return { url: shown, maxmemoryPolicy: found.policy, source: found.source };
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

async function readPolicy(client: Redis): Promise<{ policy: string | undefined; source: RedisCheck["source"] }> {
  try {
    const reply = (await client.call("CONFIG", "GET", "maxmemory-policy")) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === "string") return { policy: reply[1], source: "CONFIG" };
  } catch (error) {
    // CONFIG renamed or disabled (managed Redis): INFO still tells. Anything else (auth…) is a real problem.
    if (!/unknown command|NOPERM|no permissions/i.test(describe(error))) throw error;
  }
  const info = await client.info("memory");
  const match = /^maxmemory_policy:(\S+)/m.exec(info);
  return match ? { policy: match[1], source: "INFO" } : { policy: undefined, source: undefined };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
