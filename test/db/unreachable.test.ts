// A DATABASE_URL that leads nowhere gets one clear sentence, whatever the way it fails: a closed port, a
// name that doesn't resolve, a server that never answers, one that hangs up at once. Loopback only.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { DatabaseUnreachableError } from "../../src/db/errors.ts";
import { freePort } from "../support/free-port.ts";

const servers: Array<{ server: Server; sockets: Set<Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A loopback TCP server that does `onConnection` with each connection. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ server, sockets });
  return (server.address() as { port: number }).port;
}

async function openError(url: string, o: { migrate?: boolean; connectTimeoutMs?: number } = {}): Promise<unknown> {
  return openDatabase({ url, migrate: o.migrate ?? true, ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}) }).then(
    async (db) => {
      await db.close();
      throw new Error("opened");
    },
    (e: unknown) => e,
  );
}

const advice = "Check DATABASE_URL, that PostgreSQL is running and that this machine may reach it.";

describe("a DATABASE_URL that leads nowhere", () => {
  for (const migrate of [true, false]) {
    it(`a closed port: DatabaseUnreachableError naming the URL and ECONNREFUSED (${migrate ? "with" : "without"} migrations)`, async () => {
      const port = await freePort();
      const error = await openError(`postgres://u@127.0.0.1:${port}/db`, { migrate });
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect((error as Error).message).toMatch(new RegExp(`^Cannot use the database at postgres://u@127\\.0\\.0\\.1:${port}/db: .*ECONNREFUSED`));
      expect((error as Error).message.endsWith(advice)).toBe(true);
    });
  }

  it("a host name that doesn't resolve", async () => {
    const error = await openError("postgres://u@nonexistent.invalid/db");
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toMatch(/^Cannot use the database at postgres:\/\/u@nonexistent\.invalid\/db: .*(ENOTFOUND|EAI_AGAIN)/);
  });

  it("a host that takes the connection and never answers: the time limit, not a hang", async () => {
    const port = await tcpServer(() => undefined);
    const error = await openError(`postgres://u:secret@127.0.0.1:${port}/db`, { connectTimeoutMs: 300 });
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toBe(`Cannot use the database at postgres://u:***@127.0.0.1:${port}/db: no answer within 0.3 s. ${advice}`);
  });

  it("a host that hangs up at once (a firewall, not PostgreSQL): no raw pg stack, the same sentence", async () => {
    const port = await tcpServer((socket) => socket.destroy());
    const error = await openError(`postgres://u@127.0.0.1:${port}/db`, { migrate: false });
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toMatch(/the server closed the connection before answering/);
  });
});
