import { createServer, type RequestListener, type Server } from "node:http";
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

/** An HTTP server answering GET /healthz (200 or 503, JSON) and handing every other request to `fallback`. */
export async function startHealthServer(port: number, checks: HealthChecks, fallback?: RequestListener): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && (req.url ?? "").split("?")[0] === "/healthz") {
      void checkHealth(checks).then((h) => res.writeHead(h.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(h)));
      return;
    }
    if (fallback) return fallback(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
