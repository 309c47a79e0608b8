// Redis down means every connection (each queue's, each worker's, the blocking ones) reports every failed
// reconnect and every failed command: thousands of identical lines in seconds. This turns them into a story:
// one line when the outage begins, one now and then while it lasts (with a count), one when it ends.
import type { Log } from "../log/log.ts";

/** The errors that mean "Redis can't be reached", as opposed to something Redis or BullMQ said. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);
const CONNECTION_MESSAGES = /Connection is closed|Stream isn't writeable|max retries per request|connect ETIMEDOUT|Socket closed unexpectedly/i;

export function isConnectionError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && CONNECTION_CODES.has(code)) || error.name === "MaxRetriesPerRequestError" || CONNECTION_MESSAGES.test(error.message);
}

/** A connection whose state tells whether it is back (an ioredis client). */
export interface WatchedConnection {
  readonly status: string;
}

export interface OutageLogOptions {
  /** Redis's URL without its password, for the lines. */
  url: string;
  log: Log;
  /** While an outage lasts, a line this often with the count of errors (default 60 s). */
  reportEveryMs?: number;
  /** How often to look whether every watched connection is ready again; also how long no error may come before the outage counts as over (default 1 s). */
  checkEveryMs?: number;
  now?: () => number;
}

export class RedisOutageLog {
  private readonly connections = new Set<WatchedConnection>();
  private outage: { since: number; errors: number; lastErrorAt: number; report: NodeJS.Timeout; check: NodeJS.Timeout } | undefined;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly o: OutageLogOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A connection whose readiness ends an outage (all of them must be ready). */
  watch(connection: WatchedConnection): void {
    this.connections.add(connection);
  }

  /** An error of a connection, queue or worker: an outage begins or is counted; anything else gets its own line. */
  error(error: Error, where: string): void {
    // Connections dropped while the broker closes are not an outage.
    if (this.closed) return;
    if (!isConnectionError(error)) return this.o.log.error(`queue ${where}: ${error.message}`);
    const now = this.now();
    if (this.outage) {
      this.outage.errors += 1;
      this.outage.lastErrorAt = now;
      return;
    }
    const reportEveryMs = this.o.reportEveryMs ?? 60_000;
    const report = setInterval(() => {
      if (!this.outage) return;
      this.o.log.warn(`queue: Redis at ${this.o.url} still unreachable after ${seconds(this.now() - this.outage.since)} (${this.outage.errors} connection errors so far)`);
    }, reportEveryMs);
    const check = setInterval(() => this.checkBack(), this.o.checkEveryMs ?? 1_000);
    report.unref();
    check.unref();
    this.outage = { since: now, errors: 1, lastErrorAt: now, report, check };
    this.o.log.warn(`queue: Redis at ${this.o.url} unreachable (${reason(error)}); reconnecting, jobs wait (one line per ${seconds(reportEveryMs)} while it lasts)`);
  }

  /** Stop the timers and the lines (the broker closed). */
  close(): void {
    this.closed = true;
    this.end();
  }

  private end(): void {
    if (!this.outage) return;
    clearInterval(this.outage.report);
    clearInterval(this.outage.check);
    this.outage = undefined;
  }

  private checkBack(): void {
    const outage = this.outage;
    if (!outage) return;
    const quietMs = this.o.checkEveryMs ?? 1_000;
    if (this.now() - outage.lastErrorAt < quietMs) return;
    if (![...this.connections].every((c) => c.status === "ready")) return;
    this.end();
    this.o.log.info(`queue: Redis at ${this.o.url} reachable again after ${seconds(this.now() - outage.since)} (${outage.errors} connection errors)`);
  }
}

function reason(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error.message;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
