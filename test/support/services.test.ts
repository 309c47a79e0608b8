// The services the global setup provides are up: a migrated template copy and a Redis.
import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "./db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

it("gives each test file its own migrated database", async () => {
  expect(await db.prisma.contact.count()).toBe(0);
  const other = await createTestDatabase();
  try {
    expect(other.name).not.toBe(db.name);
    await other.prisma.territory.create({ data: { id: "t", name: "T", region: "R", kind: "rural", timeZone: "Europe/Rome" } });
    expect(await db.prisma.territory.count()).toBe(0);
  } finally {
    await other.drop();
  }
});

it("provides a Redis that answers PING", async () => {
  const { hostname, port } = new URL(testRedisUrl());
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      resolve(data.toString());
      socket.end();
    });
    socket.once("error", reject);
  });
  expect(reply).toBe("+PONG\r\n");
});
