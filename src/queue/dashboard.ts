// The operators' queue dashboard: bull-board over every queue under the prefix, behind HTTP basic auth.
// It runs only where it is enabled (INLOCO_DASHBOARD_PORT) and refuses to start without credentials.
import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import express, { type NextFunction, type Request, type Response } from "express";
import type { BullmqBroker } from "./bullmq-broker.ts";
import { DashboardConfigError } from "./errors.ts";

export interface DashboardOptions {
  broker: BullmqBroker;
  port: number;
  /** Interface to listen on (default 127.0.0.1: put a TLS proxy in front to reach it from elsewhere). */
  host?: string;
  user: string | undefined;
  password: string | undefined;
  /** Path the dashboard is served under (default "/"). */
  basePath?: string;
  /** How often the list of queues is looked up again, at most (default 5 s). */
  refreshMs?: number;
}

export interface Dashboard {
  /** Where it listens, e.g. http://127.0.0.1:3100/ */
  readonly url: string;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { broker, user, password } = options;
  if (!user || !password) {
    throw new DashboardConfigError(
      "The queue dashboard needs INLOCO_DASHBOARD_USER and INLOCO_DASHBOARD_PASSWORD: it shows people's messages and can retry or delete jobs.",
    );
  }
  const basePath = normalizeBase(options.basePath ?? "/");
  const refreshMs = options.refreshMs ?? 5000;

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath === "/" ? "" : basePath);
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: "In Loco queues" } },
  });

  let refreshedAt = 0;
  let refreshing: Promise<void> | undefined;
  const refresh = async () => {
    const names = await broker.queues();
    board.replaceQueues(names.map((name) => new BullMQAdapter(broker.queue(name), { delimiter: "." })));
    refreshedAt = Date.now();
  };

  const app = express();
  app.disable("x-powered-by");
  app.use(basicAuth(user, password));
  app.use(async (_req: Request, _res: Response, next: NextFunction) => {
    if (Date.now() - refreshedAt >= refreshMs) {
      refreshing ??= refresh().finally(() => (refreshing = undefined));
      try {
        await refreshing;
      } catch (error) {
        next(error);
        return;
      }
    }
    next();
  });
  app.use(basePath, serverAdapter.getRouter() as express.Router);

  const server: Server = app.listen(options.port, options.host ?? "127.0.0.1");
  await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error as Error))]);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${basePath === "/" ? "/" : `${basePath}/`}`,
    close: async () => {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Requires the given user and password; compares in constant time. */
function basicAuth(user: string, password: string) {
  const expected = digest(`${user}:${password}`);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? "";
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    if (match && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    res.setHeader("WWW-Authenticate", 'Basic realm="In Loco queues", charset="UTF-8"');
    res.status(401).type("text/plain").send("Authentication required.\n");
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function normalizeBase(path: string): string {
  const trimmed = `/${path}`.replace(/\/+/g, "/").replace(/\/$/, "");
  return trimmed === "" ? "/" : trimmed;
}
