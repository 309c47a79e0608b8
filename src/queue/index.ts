// The queue layer's public surface. Import from here, not from the files behind it, except:
// - the dashboard (./dashboard.ts), which loads express and bull-board: import it only where it is enabled;
// - code that must not load BullMQ (about a quarter of a second) when REDIS_URL is unset: openBroker in
//   src/config/queue.ts loads it only when needed, and types.ts, errors.ts, validate.ts load nothing.
export type {
  AddOptions,
  Broker,
  FailedJob,
  Job,
  JobCounts,
  JobState,
  Processor,
  Producer,
  QueueAdmin,
  QueueSettings,
  StoredJob,
  WorkerHandle,
  Workers,
  WorkOptions,
} from "./types.ts";
export { JOB_STATES } from "./types.ts";
export {
  BrokerClosedError,
  DashboardConfigError,
  InvalidJobError,
  PermanentJobError,
  QueueLayerError,
  RedisEvictionPolicyError,
  RedisUnreachableError,
  RetryLaterError,
  UndeclaredQueueError,
} from "./errors.ts";
export { validated } from "./validate.ts";
export { DEFAULT_SETTINGS } from "./policy.ts";
export { MemoryBroker } from "./memory-broker.ts";
export { BullmqBroker, type BullmqBrokerOptions } from "./bullmq-broker.ts";
export { checkRedis, type RedisCheck } from "./redis-check.ts";
export { openRedisSendRates, RedisSendRateStore, type RedisSendRateStoreOptions } from "./send-rate-redis.ts";
export { redactRedisUrl } from "./redis-url.ts";
