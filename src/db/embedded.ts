// Embedded PostgreSQL for the zero-setup default: PGlite in a data folder, served by pglite-socket on
// a Unix socket so the application talks to it through the same driver (pg + @prisma/adapter-pg) as
// to a real server. No TCP port: the socket sits in the 0700 data folder (or, when that path is too
// long for a socket, in a 0700 folder of the OS temp folder), so only the folder's owner can connect.
// The socket's place is recorded in the data folder next to the lock (SOCKET_RECORD_NAME): a
// coordinator's command run while the app holds the folder connects there (attachEmbeddedPostgres).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { DataFolderLockedError, SocketPathTooLongError } from "./errors.ts";
import { lockDataFolder, processExists, unlinkQuietly } from "./lock.ts";
import { SessionQueue } from "./pglite-session.ts";
import { DEFAULT_DB_CACHE_MB } from "./settings.ts";

/** Sub-folder of the data folder that holds PGlite's files. */
export const PGLITE_FOLDER = "pglite";

/** File in the data folder naming the running app's database socket (JSON: pid, socket). */
export const SOCKET_RECORD_NAME = "inloco.socket";

/** The "port" in the socket's name: PostgreSQL clients connect to `<dir>/.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** sun_path holds 108 bytes on Linux (104 on macOS) with the closing NUL. */
/** Short 0700 folders made for a socket when the data folder's path is too long (and for the shadow database). */
const SOCKET_FOLDER_PREFIX = "inloco-socket-";
const SOCKET_FOLDER = /^inloco-socket-[A-Za-z0-9]{6}$/;
const MAX_SOCKET_PATH = process.platform === "linux" ? 107 : 103;

export interface EmbeddedPostgres {
  /** postgres:// URL of the socket (`?host=<socket folder>`). */
  readonly url: string;
  /** The socket file. */
  readonly socket: string;
  /** The data folder, absolute. */
  readonly dataDir: string;
  /** PGlite, when this process opened it; undefined when attached to the running app's. */
  readonly pglite: PGlite | undefined;
  /** The pid of the app whose database this is, when attached to it. */
  readonly attachedTo: number | undefined;
  /** Stops the socket server, then PGlite, then releases the lock (attached: nothing to do).
   * Close client pools first. */
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Most client connections served at once (they share one PGlite session anyway). */
  maxConnections?: number;
  /** false: the server and its connections do not keep the process alive (for the Prisma CLI,
   * which waits for the event loop to empty and never closes the database). Default true. */
  keepProcessAlive?: boolean;
  /** PostgreSQL's page cache (shared_buffers), in MB (default DEFAULT_DB_CACHE_MB). */
  cacheMb?: number;
}

/**
 * PGlite's start parameters with a small PostgreSQL: its WebAssembly memory grows to hold what
 * PostgreSQL allocates and never gives any back, so every megabyte allocated once stays resident.
 * shared_buffers is the big one (PGlite's default is PostgreSQL's 128 MB, and it is touched at start):
 * the data files stay in the operating system's page cache anyway, so a page PostgreSQL no longer caches
 * costs one read from memory. PGlite's own parameters (single-user mode, fsync as it sets it…) are kept.
 */
export function embeddedStartParams(cacheMb: number = DEFAULT_DB_CACHE_MB): string[] {
  return [...PGlite.defaultStartParams, "-c", `shared_buffers=${cacheMb}MB`];
}

