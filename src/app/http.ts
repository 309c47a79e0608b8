// The process's one HTTP server: a route table by exact path (/healthz, Telegram's webhook; later
// /slack/events and /metrics) on one listener at HOST:PORT. Routes check their own methods.
import { createServer, type RequestListener, type Server } from "node:http";

/** Where the HTTP server listens: `port` 0 picks a free one (see `listeningOn`). */
export interface ListenAddress {
  port: number;
  host: string;
}

/** A listening HTTP server whose paths are mounted one by one. */
export interface HttpServer {
  readonly server: Server;
  /** Serve `path` (exactly, any query string aside) with `handler`; a path is mounted once. */
  mount(path: string, handler: RequestListener): void;
  /** The mounted paths, in mounting order (for the start's log line). */
  paths(): string[];
  /** Stop listening; requests in flight get a moment to finish. */
  close(): Promise<void>;
}

/** Listen on `listen` and answer 404 to every path not mounted (see `HttpServer.mount`). */
export async function startHttpServer(listen: ListenAddress): Promise<HttpServer> {
  const routes = new Map<string, RequestListener>();
  const server = createServer((req, res) => {
    const handler = routes.get(pathOf(req.url));
    if (handler) return handler(req, res);
    // Nothing of the body is read or kept.
    req.resume();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    mount(path, handler) {
      if (routes.has(path)) throw new Error(`http: ${path} is mounted already`);
      routes.set(path, handler);
    },
    paths: () => [...routes.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment to finish; Telegram delivers again whatever we don't answer.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}

/** The path of a request URL, without its query string. */
function pathOf(url: string | undefined): string {
  return (url ?? "/").split("?")[0] ?? "/";
}

/** The address a listening server is bound to, as a person would type it: `127.0.0.1:8080`, `[::]:8080`. */
export function listeningOn(server: Server): string {
  const a = server.address();
  if (a === null) return "nowhere (not listening)";
  if (typeof a === "string") return a;
  return `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
}
