// The contract every channel passes: the same tests, run against each adapter through a harness that
// plays the platform (a fake Bot API server, a fake WhatsApp Web client, a terminal's streams). The
// conversation tests run the channel in front of the real pipeline (Pipeline.accept, the inbound and
// outbound workers, a real PostgreSQL; the in-memory broker), so "delivered twice is answered once"
// is the product's dedupe, not a test double's.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RecipientGoneError, type Channel, type ChannelName, type Inbound, type InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { pipelineHost, type PipelineHost } from "../support/pipeline-host.ts";
import { channelContext, channelTexts } from "./context.ts";

/** One message as the person sees it. */
export interface Shown {
  text: string;
  /** Buttons under or below the message (inline or reply keyboard). */
  buttons: string[];
  /** A button that shares the person's location. */
  asksLocation: boolean;
}

/** What a person does. */
export type Action =
  | { text: string }
  /** Pick the option shown with this label: tap its button, or type its number. */
  | { choose: string }
  /** Pick several: toggle each and tap Done, or type their numbers. */
  | { chooseAll: string[] }
  /** Leave an optional question out: the Skip button, or typing SKIP. */
  | { skip: true }
  | { location: [number, number] }
  | { voice: string }
  /** Open a deep link with this start payload ("" for a plain start). */
  | { start: string };

export interface Driver {
  channel: Channel;
  /** Do what the person does and wait until the channel has dealt with it. */
  act(action: Action): Promise<void>;
  /** Everything the person has been shown so far, oldest first. */
  shown(): Shown[];
  /** The platform delivers the person's last message again. */
  redeliver(): Promise<void>;
  /** The person blocks the bot (or their account goes): sending to them fails from now on. */
  block(): void;
  close(): Promise<void>;
}

export interface ChannelHarness {
  name: ChannelName;
  /** The person's address on this platform. */
  person: string;
  /** What the platform lets a person send besides text, and whether it shows buttons. */
  can: { location: boolean; voice: boolean; buttons: boolean };
  /** Start the channel, with the inbound handler made for it. */
  open(texts: Texts, handler: (channel: Channel) => InboundHandler): Promise<Driver>;
}

const plain = (s: string) => s.replace(/[\u2068\u2069]/g, "");
const visible = (s: Shown) => plain([s.text, ...s.buttons].join("\n"));
/** The number a text channel shows next to a label ("2. Val di Susa"), or a bare scale number. */
export function numberOf(text: string, label: string): number | undefined {
  for (const line of plain(text).split("\n")) {
    const m = /^(\d+)\. (.+)$/.exec(line);
    if (m && m[2] === label) return Number(m[1]);
    if (line === label && /^\d+$/.test(label)) return Number(label);
  }
  return undefined;
}

