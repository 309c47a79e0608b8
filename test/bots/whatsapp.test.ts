// WhatsApp through a fake whatsapp-web.js client: a survey, what is ignored, reconnection, the login QR
// code, and a missing browser.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { WhatsAppChannel } from "../../bots/whatsapp/index.ts";
import { ChromiumMissingError, whatsappWebClient } from "../../bots/whatsapp/web-client.ts";
import { whatsappInbound } from "../../bots/whatsapp/inbound.ts";
import { MAX_MEDIA_REF_BYTES, RecipientGoneError, type Inbound } from "../../src/channel/contract.ts";
import { testHost } from "../support/host.ts";
import { channelContext, channelTexts } from "./context.ts";
import { numberOf } from "./contract.ts";
import { FakeWhatsApp } from "./fake-whatsapp.ts";
import { until } from "./harnesses.ts";
import { silentLog } from "../../src/log/log.ts";
import { logInto } from "../support/log.ts";

const texts = channelTexts();
const en = (key: string) => texts.t("en", key);
const PERSON = "393331234567@c.us";
const NOW = new Date("2026-11-25T10:00:00Z");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(o: { sleep?: (ms: number) => Promise<void>; startups?: Array<"ready" | "qr" | "fail"> } = {}) {
  const wa = new FakeWhatsApp();
  wa.startups.push(...(o.startups ?? []));
  const dataDir = mkdtempSync(join(tmpdir(), "inloco-wa-"));
  const logs: string[] = [];
  const terminal = new PassThrough();
  let drawn = "";
  terminal.on("data", (chunk: Buffer) => (drawn += chunk.toString("utf8")));
  const channel = new WhatsAppChannel({
    texts,
    createClient: wa.factory,
    dataDir,
    terminal,
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    ...(o.sleep ? { sleep: o.sleep } : {}),
    log: logInto(logs),
    now: () => NOW,
  });
  cleanups.push(() => channel.stop());
  return { wa, channel, dataDir, logs, drawn: () => drawn };
}

describe("whatsapp: a needs survey", () => {
  it("goes from a poster's START message to the thanks with numbers typed, a voice note at the end", async () => {
    const { wa, channel } = setup();
    const host = testHost(channelContext(), channel);
    await channel.start(host.onInbound);
    await until(() => channel.health().state === "ready");
    const lastText = () => wa.textsTo(PERSON).at(-1) ?? "";
    const say = async (body: string) => {
      wa.receive(wa.message(PERSON, { body }));
      await channel.idle();
    };
    const pick = (label: string) => String(numberOf(lastText(), label));
    await say("START t-valsusa");
    expect(lastText()).toContain(en("onboarding:language"));
    await say(pick("English"));
    await say("1"); // consent: yes
    expect(lastText()).toContain(en("onboarding:contact.question"));
    await say("yes");
    await say(pick(en("main:menu.needs")));
    expect(lastText()).toContain(en("needs:housing.question"));
    // Every choice arrives as a numbered list, never as buttons.
    expect(lastText()).toContain(`1. ${en("needs:housing.stable")}`);
    // What the person types (a label stands for its number in the question shown), and what comes next.
    const answers: Array<[string | { pick: string }, string]> = [
      [{ pick: en("needs:housing.none") }, "needs:housing.help"],
      ["2", "needs:work.question"],
      [{ pick: en("needs:work.unable") }, "needs:work.skills"],
      ["1, 3", "needs:work.recognition"],
      ["SKIP", "needs:language.level"],
      ["2", "needs:language.course"],
      [{ pick: en("needs:language.cannot") }, "needs:health.doctor"],
      ["1", "needs:health.needs"],
      ["2", "needs:documents.question"],
      [{ pick: en("needs:documents.valid") }, "needs:education.children"],
      ["0", "needs:education.own_study"],
      ["no", "needs:social.connected"],
      ["5", "needs:social.wish"],
      ["SKIP", "needs:priority.question"],
      [{ pick: en("needs:priority.documents") }, "needs:anything_else"],
    ];
    for (const [answer, next] of answers) {
      const body = typeof answer === "string" ? answer : pick(answer.pick);
      await say(body);
      expect(lastText(), body).toContain(en(next));
    }
    wa.receive(wa.message(PERSON, { type: "ptt" }));
    await channel.idle();
    expect(wa.textsTo(PERSON).slice(-2)).toEqual([en("needs:thanks"), en("main:menu.bye")]);
    const recorded = host.eventsOf("whatsapp", PERSON).flatMap((e) => (e.type === "answer.recorded" && e.flow === "needs" ? [e] : []));
    expect(Object.fromEntries(recorded.map((e) => [e.question, e.skipped ? "skipped" : e.value]))).toMatchObject({
      housing: { kind: "choice", choices: ["none"] },
      housing_help: { kind: "choice", choices: ["no"] },
      skills: { kind: "choice", choices: ["degree", "trade"] },
      recognition: "skipped",
      language_level: { kind: "number", number: 2 },
      children: { kind: "number", number: 0 },
      social: { kind: "number", number: 5 },
      social_wish: "skipped",
      anything_else: { kind: "media", media: "voice" },
    });
    expect(host.eventsOf("whatsapp", PERSON)).toContainEqual(expect.objectContaining({ type: "emitted", name: "survey.completed" }));
  });
});

