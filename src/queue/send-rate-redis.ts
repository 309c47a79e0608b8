// A channel's send-rate state in Redis, shared by every process that sends for the same bot: the rules
// of src/channel/send-rate.ts (read them there), each decision one Lua script, so two processes asking
// at the same moment can't both take the last slot. Time is Redis' own (TIME), so processes on machines
// whose clocks disagree still count in one timeline; tests may pass a clock instead.
import { Redis, type RedisOptions } from "ioredis";
import { CHAT_BUSY_RETRY_MS, REPLY_MARK_MS, type SendLimits, type SendRateStore, type SlotAnswer, type SlotRelease, type SlotRequest, type RefusedBecause } from "../channel/send-rate.ts";
import { silentLog, type Log } from "../log/log.ts";
import { RedisOutageLog } from "./outage-log.ts";
import { redactRedisUrl } from "./redis-url.ts";

// Shared by the three scripts: the clock (ARGV[1], or Redis' TIME when empty) and exact number formatting
// (tostring keeps 14 digits only: a tenth of a millisecond, in ms since the epoch).
const PRELUDE = `
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function fmt(x) return string.format('%.3f', x) end
local now = clock()
`;

// KEYS: slots (zset id → until), pacing tat, paused-until, replies (zset holder → until), chat (hash tat, busy).
// ARGV: now, perWindow, windowMs, chatBurst, chatIntervalMs, leaseMs, bulk, holder, id, moreReplies, perChat, markMs, busyRetryMs.
const TAKE = `${PRELUDE}
local perWindow, windowMs = tonumber(ARGV[2]), tonumber(ARGV[3])
local chatBurst, chatInterval, leaseMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local bulk, holder, id = ARGV[7] == '1', ARGV[8], ARGV[9]
local moreReplies, perChat = ARGV[10] == '1', ARGV[11] == '1'
local markMs, busyRetry = tonumber(ARGV[12]), tonumber(ARGV[13])

local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {0, 'paused', fmt(paused - now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
if bulk then
  redis.call('ZREM', KEYS[4], holder)
  if redis.call('ZCARD', KEYS[4]) > 0 then return {0, 'replies', fmt(windowMs / perWindow)} end
end
local chatTat = 0
if perChat then
  local c = redis.call('HMGET', KEYS[5], 'tat', 'busy')
  chatTat = tonumber(c[1] or '0')
  local busy = tonumber(c[2] or '0')
  if busy > now then return {0, 'chat', fmt(math.min(busy - now, busyRetry))} end
  local allowedAt = chatTat - (chatBurst - 1) * chatInterval
  if allowedAt > now then return {0, 'chat', fmt(allowedAt - now)} end
end
local spacing = windowMs / perWindow
local tat = tonumber(redis.call('GET', KEYS[2]) or '0')
local wait = tat - spacing - now
if wait <= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= perWindow then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    wait = tonumber(first[2]) - now
  end
end
if wait > 0 then
  if not bulk then
    redis.call('ZADD', KEYS[4], now + wait + markMs, holder)
    redis.call('PEXPIRE', KEYS[4], math.ceil(wait + markMs) + 1)
  end
  return {0, 'rate', fmt(wait)}
end
tat = math.max(tat, now) + spacing
redis.call('SET', KEYS[2], fmt(tat), 'PX', math.ceil(tat - now) + 1)
redis.call('ZADD', KEYS[1], now + leaseMs + windowMs, id)
redis.call('PEXPIRE', KEYS[1], math.ceil(leaseMs + windowMs) + 1)
if perChat then
  redis.call('HSET', KEYS[5], 'tat', fmt(chatTat), 'busy', fmt(now + leaseMs))
  redis.call('PEXPIRE', KEYS[5], math.ceil(math.max(chatTat - now, 0) + leaseMs) + 1)
end
if not bulk then
  if moreReplies then
    redis.call('ZADD', KEYS[4], now + markMs, holder)
    redis.call('PEXPIRE', KEYS[4], math.ceil(markMs) + 1)
  else
    redis.call('ZREM', KEYS[4], holder)
  end
end
return {1, fmt(now)}
`;

// KEYS: slots, chat. ARGV: now, windowMs, chatIntervalMs, id, perChat.
const RELEASE = `${PRELUDE}
local windowMs, chatInterval = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'XX', now + windowMs, ARGV[4])
if ARGV[5] == '1' then
  local tat = math.max(tonumber(redis.call('HGET', KEYS[2], 'tat') or '0'), now) + chatInterval
  redis.call('HSET', KEYS[2], 'tat', fmt(tat), 'busy', '0')
  redis.call('PEXPIRE', KEYS[2], math.ceil(tat - now) + 1)
end
return 1
`;