/** Opens (creating if needed) the embedded database in `dataDir`, holding the folder's lock while open. */
export async function openEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const dir = resolve(dataDir);
  // 0700: the folder holds personal data and, in embedded mode, the keys that protect addresses.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = lockDataFolder(dir);
  let socketDir: string | undefined;
  const release = () => {
    unlinkQuietly(join(dir, SOCKET_RECORD_NAME));
    if (socketDir !== undefined && socketDir !== dir) rmSync(socketDir, { recursive: true, force: true });
    lock.release();
  };
  try {
    socketDir = prepareSocketFolder(dir);
    const pgliteDir = join(dir, PGLITE_FOLDER);
    mkdirSync(pgliteDir, { recursive: true, mode: 0o700 });
    const pglite = await PGlite.create({ dataDir: pgliteDir, startParams: embeddedStartParams(options.cacheMb) });
    const embedded = await serve(pglite, dir, socketDir, options, release);
    // Written once the socket answers, so a reader never finds a record without a server.
    writeFileSync(join(dir, SOCKET_RECORD_NAME), `${JSON.stringify({ pid: process.pid, socket: embedded.socket })}\n`, { mode: 0o600 });
    return embedded;
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Connects to the database of the app holding `dataDir` (`held`, from lockDataFolder): reads the
 * socket it recorded, waiting up to `waitMs` for an app still starting (PGlite's first start takes
 * seconds). Undefined when that app has stopped meanwhile (the folder is free: open it); throws
 * `held` again, saying why, when it runs but serves no socket.
 */
export async function attachEmbeddedPostgres(dataDir: string, held: DataFolderLockedError, waitMs = 60_000): Promise<EmbeddedPostgres | undefined> {
  const dir = resolve(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const record = readSocketRecord(dir);
    if (record && record.pid === held.pid && isSocket(record.socket)) {
      return { ...socketTarget(record.socket), dataDir: dir, pglite: undefined, attachedTo: record.pid, close: async () => {} };
    }
    if (!processExists(held.pid)) return undefined;
    if (Date.now() >= deadline) {
      throw new DataFolderLockedError(held.folder, held.pid, held.lockFile, `it has not served its database after ${Math.round(waitMs / 1000)} s (no socket recorded in ${join(dir, SOCKET_RECORD_NAME)})`);
    }
    await sleep(250);
  }
}

/** Starts a throwaway in-memory PGlite on a socket in a temporary 0700 folder (Prisma's shadow database). */
export async function openInMemoryPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const socketDir = mkdtempSync(join(tmpdir(), SOCKET_FOLDER_PREFIX));
  try {
    return await serve(await PGlite.create({ startParams: embeddedStartParams(options.cacheMb) }), "memory://", socketDir, options, () => rmSync(socketDir, { recursive: true, force: true }));
  } catch (error) {
    rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
}

/** Where the socket goes: the data folder, or a short 0700 temporary folder when that path is too long. */
function prepareSocketFolder(dir: string): string {
  // Left behind by a process that died holding the folder (its lock has just been taken over).
  // Only a folder this code made for a socket (its own prefix, in the temporary folder), never the data
  // folder itself, which may well live in the temporary folder too.
  const stale = readSocketRecord(dir);
  const staleDir = stale && resolve(dirname(stale.socket));
  if (staleDir && staleDir !== dir && dirname(staleDir) === resolve(tmpdir()) && SOCKET_FOLDER.test(basename(staleDir))) rmSync(staleDir, { recursive: true, force: true });
  unlinkQuietly(join(dir, SOCKET_RECORD_NAME));
  const inFolder = join(dir, SOCKET_NAME);
  unlinkQuietly(inFolder);
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH) return dir;
  const short = mkdtempSync(join(tmpdir(), SOCKET_FOLDER_PREFIX));
  if (Buffer.byteLength(join(short, SOCKET_NAME)) <= MAX_SOCKET_PATH) return short;
  rmSync(short, { recursive: true, force: true });
  throw new SocketPathTooLongError(inFolder, MAX_SOCKET_PATH);
}

function socketTarget(socket: string): { url: string; socket: string } {
  const url = `postgres://postgres:postgres@localhost/postgres?host=${encodeURIComponent(dirname(socket))}&port=${SOCKET_PORT}&sslmode=disable`;
  return { url, socket };
}

function readSocketRecord(dir: string): { pid: number; socket: string } | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dir, SOCKET_RECORD_NAME), "utf8")) as { pid?: unknown; socket?: unknown };
    return typeof record.pid === "number" && typeof record.socket === "string" ? { pid: record.pid, socket: record.socket } : undefined;
  } catch {
    return undefined;
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}


async function serve(
  pglite: PGlite,
  dataDir: string,
  socketDir: string,
  options: EmbeddedOptions,
  release: () => void,
): Promise<EmbeddedPostgres> {
  const { url, socket } = socketTarget(join(socketDir, SOCKET_NAME));
  const server = new PGLiteSocketServer({
    db: pglite,
    path: socket,
    // pglite-socket accepts one connection by default; a pg pool opens several.
    maxConnections: options.maxConnections ?? 16,
  });
  // Keeps each connection's batch or transaction together in PGlite's one session (pglite-session.ts).
  const internals = server as unknown as { queryQueue?: unknown };
  if (!internals.queryQueue) throw new Error("pglite-socket changed: PGLiteSocketServer.queryQueue is gone");
  internals.queryQueue = new SessionQueue(pglite);
  try {
    await server.start();
    // Inside a 0700 folder already; the socket itself is for its owner only too.
    chmodSync(socket, 0o600);
  } catch (error) {
    await server.stop().catch(() => {});
    await pglite.close();
    release();
    throw error;
  }
  if (options.keepProcessAlive === false) unrefServer(server);

  let closing: Promise<void> | undefined;
  return {
    url,
    socket,
    dataDir,
    pglite,
    attachedTo: undefined,
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
