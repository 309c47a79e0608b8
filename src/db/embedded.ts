// Embedded PostgreSQL for the zero-setup default: PGlite in a data folder, served on a loopback port
// by pglite-socket so the application talks to it through the same driver (pg + @prisma/adapter-pg)
// as to a real server.
import { mkdirSync } from "node:fs";
import type { Server } from "node:net";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { lockDataFolder } from "./lock.ts";

/** Sub-folder of the data folder that holds PGlite's files. */
export const PGLITE_FOLDER = "pglite";

export interface EmbeddedPostgres {
  /** postgres:// URL of the loopback server. */
  readonly url: string;
  /** The data folder, absolute. */
  readonly dataDir: string;
  readonly pglite: PGlite;
  /** Stops the socket server, then PGlite, then releases the lock. Close client pools first. */
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Loopback port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Most client connections served at once (they share one PGlite session anyway). */
  maxConnections?: number;
  /** false: the server and its connections do not keep the process alive (for the Prisma CLI,
   * which waits for the event loop to empty and never closes the database). Default true. */
  keepProcessAlive?: boolean;
}

/** Opens (creating if needed) the embedded database in `dataDir`, holding the folder's lock while open. */
export async function openEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const dir = resolve(dataDir);
  // 0700: the folder holds personal data and, in embedded mode, the keys that protect addresses.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = lockDataFolder(dir);
  try {
    const pgliteDir = join(dir, PGLITE_FOLDER);
    mkdirSync(pgliteDir, { recursive: true, mode: 0o700 });
    return await serve(await PGlite.create({ dataDir: pgliteDir }), dir, options, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Starts a throwaway in-memory PGlite on a loopback port (used as Prisma's shadow database). */
export async function openInMemoryPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  return serve(await PGlite.create(), "memory://", options, () => {});
}

async function serve(
  pglite: PGlite,
  dataDir: string,
  options: EmbeddedOptions,
  release: () => void,
): Promise<EmbeddedPostgres> {
  const server = new PGLiteSocketServer({
    db: pglite,
    host: "127.0.0.1",
    port: options.port ?? 0,
    // pglite-socket accepts one connection by default; a pg pool opens several.
    maxConnections: options.maxConnections ?? 16,
  });
  try {
    await server.start();
  } catch (error) {
    await pglite.close();
    throw error;
  }
  if (options.keepProcessAlive === false) unrefServer(server);
  // getServerConn() is "127.0.0.1:<port>" once listening, with the port picked by the OS.
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;

  let closing: Promise<void> | undefined;
  return {
    url,
    dataDir,
    pglite,
    close() {
      closing ??= (async () => {
        try {
          await server.stop();
        } finally {
          try {
            await pglite.close();
          } finally {
            release();
          }
        }
      })();
      return closing;
    },
  };
}

/** pglite-socket keeps its net.Server private; reach it to unref the listener and each connection. */
function unrefServer(server: PGLiteSocketServer): void {
  const netServer = (server as unknown as { server?: Server | null }).server;
  if (!netServer) throw new Error("pglite-socket changed: PGLiteSocketServer.server is gone");
  netServer.unref();
  netServer.on("connection", (socket) => socket.unref());
}
