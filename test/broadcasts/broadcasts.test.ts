// Broadcasts as a coordinator uses them, on one process: who they reach, what each person reads, when
// they go out (quiet hours, a set time, an expiry), and that a person's STOP or DELETE after the
// broadcast was scheduled is honoured. Through the real pipeline and Telegram channel, a fake Bot API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  broadcastProgress,
  cancelBroadcast,
  confirmBroadcast,
  createBroadcast,
  pauseBroadcast,
  resumeBroadcast,
  BroadcastInputError,
  BroadcastStateError,
  type NewBroadcast,
} from "../../src/broadcasts/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { openWorld, type World } from "./world.ts";

// People, by chat id.
const ADA = 2001; // en, valsusa
const BASHIR = 2002; // ar, valsusa
const CHIARA = 2003; // it, torino
const DARIA = 2004; // uk, valsusa, wants only direct messages
const EMAN = 2005; // fa, torino, left the needs survey half-way
const FARID = 2006; // ar, torino, finished the needs survey

let db: TestDatabase;
let w: World;

// Monday 2027-03-22, 12:00 in Rome.
const NOON = new Date("2027-03-22T11:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
  w = await openWorld(db, { start: NOON, quiet: { from: "21:00", to: "08:00" } });
  await w.newcomer(ADA, "en", "valsusa");
  await w.newcomer(BASHIR, "ar", "valsusa");
  await w.newcomer(CHIARA, "it", "torino");
  await w.newcomer(DARIA, "uk", "valsusa");
  await w.newcomer(EMAN, "fa", "torino");
  await w.newcomer(FARID, "ar", "torino");
  await db.sql.query("UPDATE contacts SET contact_preference = 'direct_only' WHERE language = 'uk'");
  // Eman answered the needs survey's first question and left; Farid finished it.
  await w.tap(EMAN, { data: "c:menu:needs" });
  await w.tap(EMAN, { data: "c:housing:friends" });
  await w.tap(FARID, { data: "c:menu:needs" });
  await db.sql.query("UPDATE survey_runs SET status = 'completed', completed_at = now() WHERE flow_id = 'needs' AND contact_id = (SELECT contact_id FROM survey_runs r JOIN contacts c ON c.id = r.contact_id WHERE r.flow_id = 'needs' AND c.language = 'ar')");
}, 120_000);
afterAll(async () => {
  await w?.close();
  await db?.drop();
});

const count = (chat: number) => w.seen(chat).length;
const lastText = (chat: number) => w.seen(chat).at(-1)?.text ?? "";
const ALL = [ADA, BASHIR, CHIARA, DARIA, EMAN, FARID];
const counts = () => Object.fromEntries(ALL.map((c) => [c, count(c)]));

/** Creates, confirms and returns a broadcast's id. */
async function send(input: Omit<NewBroadcast, "createdBy">): Promise<string> {
  const { broadcast } = await createBroadcast(w.broadcasts, { ...input, createdBy: "cli:test" });
  await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
  return broadcast.id;
}

/** Who got a message since `before`. */
function reached(before: Record<number, number>): number[] {
  return ALL.filter((c) => count(c) > (before[c] ?? 0));
}

