// The HTTP server listens where HOST says, and says where.
import type { Server } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { appHealthRoute, type HealthChecks } from "../../src/app/health.ts";
import { listeningOn, startHttpServer, type ListenAddress } from "../../src/app/http.ts";

const checks: HealthChecks = { database: async () => true, queue: async () => "in-process", channels: () => [] };
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** The process's HTTP server serving the app's /healthz, as the app starts it. */
async function startHealthServer(listen: ListenAddress, checks: HealthChecks): Promise<Server> {
  const http = await startHttpServer(listen);
  http.mount("/healthz", appHealthRoute(checks));
  return http.server;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("the HTTP server's address", () => {
  it("binds to the host given and names the address it is bound to", async () => {
    server = await startHealthServer({ port: 0, host: "127.0.0.1" }, checks);
    const port = (server.address() as { port: number }).port;
    expect(listeningOn(server)).toBe(`127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Not reachable on this machine's other addresses.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (external) expect(await accepts(external, port)).toBe(false);
  });

  it("binds to every interface with 0.0.0.0", async () => {
    server = await startHealthServer({ port: 0, host: "0.0.0.0" }, checks);
    const port = (server.address() as { port: number }).port;
    expect(listeningOn(server)).toBe(`0.0.0.0:${port}`);
    expect(await accepts("127.0.0.1", port)).toBe(true);
  });

  it("refuses an address that is not this machine's, with the system's reason", async () => {
    await expect(startHealthServer({ port: 0, host: "192.0.2.1" }, checks)).rejects.toMatchObject({ code: "EADDRNOTAVAIL" });
  });
});
