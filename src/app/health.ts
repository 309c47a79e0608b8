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

/** Where the HTTP server listens: `port` 0 picks a free one (see `listeningOn`). */
export interface ListenAddress {
  port: number;
  host: string;
}

/** An HTTP server answering GET /healthz (200 or 503, JSON) and handing every other request to `fallback`. */
export async function startHealthServer(listen: ListenAddress, checks: HealthChecks, fallback?: RequestListener): Promise<Server> {
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
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

/** The address a listening server is bound to, as a person would type it: `127.0.0.1:8080`, `[::]:8080`. */
export function listeningOn(server: Server): string {
  const a = server.address();
  if (a === null) return "nowhere (not listening)";
  if (typeof a === "string") return a;
  return `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
}
