// Typed errors of the queue layer. Each has a stable `code` and the context needed to act on it.

/** Base class of every error thrown by src/queue. */
export abstract class QueueLayerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Thrown by a processor for input that can never succeed: the job fails at once, with no retries,
 * and stays visible in the failed list (BullMQ: an UnrecoverableError).
 */
export class PermanentJobError extends QueueLayerError {
  readonly code = "PERMANENT_JOB_ERROR";
}

/**
 * Thrown by a processor when the other side asks to wait (a 429 with `retry_after`): the job waits
 * `delayMs` and runs again, and this try does not count against its attempts.
 */
export class RetryLaterError extends QueueLayerError {
  readonly code = "RETRY_LATER";

  constructor(
    readonly delayMs: number,
    message = `retry in ${delayMs} ms`,
  ) {
    super(message);
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`RetryLaterError needs a delay of 0 ms or more, not ${delayMs}`);
  }
}

/** `add` or `work` on a queue this process has not declared. */
export class UndeclaredQueueError extends QueueLayerError {
  readonly code = "UNDECLARED_QUEUE";

  constructor(readonly queue: string) {
    super(`Queue ${queue} is not declared: call broker.declare("${queue}", settings) first (in every process that adds to it or works on it).`);
  }
}

/** A queue name, job id or option the queues cannot take. */
export class InvalidJobError extends QueueLayerError {
  readonly code = "INVALID_JOB";

  constructor(
    readonly queue: string,
    readonly reason: string,
  ) {
    super(`${queue}: ${reason}`);
  }
}

/** The broker was closed; nothing can be added or started any more. */
export class BrokerClosedError extends QueueLayerError {
  readonly code = "BROKER_CLOSED";

  constructor() {
    super("The queue broker is closed.");
  }
}

/** Redis could not be reached (or refused us); the URL is shown without its password. */
export class RedisUnreachableError extends QueueLayerError {
  readonly code = "REDIS_UNREACHABLE";

  constructor(
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot use Redis at ${url}: ${reason}. Check REDIS_URL, that Redis is running and that this machine may reach it.`, options);
  }
}

/** Redis may evict keys under memory pressure, which silently loses BullMQ jobs. */
export class RedisEvictionPolicyError extends QueueLayerError {
  readonly code = "REDIS_EVICTION_POLICY";

  constructor(
    readonly url: string,
    readonly policy: string,
  ) {
    super(
      `Redis at ${url} has maxmemory-policy ${policy}: under memory pressure it would delete queue keys and lose jobs. ` +
        `BullMQ needs noeviction. Set \`maxmemory-policy noeviction\` in redis.conf (or run \`redis-cli CONFIG SET maxmemory-policy noeviction\` ` +
        `and \`CONFIG REWRITE\`; on a managed Redis, choose noeviction in its settings), then start again.`,
    );
  }
}

/** The dashboard was asked for without what it needs to run safely. */
export class DashboardConfigError extends QueueLayerError {
  readonly code = "DASHBOARD_CONFIG";
}

/** True for a PermanentJobError, also one from another copy of this module. */
export function isPermanent(error: unknown): error is Error {
  return error instanceof PermanentJobError || (error instanceof Error && (error as { code?: unknown }).code === "PERMANENT_JOB_ERROR");
}

/** The wait a RetryLaterError asks for, or undefined for any other error. */
export function retryLaterDelay(error: unknown): number | undefined {
  if (error instanceof RetryLaterError) return error.delayMs;
  if (error instanceof Error && (error as { code?: unknown }).code === "RETRY_LATER") {
    const delay = (error as { delayMs?: unknown }).delayMs;
    if (typeof delay === "number" && delay >= 0) return delay;
  }
  return undefined;
}

/** A one-line reason for the failed list. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