describe("whatsapp: what is not a message for us", () => {
  it("ignores groups, status broadcasts and our own messages; answers the person", async () => {
    const { wa, channel } = setup();
    const got: Inbound[] = [];
    await channel.start(async (i) => void got.push(i));
    await until(() => channel.health().state === "ready");
    wa.receive(wa.message("120363012345678901@g.us", { body: "hello group" }));
    wa.receive(wa.message("status@broadcast", { body: "my status", isStatus: true }));
    wa.receive(wa.message(PERSON, { body: "sent from the linked phone", fromMe: true }));
    wa.receive(wa.message("120363999@newsletter", { body: "channel post" }));
    wa.receive(wa.message(PERSON, { type: "e2e_notification" }));
    wa.receive(wa.message(PERSON, { body: "hello" }));
    await channel.idle();
    expect(got.map((i) => [i.address, i.input])).toEqual([[PERSON, { type: "text", text: "hello" }]]);
  });

  it("converts each kind of message, keeping WhatsApp's message id", () => {
    const wa = new FakeWhatsApp();
    const input = (fields: Parameters<FakeWhatsApp["message"]>[1]) => {
      const m = wa.message(PERSON, fields);
      const inbound = whatsappInbound(m, NOW) as Inbound;
      expect(inbound.messageId).toBe(m.id._serialized);
      return inbound.input;
    };
    expect(input({ body: "START t-valsusa__e-42" })).toEqual({ type: "start", flow: "rsvp", params: { territory: "valsusa", event: "42" } });
    expect(input({ body: "start" })).toEqual({ type: "start", params: {} });
    expect(input({ body: "Start the survey please" })).toEqual({ type: "text", text: "Start the survey please" });
    expect(input({ type: "location", location: { latitude: "45.07", longitude: "7.69" } })).toEqual({ type: "location", lat: 45.07, lon: 7.69 });
    for (const [type, media] of [["ptt", "voice"], ["audio", "voice"], ["image", "photo"], ["sticker", "sticker"], ["document", "document"], ["video", "video"], ["vcard", "other"]]) {
      expect(input({ type: type as string })).toMatchObject({ type: "media", media });
    }
    // A message id longer than any real one is not taken as a media reference: the message is ignored.
    expect(whatsappInbound({ ...wa.message(PERSON, { type: "ptt" }), id: { _serialized: "x".repeat(MAX_MEDIA_REF_BYTES + 1) } }, NOW)).toEqual({
      ignored: `media reference over ${MAX_MEDIA_REF_BYTES} bytes`,
    });
    // Newer WhatsApp accounts write from a linked id (@lid): still a person.
    expect(whatsappInbound(wa.message("245896994390182@lid", { body: "hi" }), NOW)).toMatchObject({ address: "245896994390182@lid" });
    expect((whatsappInbound(wa.message(PERSON, { body: "hi" }), NOW) as Inbound).language).toBeUndefined();
  });
});