describe("who a broadcast reaches", () => {
  it("previews by language and channel, and names the languages without a text", async () => {
    const { preview } = await createBroadcast(w.broadcasts, { texts: { en: "The Italian course opens Monday", it: "Il corso di italiano apre lunedì" }, createdBy: "cli:test" });
    // Daria asked for direct messages only: no announcements.
    expect(preview.total).toBe(5);
    expect(preview.byChannel).toEqual([{ channel: "telegram", people: 5 }]);
    expect(preview.missing).toEqual([
      { language: "ar", people: 2 },
      { language: "fa", people: 1 },
    ]);
  });

  it("by territory and language", async () => {
    let before = counts();
    await send({ texts: { en: "Valsusa only" }, territories: ["valsusa"] });
    await w.settle();
    expect(reached(before)).toEqual([ADA, BASHIR]);
    before = counts();
    await send({ texts: { ar: "للعرب فقط" }, languages: ["ar"] });
    await w.settle();
    expect(reached(before)).toEqual([BASHIR, FARID]);
    expect(lastText(FARID)).toBe("للعرب فقط");
  });

  it("those who left a flow half-way, or finished it; those seen lately", async () => {
    let before = counts();
    await send({ flow: "needs", left: "needs" });
    await w.settle();
    expect(reached(before)).toEqual([EMAN]);
    before = counts();
    await send({ texts: { en: "Thank you for answering" }, finished: "needs" });
    await w.settle();
    expect(reached(before)).toEqual([FARID]);
    const clock = w.clock.now();
    await db.sql.query("UPDATE contacts SET last_seen_at = CASE WHEN language IN ('en', 'it') THEN $1::timestamptz - interval '40 days' ELSE $1::timestamptz END", [clock]);
    before = counts();
    await send({ texts: { en: "Recent ones" }, seenWithinDays: 30 });
    await w.settle();
    expect(reached(before)).toEqual([BASHIR, EMAN, FARID]);
  });

  it("gives those without their language's text the base language's", async () => {
    const before = counts();
    const id = await send({ texts: { it: "Scadenza permessi: 31 marzo", en: "Permit deadline: 31 March" }, territories: ["torino"] });
    await w.settle();
    expect(reached(before)).toEqual([CHIARA, EMAN, FARID]);
    expect(lastText(CHIARA)).toBe("Scadenza permessi: 31 marzo");
    expect(lastText(EMAN)).toBe("Scadenza permessi: 31 marzo");
    expect(await broadcastProgress(w.broadcasts, id)).toMatchObject({ recipients: 3, sent: 3, done: 3 });
  });

  it("refuses what can't be sent, saying every problem at once", async () => {
    const e = await createBroadcast(w.broadcasts, { texts: { de: "Hallo" }, flow: "nope", territories: ["atlantis"], at: "tomorrow", createdBy: "cli:test" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BroadcastInputError);
    expect((e as BroadcastInputError).problems.map((p) => p.field)).toEqual(["content", "territories", "flow", "texts", "at"]);
  });
});

describe("when a broadcast goes out", () => {
  it("waits through quiet hours on the territory's clocks, then sends", async () => {
    w.clock.set(new Date("2027-03-22T21:30:00Z")); // 22:30 in Rome
    const before = counts();
    const id = await send({ texts: { en: "Good morning" }, languages: ["en"] });
    await w.settle();
    expect(reached(before)).toEqual([]);
    expect(await broadcastProgress(w.broadcasts, id)).toMatchObject({ pending: 1, sent: 0 });
    w.clock.set(new Date("2027-03-23T07:00:30Z")); // 08:00 in Rome
    await w.settle();
    expect(reached(before)).toEqual([ADA]);
  });

  it("drops what is still unsent at its expiry instead of sending it late", async () => {
    w.clock.set(new Date("2027-03-23T21:00:00Z")); // 22:00 in Rome
    const before = counts();
    const id = await send({ texts: { en: "Tonight only" }, languages: ["en"], expires: "2027-03-23 23:30" });
    w.clock.set(new Date("2027-03-24T07:00:30Z"));
    await w.settle();
    expect(reached(before)).toEqual([]);
    const p = await broadcastProgress(w.broadcasts, id);
    expect(p).toMatchObject({ recipients: 1, sent: 0, done: 1, skipped: { expired: 1 } });
    expect(p.broadcast.status).toBe("sent");
  });

  it("at a set time, not before", async () => {
    w.clock.set(new Date("2027-03-24T09:00:00Z"));
    const before = counts();
    const id = await send({ texts: { en: "At eleven" }, languages: ["en"], at: "2027-03-24 11:00" });
    await w.settle();
    expect(reached(before)).toEqual([]);
    expect((await broadcastProgress(w.broadcasts, id)).broadcast.status).toBe("scheduled");
    w.clock.set(new Date("2027-03-24T10:00:01Z"));
    await w.settle();
    expect(reached(before)).toEqual([ADA]);
  });
});

describe("a person's STOP and DELETE after it was scheduled", () => {
  it("skips who stopped or was erased before their copy went out; the others get it", async () => {
    w.clock.set(new Date("2027-03-24T21:30:00Z")); // quiet hours: chosen now, sent at 08:00
    const id = await send({ texts: { ar: "إعلان", en: "Announcement" }, territories: ["torino"] });
    await w.settle();
    expect(await broadcastProgress(w.broadcasts, id)).toMatchObject({ recipients: 3, pending: 3 });
    await w.say(CHIARA, "STOP");
    await w.say(FARID, "DELETE");
    await w.tap(FARID, { label: "نعم، احذفوا كل شيء" });
    const before = counts();
    w.clock.set(new Date("2027-03-25T07:00:30Z"));
    await w.settle();
    expect(reached(before)).toEqual([EMAN]);
    const p = await broadcastProgress(w.broadcasts, id);
    expect(p).toMatchObject({ recipients: 3, sent: 1, skipped: { stopped: 1, erased: 1 }, done: 3 });
  });
});

describe("pause, resume, cancel", () => {
  it("a paused broadcast sends nothing until resumed; a cancelled one skips the rest", async () => {
    w.clock.set(new Date("2027-03-25T10:00:00Z"));
    await w.say(CHIARA, "START");
    const id = await send({ texts: { en: "One", it: "Uno" } });
    await pauseBroadcast(w.broadcasts, id, "cli:test");
    let before = counts();
    await w.settle();
    expect(reached(before)).toEqual([]);
    expect((await broadcastProgress(w.broadcasts, id)).broadcast.status).toBe("paused");
    await expect(pauseBroadcast(w.broadcasts, id, "cli:test")).rejects.toBeInstanceOf(BroadcastStateError);
    await resumeBroadcast(w.broadcasts, id, "cli:test");
    await w.settle();
    expect(reached(before).length).toBe(4);

    w.clock.set(new Date("2027-03-25T21:30:00Z"));
    const held = await send({ texts: { en: "Two" } });
    await w.settle();
    await cancelBroadcast(w.broadcasts, held, "cli:test");
    before = counts();
    w.clock.set(new Date("2027-03-26T07:00:30Z"));
    await w.settle();
    expect(reached(before)).toEqual([]);
    const p = await broadcastProgress(w.broadcasts, held);
    expect(p).toMatchObject({ sent: 0, skipped: { cancelled: 4 } });
    expect(p.broadcast.status).toBe("cancelled");
  });
});

describe("a person who blocked the bot", () => {
  it("is counted blocked, and stopped: later broadcasts skip them", async () => {
    w.clock.set(new Date("2027-03-26T10:00:00Z"));
    w.api.fail("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" }, { chatId: ADA, times: 1 });
    const id = await send({ texts: { en: "Hello" }, languages: ["en"] });
    await w.settle();
    expect(await broadcastProgress(w.broadcasts, id)).toMatchObject({ recipients: 1, blocked: 1, sent: 0 });
    const { preview } = await createBroadcast(w.broadcasts, { texts: { en: "Hello again" }, languages: ["en"], createdBy: "cli:test" });
    expect(preview.total).toBe(0);
  });
});
