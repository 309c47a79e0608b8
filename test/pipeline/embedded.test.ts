// The zero-setup default: the pipeline on the embedded database (one PGlite session) with the
// in-memory queues, several people at once. PGlite serves one connection; turns must queue for it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.ts";
import { MemoryBroker } from "../../src/queue/index.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import type { TestDatabase } from "../support/db.ts";
import { pipelineHarness, type Harness } from "./harness.ts";

const dataDir = mkdtempSync(join(tmpdir(), "inloco-embedded-pipeline-"));
let db: Database;
let h: Harness;
beforeAll(async () => {
  db = await openDatabase({ dataDir });
  await seedDemo(db.prisma);
  h = await pipelineHarness({ prisma: db.prisma, sql: db.sql, url: db.url, name: "embedded", drop: async () => undefined } satisfies TestDatabase, new MemoryBroker());
}, 120_000);
afterAll(async () => {
  await h?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("pipeline on the embedded database", () => {
  it("ten people answering at the same time: every answer stored, every reply sent", async () => {
    const people = Array.from({ length: 10 }, (_, i) => String(555_000_000 + i));
    for (const text of ["/start", "1", "yes", "2", "yes", "1", "3", "2"]) {
      await Promise.all(people.map((p) => h.say(p, text)));
      await h.idle(60_000);
    }
    expect(await db.prisma.answer.count({ where: { flowId: "needs" } })).toBe(20);
    expect(await db.prisma.contact.count({ where: { territoryId: "valsusa" } })).toBe(10);
    for (const p of people) expect(h.channel.to(p).at(-1)).toMatch(/^What is your work situation\?/);
  }, 120_000);
});