describe("whatsapp: connection", () => {
  it("reconnects after a disconnection with doubling waits, capped, until a client is ready again", async () => {
    const waits: number[] = [];
    const { wa, channel, logs } = setup({ sleep: async (ms) => void waits.push(ms), startups: ["ready", "fail", "fail", "fail", "fail"] });
    await channel.start(async () => undefined);
    await until(() => channel.health().state === "ready");
    const first = wa.current;
    first.emit("disconnected", "NAVIGATION");
    expect(channel.health()).toMatchObject({ state: "reconnecting", detail: "disconnected: NAVIGATION" });
    await until(() => channel.health().state === "ready");
    expect(first.destroyed).toBe(true);
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(wa.clients).toHaveLength(6);
    expect(logs.filter((l) => l.includes("reconnecting in"))).toEqual([
      "whatsapp: disconnected: NAVIGATION; reconnecting in 1000 ms (attempt 1)",
      expect.stringContaining("reconnecting in 2000 ms (attempt 2)"),
      expect.stringContaining("reconnecting in 4000 ms (attempt 3)"),
      expect.stringContaining("reconnecting in 8000 ms (attempt 4)"),
      expect.stringContaining("reconnecting in 8000 ms (attempt 5)"),
    ]);
    expect(logs).toContain("whatsapp: ready");
    // Back at the start of the ladder after a good connection.
    wa.current.emit("disconnected", "CONFLICT");
    await until(() => channel.health().state === "ready");
    expect(waits.at(-1)).toBe(1_000);
    await channel.stop();
    expect(channel.health().state).toBe("stopped");
  });

  it("hands over messages from the new session after reconnecting, and sending waits for the connection", async () => {
    let release: () => void = () => undefined;
    const { wa, channel } = setup({ sleep: () => new Promise<void>((r) => (release = r)) });
    const got: Inbound[] = [];
    await channel.start(async (i) => void got.push(i));
    await until(() => channel.health().state === "ready");
    wa.current.emit("disconnected", "UNPAIRED");
    const message = { key: "needs:intro", params: {}, lang: "en", choices: [] };
    const error = await channel.send(PERSON, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RecipientGoneError);
    release();
    await until(() => channel.health().state === "ready");
    wa.receive(wa.message(PERSON, { body: "back" }));
    await channel.idle();
    expect(got.map((i) => i.input)).toEqual([{ type: "text", text: "back" }]);
    expect(await channel.send(PERSON, message)).toEqual({ providerMessageId: expect.stringContaining(PERSON) });
  });

  it("shows the login QR code in the terminal, writes it as a PNG in the data folder, and says where", async () => {
    const { channel, dataDir, logs, drawn, wa } = setup({ startups: ["qr"] });
    await channel.start(async () => undefined);
    const png = join(dataDir, "whatsapp", "login-qr.png");
    await until(() => existsSync(png) && drawn().length > 0);
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(drawn()).toMatch(/[▀▄█]/);
    await until(() => logs.some((l) => l.includes(png)));
    expect(channel.health().state).toBe("starting");
    // Once the phone is linked, the code is of no use: it goes.
    wa.current.emit("ready");
    await until(() => !existsSync(png));
    expect(channel.health().state).toBe("ready");
  });

  it("refuses to start, before launching anything, when Chromium is not where CHROMIUM_PATH says", async () => {
    const channel = new WhatsAppChannel({
      texts,
      createClient: whatsappWebClient({ dataDir: mkdtempSync(join(tmpdir(), "inloco-wa-")), chromiumPath: "/nonexistent/chromium" }),
      dataDir: tmpdir(),
      log: silentLog,
    });
    const error = await channel.start(async () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChromiumMissingError);
    expect((error as Error).message).toBe(
      "whatsapp: no Chromium at /nonexistent/chromium. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
    expect(channel.health()).toMatchObject({ state: "failed" });
  });

  it("keeps trying when WhatsApp Web can't be reached at start", async () => {
    const waits: number[] = [];
    const { channel } = setup({ sleep: async (ms) => void waits.push(ms), startups: ["fail"] });
    await channel.start(async () => undefined);
    await until(() => channel.health().state === "ready");
    expect(waits).toEqual([1_000]);
  });
});
