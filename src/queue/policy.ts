// What both brokers agree on: defaults, what a queue name and a job id may be, and the backoff formula.
import { InvalidJobError } from "./errors.ts";
import type { AddOptions, QueueSettings } from "./types.ts";

export const DEFAULT_SETTINGS = {
  ordered: false,
  attempts: 3,
  backoffMs: 1000,
  keepCompletedMs: 24 * 60 * 60 * 1000,
  keepFailedMs: 7 * 24 * 60 * 60 * 1000,
} as const;

/** BullMQ's largest priority (2^21 - 1). */
export const MAX_PRIORITY = 2 ** 21 - 1;

export interface ResolvedSettings {
  readonly ordered: boolean;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly rateLimit: { max: number; durationMs: number } | undefined;
  readonly keepCompletedMs: number;
  readonly keepCompletedCount: number | undefined;
  readonly keepFailedMs: number;
  readonly keepCompletedData: boolean;
}

/** The job as it will be stored: every option settled. */
export interface ResolvedJob {
  readonly id: string | undefined;
  readonly delayMs: number;
  readonly priority: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly keepFailed: boolean;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkQueueName(queue: string): void {
  if (!QUEUE_NAME.test(queue)) {
    throw new InvalidJobError(queue, "a queue name is 1 to 100 letters, digits, '.', '_' or '-' (e.g. inbound.3, outbound.telegram)");
  }
}

export function resolveSettings(queue: string, s: QueueSettings = {}): ResolvedSettings {
  checkQueueName(queue);
  const resolved: ResolvedSettings = {
    ordered: s.ordered ?? DEFAULT_SETTINGS.ordered,
    attempts: s.attempts ?? DEFAULT_SETTINGS.attempts,
    backoffMs: s.backoffMs ?? DEFAULT_SETTINGS.backoffMs,
    rateLimit: s.rateLimit,
    keepCompletedMs: s.keepCompletedMs ?? DEFAULT_SETTINGS.keepCompletedMs,
    keepCompletedCount: s.keepCompletedCount,
    keepFailedMs: s.keepFailedMs ?? DEFAULT_SETTINGS.keepFailedMs,
    keepCompletedData: s.keepCompletedData ?? true,
  };
  checkAttempts(queue, resolved.attempts, resolved.backoffMs);
  if (resolved.rateLimit) {
    const { max, durationMs } = resolved.rateLimit;
    if (!Number.isInteger(max) || max < 1 || !Number.isInteger(durationMs) || durationMs < 1) {
      throw new InvalidJobError(queue, `rateLimit needs a whole max ≥ 1 and durationMs ≥ 1, not ${JSON.stringify(resolved.rateLimit)}`);
    }
  }
  for (const key of ["keepCompletedMs", "keepFailedMs"] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) throw new InvalidJobError(queue, `${key} must be 0 or more`);
  }
  const count = resolved.keepCompletedCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new InvalidJobError(queue, `keepCompletedCount must be a whole number ≥ 1, not ${count}`);
  return resolved;
}

/** Settles a job's options from the queue's settings, or throws InvalidJobError saying what is wrong. */
export function resolveJob(queue: string, settings: ResolvedSettings, opts: AddOptions = {}): ResolvedJob {
  if (opts.id !== undefined) checkJobId(queue, opts.id);
  const delayMs = opts.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new InvalidJobError(queue, `delayMs must be 0 or more, not ${delayMs}`);
  const priority = opts.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw new InvalidJobError(queue, `priority must be a whole number from 0 to ${MAX_PRIORITY}, not ${priority}`);
  }
  if (priority !== 0 && settings.ordered) {
    throw new InvalidJobError(queue, "an ordered queue runs its jobs in the order they were added: it takes no priority");
  }
  const attempts = opts.attempts ?? settings.attempts;
  const backoffMs = opts.backoffMs ?? settings.backoffMs;
  checkAttempts(queue, attempts, backoffMs);
  return { id: opts.id, delayMs: Math.round(delayMs), priority, attempts, backoffMs, keepFailed: opts.keepFailed ?? true };
}

/**
 * A job id: 1 to 256 characters, no ':' (BullMQ's key separator), not a plain integer (BullMQ's own
 * ids) and not "all" (which `retry` reads as every failed job).
 */
export function checkJobId(queue: string, id: string): void {
  if (typeof id !== "string" || id.length === 0 || id.length > 256) throw new InvalidJobError(queue, "a job id is 1 to 256 characters");
  if (id.includes(":")) throw new InvalidJobError(queue, `job id ${JSON.stringify(id)} contains ':'; use '-' or '_' instead`);
  if (`${Number.parseInt(id, 10)}` === id) {
    throw new InvalidJobError(queue, `job id ${JSON.stringify(id)} is a plain integer, which BullMQ keeps for its own ids; give it a prefix, e.g. tg-${id}`);
  }
  if (id === "all") throw new InvalidJobError(queue, `"all" is not a job id (retry reads it as every failed job)`);
}

function checkAttempts(queue: string, attempts: number, backoffMs: number): void {
  if (!Number.isInteger(attempts) || attempts < 1) throw new InvalidJobError(queue, `attempts must be a whole number ≥ 1, not ${attempts}`);
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new InvalidJobError(queue, `backoffMs must be 0 or more, not ${backoffMs}`);
}

/** Wait before the retry that follows `attemptsMade` failed tries: backoffMs, 2×, 4×… (BullMQ's "exponential"). */
export function backoffDelay(backoffMs: number, attemptsMade: number): number {
  return Math.round(2 ** Math.max(0, attemptsMade - 1) * backoffMs);
}

/** A JSON copy: what a processor gets is what Redis would have stored. */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