// KEYS: paused-until. ARGV: now, ms.
const PAUSE = `${PRELUDE}
local ms = tonumber(ARGV[2])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > cur then redis.call('SET', KEYS[1], fmt(now + ms), 'PX', math.ceil(ms) + 1) end
return 1
`;

type Script = (...args: Array<string | number>) => Promise<unknown>;
interface FloodCommands {
  inlocoSendRateTake: Script;
  inlocoSendRateRelease: Script;
  inlocoSendRatePause: Script;
}

export interface RedisSendRateStoreOptions {
  /** Key prefix (the queues' INLOCO_QUEUE_PREFIX): keys are `<prefix>:send-rate:{<scope>}:…`. */
  prefix: string;
  /** A clock instead of Redis' TIME, ms since the epoch (tests; every process sharing the keys must use the same). */
  now?: () => number;
}

/** The send-rate store in Redis, over a connection the caller owns. */
export class RedisSendRateStore implements SendRateStore {
  private readonly commands: FloodCommands;

  constructor(
    redis: Redis,
    private readonly options: RedisSendRateStoreOptions,
  ) {
    // defineCommand sends EVALSHA, and the script itself only when Redis doesn't know it yet.
    redis.defineCommand("inlocoSendRateTake", { numberOfKeys: 5, lua: TAKE });
    redis.defineCommand("inlocoSendRateRelease", { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand("inlocoSendRatePause", { numberOfKeys: 1, lua: PAUSE });
    this.commands = redis as unknown as FloodCommands;
  }

  async take(scope: string, limits: SendLimits, r: SlotRequest): Promise<SlotAnswer> {
    const perChat = r.perChat && r.chat !== undefined;
    const reply = (await this.commands.inlocoSendRateTake(
      this.key(scope, "slots"),
      this.key(scope, "pace"),
      this.key(scope, "paused"),
      this.key(scope, "replies"),
      this.chatKey(scope, perChat ? r.chat : undefined),
      this.clock(),
      limits.perWindow,
      limits.windowMs,
      limits.chatBurst,
      limits.chatIntervalMs,
      limits.leaseMs,
      r.bulk ? "1" : "0",
      r.holder,
      r.id,
      r.moreReplies ? "1" : "0",
      perChat ? "1" : "0",
      REPLY_MARK_MS,
      CHAT_BUSY_RETRY_MS,
    )) as [number, string, string?];
    if (reply[0] === 1) return { granted: true, at: Number(reply[1]) };
    return { granted: false, reason: reply[1] as RefusedBecause, waitMs: Number(reply[2]) };
  }

  async release(scope: string, limits: SendLimits, slot: SlotRelease): Promise<void> {
    const perChat = slot.perChat && slot.chat !== undefined;
    await this.commands.inlocoSendRateRelease(
      this.key(scope, "slots"),
      this.chatKey(scope, perChat ? slot.chat : undefined),
      this.clock(),
      limits.windowMs,
      limits.chatIntervalMs,
      slot.id,
      perChat ? "1" : "0",
    );
  }

  async pause(scope: string, ms: number): Promise<void> {
    await this.commands.inlocoSendRatePause(this.key(scope, "paused"), this.clock(), ms);
  }

  private clock(): string {
    return this.options.now ? String(this.options.now()) : "";
  }

  // One hash tag per scope: every key a script touches is in the same slot, should Redis Cluster ever be used.
  private key(scope: string, what: string): string {
    return `${this.options.prefix}:send-rate:{${scope}}:${what}`;
  }

  /** A chat's key; a script that has no chat is still given a key (never written: Lua needs the argument). */
  private chatKey(scope: string, chat: string | undefined): string {
    return this.key(scope, chat === undefined ? "no-chat" : `chat:${chat}`);
  }
}

/**
 * A store with its own connection to Redis at `url` (a limiter's calls don't queue behind BullMQ's);
 * an outage is logged as the broker's are (one line as it begins, one as it ends). Close it at the end.
 */
export function openRedisSendRates(url: string, prefix: string, log: Log = silentLog): { store: RedisSendRateStore; close(): Promise<void> } {
  const displayUrl = redactRedisUrl(url);
  const outages = new RedisOutageLog({ url: displayUrl, log });
  const redis = new Redis(url, {
    // Reconnect quickly, then every 2 s at most; a call waits through about 3 s of outage, then fails
    // (the message's job is retried later rather than held).
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
    maxRetriesPerRequest: 5,
    enableReadyCheck: true,
  } satisfies RedisOptions);
  redis.on("error", (error: Error) => outages.error(error, `send-rate connection to ${displayUrl}`));
  outages.watch(redis);
  return {
    store: new RedisSendRateStore(redis, { prefix }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
      outages.close();
    },
  };
}