export function channelContract(harness: ChannelHarness): void {
  const texts = channelTexts();
  const en = (key: string, params = {}) => plain(texts.t("en", key, params));
  let driver: Driver | undefined;
  let host: PipelineHost | undefined;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.prisma);
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
    await host?.close();
    host = undefined;
  });

  async function recording(): Promise<{ driver: Driver; got: Inbound[] }> {
    const got: Inbound[] = [];
    driver = await harness.open(texts, () => async (inbound) => void got.push(inbound));
    return { driver, got };
  }

  /**
   * The channel in front of the real pipeline. The driver's actions (and redeliveries) return once the
   * channel handed the message over and the pipeline has done everything it queued: replies included.
   */
  async function hosted(): Promise<{ driver: Driver; host: PipelineHost }> {
    if (!db) throw new Error("no test database");
    const database = db;
    let made: Promise<PipelineHost> | undefined;
    const opened = await harness.open(texts, (channel) => {
      made = pipelineHost(database, channelContext(), channel);
      // The channel calls the handler only once it has been started; the host is ready by then.
      return async (inbound) => (await (made as Promise<PipelineHost>)).onInbound(inbound);
    });
    if (!made) throw new Error("the harness did not ask for a handler");
    const h = (host = await made);
    driver = opened;
    const settled: Driver = {
      ...opened,
      channel: opened.channel,
      act: async (action) => {
        try {
          await opened.act(action);
        } finally {
          await h.idle();
        }
      },
      redeliver: async () => {
        await opened.redeliver();
        await h.idle();
      },
      shown: () => opened.shown(),
      block: () => opened.block(),
      close: () => opened.close(),
    };
    return { driver: settled, host: h };
  }

  /** One action, and the single inbound it produced. */
  async function inboundOf(d: { driver: Driver; got: Inbound[] }, action: Action): Promise<Inbound> {
    const before = d.got.length;
    await d.driver.act(action);
    const produced = d.got.slice(before);
    expect(produced).toHaveLength(1);
    const inbound = produced[0] as Inbound;
    expect(inbound.channel).toBe(harness.name);
    expect(inbound.address).toBe(harness.person);
    expect(inbound.messageId).not.toBe("");
    expect(Number.isNaN(Date.parse(inbound.at))).toBe(false);
    return inbound;
  }

  const menu: Message = {
    key: "main:menu.question",
    params: {},
    lang: "en",
    node: "menu",
    expects: "choice",
    choices: [
      { id: "needs", key: "main:menu.needs" },
      { id: "feedback", key: "main:menu.feedback" },
      { id: "events", key: "main:menu.events" },
    ],
  };

  async function lastShownAfterSending(message: Message): Promise<Shown> {
    const d = driver ?? (await recording()).driver;
    await d.channel.send(harness.person, message);
    const shown = d.shown().at(-1);
    if (!shown) throw new Error("nothing shown");
    return shown;
  }

  describe(`${harness.name} channel contract`, () => {
    describe("inbound", () => {
      it("hands over text as text", async () => {
        const d = await recording();
        expect((await inboundOf(d, { text: "I need a doctor" })).input).toEqual({ type: "text", text: "I need a doctor" });
      });

      it("hands over a picked option as that option (or its number) for the question asked", async () => {
        const d = await recording();
        await d.driver.channel.send(harness.person, menu);
        const { input } = await inboundOf(d, { choose: en("main:menu.feedback") });
        expect([{ type: "choice", id: "feedback", node: "menu" }, { type: "text", text: "2" }]).toContainEqual(input);
      });

      it("hands over a deep link's start payload as a start with territory and event (an event opens its RSVP)", async () => {
        const d = await recording();
        const { input } = await inboundOf(d, { start: "t-valsusa__e-42" });
        expect(input).toEqual({ type: "start", flow: "rsvp", params: { territory: "valsusa", event: "42" } });
      });

      if (harness.can.location) {
        it("hands over a shared location as coordinates", async () => {
          const d = await recording();
          expect((await inboundOf(d, { location: [45.13, 7.04] })).input).toEqual({ type: "location", lat: 45.13, lon: 7.04 });
        });
      }

      if (harness.can.voice) {
        it("hands over a voice note as voice media with a reference to fetch it", async () => {
          const d = await recording();
          const { input } = await inboundOf(d, { voice: "voice-1" });
          expect(input).toMatchObject({ type: "media", media: "voice" });
          expect((input as { ref: string }).ref).not.toBe("");
        });
      }
    });

    describe("outbound", () => {
      it("shows a plain message", async () => {
        const shown = await lastShownAfterSending({ key: "needs:intro", params: {}, lang: "en", choices: [] });
        expect(plain(shown.text)).toBe(en("needs:intro"));
        expect(shown.buttons).toEqual([]);
      });

      it("shows a single choice with every option", async () => {
        const shown = await lastShownAfterSending(menu);
        expect(plain(shown.text)).toContain(en("main:menu.question"));
        for (const c of menu.choices) expect(visible(shown)).toContain(en(c.key));
      });

      it("shows a multiple choice as several options that can be picked together", async () => {
        const keys = ["needs:work.degree", "needs:work.vocational", "needs:work.trade"];
        const shown = await lastShownAfterSending({
          key: "needs:work.skills",
          params: {},
          lang: "en",
          node: "skills",
          expects: "multiple_choice",
          choices: keys.map((key, i) => ({ id: `o${i}`, key })),
        });
        for (const key of keys) expect(visible(shown)).toContain(en(key));
        if (harness.can.buttons) expect(shown.buttons).toContain(en("common:button_done"));
        else expect(plain(shown.text)).toContain(en("common:multiple_line"));
      });

      it("shows yes and no", async () => {
        const shown = await lastShownAfterSending({
          key: "needs:health.doctor",
          params: {},
          lang: "en",
          node: "health",
          expects: "choice",
          choices: [
            { id: "yes", key: "common:yes" },
            { id: "no", key: "common:no" },
          ],
        });
        expect(visible(shown)).toContain("Yes");
        expect(visible(shown)).toContain("No");
      });

      it("shows a scale with its numbers and the labels of its ends", async () => {
        const shown = await lastShownAfterSending({
          key: "needs:language.level",
          params: {},
          lang: "en",
          node: "language_level",
          expects: "choice",
          choices: [1, 2, 3, 4, 5].map((n) => ({
            id: String(n),
            key: n === 1 ? "needs:language.level_1" : n === 5 ? "needs:language.level_5" : "common:scale_point",
            params: { n },
            n,
          })),
        });
        for (const n of [1, 2, 3, 4, 5]) {
          expect(shown.buttons.includes(String(n)) || numberOf(shown.text, n === 1 ? "Not at all" : n === 5 ? "Very well" : String(n)) === n).toBe(true);
        }
        expect(visible(shown)).toContain("Not at all");
        expect(visible(shown)).toContain("Very well");
      });

      it("shows the language menu with each language's name in its own script", async () => {
        const shown = await lastShownAfterSending({
          key: "session:choose_language",
          params: {},
          lang: "en",
          expects: "choice",
          choices: ["en", "ar", "uk"].map((code) => ({ id: code, key: "meta:name", lang: code })),
        });
        const names = ["en", "ar", "uk"].map((code) => plain(texts.t(code, "meta:name")));
        for (const name of names) expect(visible(shown)).toContain(name);
        expect(names[1]).toMatch(/\p{Script=Arabic}/u);
        expect(names[2]).toMatch(/\p{Script=Cyrillic}/u);
      });

      it("asks for a location (with a button to share it where the platform has one)", async () => {
        const shown = await lastShownAfterSending({ key: "onboarding:municipality", params: {}, lang: "en", node: "municipality", expects: "location", choices: [] });
        expect(plain(shown.text)).toContain(en("onboarding:municipality"));
        if (harness.can.location && harness.can.buttons) expect(shown.asksLocation).toBe(true);
      });

      it("offers to skip an optional question", async () => {
        const shown = await lastShownAfterSending({ key: "needs:education.children", params: {}, lang: "en", node: "children", expects: "number", optional: true, choices: [] });
        expect(shown.buttons.includes(en("common:button_skip")) || plain(shown.text).includes(en("common:skip_line"))).toBe(true);
      });

      it("fails with RecipientGoneError when the person has blocked the bot", async () => {
        const { driver: d } = await recording();
        d.block();
        await expect(d.channel.send(harness.person, { key: "needs:intro", params: {}, lang: "en", choices: [] })).rejects.toBeInstanceOf(RecipientGoneError);
      });
    });

    describe("conversation", () => {
      /** From a first contact to the territory question, in English. */
      async function toTerritory(d: Driver): Promise<void> {
        await d.act({ start: "" });
        expect(visible(d.shown().at(-1) as Shown)).toContain("Українська");
        await d.act({ choose: "English" });
        expect(plain(d.shown().at(-1)?.text ?? "")).toContain("Do you agree?");
        await d.act({ choose: "Yes" });
        expect(plain(d.shown().at(-1)?.text ?? "")).toContain(en("onboarding:territory.question"));
      }

      it("answers a whole first contact: language, consent, territory, contact preference, menu", async () => {
        const { driver: d, host } = await hosted();
        await toTerritory(d);
        await d.act({ choose: en("onboarding:territory.valsusa") });
        expect(plain(d.shown().at(-1)?.text ?? "")).toContain(en("onboarding:contact.question"));
        await d.act({ choose: "Yes" });
        expect(plain(d.shown().at(-1)?.text ?? "")).toContain(en("main:menu.question"));
        const person = await host.person(harness.person);
        expect(person?.territoryId).toBe("valsusa");
        expect(person?.answers.map((a) => `${a.flowId}.${a.resultName}`)).toEqual(["onboarding.language", "onboarding.territory", "onboarding.contact_pref"]);
      });

      it("after STOP, sends nothing more", async () => {
        const { driver: d } = await hosted();
        await toTerritory(d);
        await d.act({ text: "STOP" });
        expect(plain(d.shown().at(-1)?.text ?? "")).toBe(en("session:stopped"));
        const count = d.shown().length;
        await d.act({ text: "hello?" });
        await d.act({ choose: en("onboarding:territory.torino") }).catch(() => undefined);
        expect(d.shown()).toHaveLength(count);
      });

      it("changing the language mid-question asks the same question again in the new language", async () => {
        const { driver: d } = await hosted();
        await toTerritory(d);
        await d.act({ text: "language" });
        await d.act({ choose: "Українська" });
        const [changed, question] = d.shown().slice(-2).map((s) => plain(s.text));
        expect(changed).toBe(plain(texts.t("uk", "session:language_changed")));
        expect(question).toContain(plain(texts.t("uk", "onboarding:territory.question")));
        expect(question).not.toContain(en("onboarding:territory.question"));
      });

      it("a message delivered twice is answered once", async () => {
        const { driver: d, host } = await hosted();
        await toTerritory(d);
        await d.act({ text: "Val di Susa" });
        const count = d.shown().length;
        await d.redeliver();
        expect(d.shown()).toHaveLength(count);
        expect(host.received.slice(-2).map((i) => i.messageId), "the channel handed the same delivery over twice").toEqual([host.received.at(-1)?.messageId, host.received.at(-1)?.messageId]);
        const territory = (await host.person(harness.person))?.answers.filter((a) => a.resultName === "territory");
        expect(territory).toHaveLength(1);
      });

      it("a person who blocked the bot makes the send fail with RecipientGoneError, and nothing else breaks", async () => {
        const { driver: d, host } = await hosted();
        await d.act({ start: "" });
        d.block();
        await d.act({ choose: "English" }).catch(() => undefined);
        await d.act({ text: "1" });
        expect(host.failures.length).toBeGreaterThan(0);
        for (const f of host.failures) expect(f.error).toBeInstanceOf(RecipientGoneError);
      });
    });
  });
}
