// Broadcasts on the embedded default (PGlite, in-process queues): what the demo runs. The row locks,
// the advisory lock per channel and the quiet-hours arithmetic are PostgreSQL's own in PGlite too.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastProgress, confirmBroadcast, createBroadcast } from "../../src/broadcasts/index.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createMeeting } from "../../src/meetings/index.ts";
import { openWorld, type World } from "./world.ts";

let dataDir: string;
let db: Database;
let w: World;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "inloco-broadcast-"));
  db = await openDatabase({ dataDir });
  w = await openWorld(db, { start: new Date("2027-03-22T11:00:00Z"), quiet: { from: "21:00", to: "08:00" } });
  await w.newcomer(3001, "en");
  await w.newcomer(3002, "ar");
}, 180_000);
afterAll(async () => {
  await w?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("broadcasts on the embedded database", () => {
  it("an announcement and a meeting's invitation reach each person once, in their language", async () => {
    const { broadcast } = await createBroadcast(w.broadcasts, { texts: { en: "The course opens Monday", ar: "تبدأ الدورة يوم الاثنين" }, createdBy: "cli:test" });
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    await w.settle();
    expect(w.seen(3001).at(-1)?.text).toBe("The course opens Monday");
    expect(w.seen(3002).at(-1)?.text).toBe("تبدأ الدورة يوم الاثنين");
    expect(await broadcastProgress(w.broadcasts, broadcast.id)).toMatchObject({ recipients: 2, sent: 2, done: 2 });

    const m = await createMeeting(w.meetings, { territory: "valsusa", title: { en: "Task force on work" }, starts: "2027-03-24 18:00", place: "Susa" });
    const invitation = await createBroadcast(w.broadcasts, { meeting: m.id, createdBy: "cli:test" });
    expect(invitation.preview.missing).toEqual([{ language: "ar", people: 1 }]);
    await confirmBroadcast(w.broadcasts, invitation.broadcast.id, "cli:test");
    await w.settle();
    expect(w.seen(3002).at(-1)?.text).toContain("Task force on work");
    expect(w.seen(3002).at(-1)?.text).toContain("الأربعاء");
    await w.settle();
    expect(w.seen(3001).filter((s) => s.text.includes("Task force on work"))).toHaveLength(1);
  }, 120_000);
});
