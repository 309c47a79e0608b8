// Posters: the deep link and its QR code, from the library and from `inloco poster`.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { ConfigError } from "../../src/config/env.ts";
import { PosterError, posterLink, writePosterQr } from "../../src/poster/poster.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "./fake-bot-api.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "poster", ...args], {
    // The ids are looked up in a seeded database (the demo territories and event).
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, ...env },
    cwd: mkdtempSync(join(tmpdir(), "inloco-poster-")),
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
});
afterAll(() => db.drop());

let api: FakeBotApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("poster links", () => {
  it("opens the Telegram bot with the territory and event as its start payload", () => {
    expect(posterLink("telegram", { territory: "valsusa" }, { telegramUsername: "InLocoBot" })).toBe("https://t.me/InLocoBot?start=t-valsusa");
    expect(posterLink("telegram", { territory: "valsusa", event: "42" }, { telegramUsername: "InLocoBot" })).toBe("https://t.me/InLocoBot?start=t-valsusa__e-42");
  });

  it("opens a WhatsApp chat with START and the payload filled in", () => {
    expect(posterLink("whatsapp", { territory: "valsusa", event: "42" }, { whatsappNumber: "393331234567" })).toBe(
      "https://wa.me/393331234567?text=START%20t-valsusa__e-42",
    );
  });

  it("says which setting is missing, and refuses ids that can't go into a link", () => {
    expect(() => posterLink("telegram", { territory: "valsusa" }, {})).toThrow(ConfigError);
    expect(() => posterLink("telegram", { territory: "valsusa" }, {})).toThrow(/TELEGRAM_BOT_USERNAME/);
    expect(() => posterLink("whatsapp", { territory: "valsusa" }, {})).toThrow(/WHATSAPP_NUMBER/);
    expect(() => posterLink("telegram", { territory: "val susa" }, { telegramUsername: "InLocoBot" })).toThrow(PosterError);
    expect(() => posterLink("telegram", { territory: "x".repeat(70) }, { telegramUsername: "InLocoBot" })).toThrow(PosterError);
  });

  it("writes the QR code as a PNG, creating the folder", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "inloco-poster-")), "posters", "valsusa.png");
    await writePosterQr("https://t.me/InLocoBot?start=t-valsusa", file);
    expect(readFileSync(file).subarray(0, 8)).toEqual(PNG);
  });
});

describe("inloco poster", () => {
  it("writes the PNG and prints the link", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "inloco-poster-")), "p.png");
    const r = await cli(["--territory", "valsusa", "--event", DEMO_EVENT_ID, "--out", out], { TELEGRAM_BOT_USERNAME: "InLocoBot" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`https://t.me/InLocoBot?start=t-valsusa__e-${DEMO_EVENT_ID}\nQR code written to ${out}\n`);
    expect(readFileSync(out).subarray(0, 8)).toEqual(PNG);
  });

  it("asks Telegram for the username when only the token is set", async () => {
    api = await FakeBotApi.start();
    const out = join(mkdtempSync(join(tmpdir(), "inloco-poster-")), "p.png");
    const r = await cli(["--territory", "valsusa", "--out", out], { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: api.url });
    expect(r.stdout.split("\n")[0]).toBe(`https://t.me/${BOT_INFO.username}?start=t-valsusa`);
    expect(api.callsOf("getMe")).toHaveLength(1);
  });

  it("makes WhatsApp posters", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "inloco-poster-")), "p.png");
    const r = await cli(["--territory", "cuneo", "--channel", "whatsapp", "--out", out], { WHATSAPP_NUMBER: "393331234567" });
    expect(r.stdout.split("\n")[0]).toBe("https://wa.me/393331234567?text=START%20t-cuneo");
  });

  it("refuses a territory or an event the database doesn't know, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inloco-poster-"));
    const bot = { TELEGRAM_BOT_USERNAME: "InLocoBot" };
    const t = await cli(["--territory", "atlantis", "--out", join(dir, "a.png")], bot);
    expect([t.code, t.stdout, t.stderr]).toEqual([1, "", 'unknown territory "atlantis" (known: asti, cuneo, torino, valsusa)\n']);
    const e = await cli(["--territory", "valsusa", "--event", "nope", "--out", join(dir, "b.png")], bot);
    expect([e.code, e.stderr]).toEqual([1, 'unknown event "nope" (an event id is a UUID, as `inloco db seed` prints)\n']);
    const elsewhere = await cli(["--territory", "torino", "--event", DEMO_EVENT_ID, "--out", join(dir, "c.png")], bot);
    expect([elsewhere.code, elsewhere.stderr]).toEqual([1, `event "${DEMO_EVENT_ID}" is in territory "valsusa", not "torino"\n`]);
    expect(readdirSync(dir)).toEqual([]);
  }, 90_000); // three CLI processes, each opening the database: slow on a busy machine

  it("exits 1 with the setting to set when the bot can't be named", async () => {
    const r = await cli(["--territory", "valsusa"], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TELEGRAM_BOT_USERNAME: not set");
    const w = await cli(["--territory", "valsusa", "--channel", "whatsapp"], {});
    expect(w.code).toBe(1);
    expect(w.stderr).toContain("WHATSAPP_NUMBER: not set");
  });
});
