import type { RequestListener } from "node:http";
import type { ChannelHealth } from "../channel/contract.ts";

/** What /healthz reports. */
export interface Health {
  ok: boolean;
  database: "ok" | "down";
  queue: "ok" | "down" | "in-process";
  channels: ChannelHealth[];
}

export interface HealthChecks {
  database(): Promise<boolean>;
  queue(): Promise<boolean | "in-process">;
  channels(): ChannelHealth[];
}

/**
 * Check everything once. A channel still starting (Telegram not reached yet, WhatsApp not linked) or failed
 * is not ready; one that is reconnecting still counts as up (it says so).
 */
export async function checkHealth(checks: HealthChecks): Promise<Health> {
  const [database, queue] = await Promise.all([checks.database().catch(() => false), checks.queue().catch(() => false)]);
  const channels = checks.channels();
  const ok = database && queue !== false && channels.every((c) => c.state !== "failed" && c.state !== "starting");
  return { ok, database: database ? "ok" : "down", queue: queue === "in-process" ? "in-process" : queue ? "ok" : "down", channels };
}

/** What a health route reports: whether all is well (200, else 503) and the JSON body. */
export interface HealthReport {
  ok: boolean;
  body: unknown;
}

/** GET /healthz: the report as JSON, 200 when all is well and 503 when not; other methods get 405. */
export function healthRoute(report: () => Promise<HealthReport>): RequestListener {
  return (req, res) => {
    if (req.method !== "GET") {
      req.resume();
      return void res.writeHead(405, { allow: "GET" }).end();
    }
    void report().then((r) => res.writeHead(r.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(r.body)));
  };
}

/** The app's health route: database, queue and every channel (see checkHealth). */
export function appHealthRoute(checks: HealthChecks): RequestListener {
  return healthRoute(async () => {
    const health = await checkHealth(checks);
    return { ok: health.ok, body: health };
  });
}
