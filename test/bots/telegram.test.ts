// Telegram end to end: real updates through a fake Bot API server (long polling and webhook), the
// converter and renderer on their own, and how send failures come out.
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { TelegramChannel } from "../../bots/telegram/index.ts";
import { readCallbackData, writeCallbackData } from "../../bots/telegram/callback-data.ts";
import { telegramInbound } from "../../bots/telegram/inbound.ts";
import { splitText, telegramOutbound } from "../../bots/telegram/outbound.ts";
import { MAX_MEDIA_REF_BYTES, PermanentSendError, RateLimitedError, RecipientGoneError, type Inbound } from "../../src/channel/contract.ts";
import { checkHealth } from "../../src/app/health.ts";
import type { HttpServer } from "../../src/app/http.ts";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { normalize, wordsOf, type Message } from "../../src/engine/index.ts";
import { Texts } from "../../src/i18n/texts.ts";
import { waitFor } from "../queue/helpers.ts";
import { freePort } from "../support/free-port.ts";
import { testHost, type TestHost } from "../support/host.ts";
import { channelContext, channelTexts } from "./context.ts";
import type { Action, Driver } from "./contract.ts";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "./fake-bot-api.ts";
import { portOf, postUpdate, serveChannel, telegramHarness, telegramView } from "./harnesses.ts";
import { logInto } from "../support/log.ts";

const texts = channelTexts();
const en = (key: string) => texts.t("en", key);
const CHAT = 4242;
const SECRET = "s3cret-Token_1";
const NOW = new Date("2026-11-25T10:00:00Z");
const intro: Message = { key: "needs:intro", params: {}, lang: "en", choices: [] };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(mode: "polling" | "webhook"): Promise<{ driver: Driver; host: TestHost; api: FakeBotApi }> {
  const harness = telegramHarness(mode);
  let host: TestHost | undefined;
  const driver = await harness.open(texts, (channel) => (host = testHost(channelContext(), channel)).onInbound);
  cleanups.push(() => driver.close());
  if (!host || !harness.api) throw new Error("not opened");
  return { driver, host, api: harness.api };
}

/** A channel on a fresh fake API (or at `apiRoot`), with a handler that records what it is given. */
async function recordingChannel(o: { webhook?: boolean; fail?: (api: FakeBotApi) => void; apiRoot?: string; callTimeoutMs?: number } = {}) {
  const api = o.apiRoot ? undefined : await FakeBotApi.start();
  if (api) o.fail?.(api);
  const got: Inbound[] = [];
  const logs: string[] = [];
  const channel = new TelegramChannel({
    token: BOT_TOKEN,
    texts,
    apiRoot: o.apiRoot ?? api?.url,
    reachRetry: { initialMs: 20, maxMs: 200 },
    ...(o.callTimeoutMs ? { callTimeoutMs: o.callTimeoutMs } : {}),
    pollTimeoutSeconds: 5,
    retry: { initialMs: 5, maxMs: 20 },
    log: logInto(logs),
    ...(o.webhook ? { webhook: { url: "https://bot.example.org/telegram/hook", secret: SECRET } } : {}),
  });
  // Webhook mode: the channel's route on an HTTP server of the process's kind (the app's has one per process).
  const http = o.webhook ? await serveChannel(channel) : undefined;
  cleanups.push(async () => {
    await channel.stop();
    await http?.close();
    await api?.close();
  });
  return { api: api as FakeBotApi, channel, http: http as HttpServer, got, logs, handler: async (i: Inbound) => void got.push(i) };
}

const last = (api: FakeBotApi) => api.messages(CHAT).at(-1);

describe("telegram: a whole needs survey through real updates", () => {
  // Each step: what the person does, then what they should see last.
  const survey: Array<[Action, string]> = [
    [{ start: "t-valsusa" }, "onboarding:language"],
    [{ choose: "English" }, "onboarding:consent"],
    [{ choose: "Yes" }, "onboarding:contact.question"],
    [{ choose: "Yes" }, "main:menu.question"],
    [{ choose: en("main:menu.needs") }, "needs:housing.question"],
    [{ choose: en("needs:housing.friends") }, "needs:housing.help"],
    [{ choose: "Yes" }, "needs:work.question"],
    [{ choose: en("needs:work.looking") }, "needs:work.skills"],
    [{ chooseAll: [en("needs:work.degree"), en("needs:work.licence")] }, "needs:work.recognition"],
    [{ skip: true }, "needs:language.level"],
    [{ choose: "3" }, "needs:language.course"],
    [{ choose: en("needs:language.wants") }, "needs:health.doctor"],
    [{ choose: "No" }, "needs:health.needs"],
    [{ chooseAll: [en("needs:health.find_doctor"), en("needs:health.dental")] }, "needs:documents.question"],
    [{ choose: en("needs:documents.asylum") }, "needs:documents.legal_help"],
    [{ choose: "Yes" }, "needs:education.children"],
    [{ text: "2" }, "needs:education.childcare"],
    [{ chooseAll: [en("needs:education.school")] }, "needs:education.own_study"],
    [{ choose: "Yes" }, "needs:social.connected"],
    [{ choose: "4" }, "needs:social.wish"],
    [{ chooseAll: [en("needs:social.sport"), en("needs:social.volunteering")] }, "needs:priority.question"],
    [{ choose: en("needs:priority.housing") }, "needs:anything_else"],
    [{ voice: "AwACAgQAAxkBAAIBvoice" }, "main:menu.bye"],
  ];

  for (const mode of ["polling", "webhook"] as const) {
    it(`records every answer, from the deep link to the thanks (${mode})`, async () => {
      const { driver, host, api } = await open(mode);
      for (const [action, key] of survey) {
        await driver.act(action);
        expect(last(api)?.text, JSON.stringify(action)).toContain(en(key).split("{{")[0]?.slice(0, 40));
      }
      const answers = Object.fromEntries(
        host
          .eventsOf("telegram", String(CHAT))
          .flatMap((e) => (e.type === "answer.recorded" && e.flow === "needs" ? [[e.question, e.skipped ? "skipped" : e.value]] : [])),
      );
      expect(answers).toMatchObject({
        housing: { kind: "choice", choices: ["friends"] },
        housing_help: { kind: "choice", choices: ["yes"] },
        work: { kind: "choice", choices: ["looking"] },
        skills: { kind: "choice", choices: ["degree", "licence"] },
        recognition: "skipped",
        language_level: { kind: "number", number: 3 },
        language_course: { kind: "choice", choices: ["wants"] },
        health: { kind: "choice", choices: ["no"] },
        health_needs: { kind: "choice", choices: ["doctor", "dental"] },
        documents: { kind: "choice", choices: ["asylum"] },
        legal_help: { kind: "choice", choices: ["yes"] },
        children: { kind: "number", number: 2 },
        childcare: { kind: "choice", choices: ["school"] },
        own_study: { kind: "choice", choices: ["yes"] },
        social: { kind: "number", number: 4 },
        social_wish: { kind: "choice", choices: ["sport", "volunteering"] },
        priority: { kind: "choice", choices: ["housing"] },
        anything_else: { kind: "media", media: "voice", ref: "AwACAgQAAxkBAAIBvoice" },
      });
      const events = host.eventsOf("telegram", String(CHAT));
      expect(events).toContainEqual(expect.objectContaining({ type: "emitted", name: "survey.completed", data: expect.objectContaining({ territory: "valsusa" }) }));
      // Every tap was answered, and no question was left with a keyboard once answered.
      expect(api.callsOf("answerCallbackQuery").length).toBeGreaterThanOrEqual(survey.filter(([a]) => "choose" in a || "chooseAll" in a || "skip" in a).length);
      const housing = api.messages(CHAT).find((m) => m.text.startsWith(en("needs:housing.question")));
      expect(housing?.text).toBe(`${en("needs:housing.question")}\n\n✔ ${en("needs:housing.friends")}`);
      expect(housing?.reply_markup).toBeUndefined();
    });
  }
});

describe("telegram: buttons", () => {
  it("a tap answers, removes the keyboard and shows the chosen option under the question", async () => {
    const { driver, api } = await open("polling");
    await driver.act({ start: "" });
    const menu = last(api);
    expect(menu?.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["English", "العربية", "Українська"]);
    await driver.act({ choose: "Українська" });
    const edited = api.messages(CHAT).find((m) => m.message_id === menu?.message_id);
    expect(edited?.reply_markup).toBeUndefined();
    expect(edited?.text.endsWith("\n\n✔ Українська")).toBe(true);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
  });

  it("toggles switch ✔ on and off in the keyboard; only Done answers, with what is on", async () => {
    const { driver, host, api } = await open("polling");
    const steps: Action[] = [
      { start: "" },
      { choose: "English" },
      { choose: "Yes" },
      { choose: en("onboarding:territory.torino") },
      { choose: "Yes" },
      { choose: en("main:menu.needs") },
      { choose: en("needs:housing.stable") },
      { choose: en("needs:work.looking") },
    ];
    for (const step of steps) {
      await driver.act(step);
    }
    const skills = last(api);
    const question = skills?.text;
    expect(question).toContain(en("needs:work.skills"));
    const received = host.received.length;
    const tap = async (label: string) => {
      api.push(api.tapUpdate(CHAT, label));
      await api.settled();
    };
    await tap(en("needs:work.degree"));
    await tap(en("needs:work.trade"));
    await tap(en("needs:work.degree"));
    const keyboard = () => last(api)?.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
    expect(keyboard()).toContain(`✔ ${en("needs:work.trade")}`);
    expect(keyboard()).toContain(en("needs:work.degree"));
    expect(keyboard()).toContain(en("common:button_done"));
    // Toggling hands nothing over: the question is still waiting.
    expect(host.received).toHaveLength(received);
    expect(api.callsOf("editMessageReplyMarkup")).toHaveLength(3);
    await tap(en("common:button_done"));
    expect(host.received.at(-1)?.input).toEqual({ type: "choices", ids: ["trade"], node: "skills" });
    expect(api.messages(CHAT).find((m) => m.message_id === skills?.message_id)?.text).toBe(`${question}\n\n✔ ${en("needs:work.trade")}`);
    expect(last(api)?.text).toContain(en("needs:language.level"));
  });

  it("a location question asks with a reply keyboard button, and the next message without buttons removes it", async () => {
    const { driver, api } = await open("polling");
    for (const step of [{ start: "" }, { choose: "English" }, { choose: "Yes" }, { choose: en("onboarding:territory.other") }] as Action[]) await driver.act(step);
    const question = api.messages(CHAT).at(-1);
    expect(question?.text).toContain(en("onboarding:municipality"));
    expect(telegramView(question!).asksLocation).toBe(true);
    expect(question?.sentMarkup).toMatchObject({ one_time_keyboard: true, resize_keyboard: true });
    await driver.act({ location: [45.07, 7.69] });
    await driver.act({ choose: "Yes" });
    const done = api.messages(CHAT).find((m) => m.text.includes(en("onboarding:done")));
    expect(done?.sentMarkup).toEqual({ remove_keyboard: true });
  });
});

describe("telegram: updates that must not be answered", () => {
  it("an edited message is never answered again", async () => {
    const { driver, host, api } = await open("polling");
    await driver.act({ start: "" });
    const sent = api.messages(CHAT).length;
    const original = api.textUpdate(CHAT, "English");
    api.push({ edited_message: { ...original.message!, edit_date: 1_764_064_900 } } as Omit<Update, "update_id">);
    await api.settled();
    expect(api.messages(CHAT)).toHaveLength(sent);
    expect(host.received).toHaveLength(1);
  });

  it("a group chat is ignored; being added to a group gets one polite message in the adder's language", async () => {
    const { host, api } = await open("polling");
    const group = -100200300;
    api.push(api.textUpdate(group, "/start", { chatType: "group" }));
    api.push({
      my_chat_member: {
        chat: { id: group, type: "group", title: "Neighbours" },
        from: { id: 77, is_bot: false, first_name: "Mario", language_code: "uk" },
        date: 1_764_064_800,
        old_chat_member: { status: "left", user: { id: BOT_INFO.id, is_bot: true, first_name: "In Loco" } },
        new_chat_member: { status: "member", user: { id: BOT_INFO.id, is_bot: true, first_name: "In Loco" } },
      },
    } as Omit<Update, "update_id">);
    api.push(api.textUpdate(group, "hello everyone", { chatType: "group" }));
    await api.settled();
    expect(host.received).toHaveLength(0);
    const greetings = api.messages(group);
    expect(greetings).toHaveLength(1);
    expect(greetings[0]?.text).toBe(texts.t("uk", "telegram:group_added", { bot: `@${BOT_INFO.username}` }));
  });

  it("the same update_id delivered twice is handed over twice but answered once", async () => {
    const { driver, host, api } = await open("polling");
    const update = api.push(api.textUpdate(CHAT, "/start"));
    await api.settled();
    const sent = api.messages(CHAT).length;
    api.push(update);
    await api.settled();
    expect(host.received.map((i) => i.messageId)).toEqual([String(update.update_id), String(update.update_id)]);
    expect(api.messages(CHAT)).toHaveLength(sent);
    await driver.act({ choose: "English" });
    expect(api.messages(CHAT).length).toBeGreaterThan(sent);
  });
});

describe("telegram: webhook", () => {
  it("registers the webhook with its secret and answers only requests that carry it", async () => {
    const { api, channel, http, got, handler } = await recordingChannel({ webhook: true });
    await channel.start(handler);
    expect(api.callsOf("setWebhook")).toEqual([
      { url: "https://bot.example.org/telegram/hook", secret_token: SECRET, allowed_updates: ["message", "callback_query", "my_chat_member"] },
    ]);
    const update = { update_id: 9, ...api.textUpdate(CHAT, "hello") };
    expect((await postUpdate(http, update, undefined)).status).toBe(401);
    expect((await postUpdate(http, update, "wrong-secret")).status).toBe(401);
    expect((await postUpdate(http, update, `${SECRET}x`)).status).toBe(401);
    expect((await postUpdate(http, update, SECRET, "/elsewhere")).status).toBe(404);
    expect(got).toHaveLength(0);
    const bad = await fetch(`http://127.0.0.1:${portOf(http)}/telegram/hook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": SECRET },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(got).toHaveLength(0);
    expect((await postUpdate(http, update, SECRET)).status).toBe(200);
    expect(got.map((i) => i.input)).toEqual([{ type: "text", text: "hello" }]);
    const health = await fetch(`http://127.0.0.1:${portOf(http)}/healthz`);
    expect(await health.json()).toEqual({ channel: "telegram", state: "ready" });
  });

  it("answers 500 when the update can't be handed over, so Telegram delivers it again", async () => {
    const { api, channel, http } = await recordingChannel({ webhook: true });
    let fail = true;
    const got: Inbound[] = [];
    await channel.start(async (i) => {
      if (fail) throw new Error("queue unavailable");
      got.push(i);
    });
    const update = { update_id: 10, ...api.textUpdate(CHAT, "hello") };
    expect((await postUpdate(http, update, SECRET)).status).toBe(500);
    fail = false;
    expect((await postUpdate(http, update, SECRET)).status).toBe(200);
    expect(got.map((i) => i.messageId)).toEqual(["10"]);
  });
});

describe("telegram: updates of a shape we don't handle", () => {
  // Telegram delivers a webhook update again for a day unless it gets a 2xx, and a poller must not stall.
  const noChat = (update_id: number) => ({ update_id, message: { message_id: 1, date: 1_764_064_800, text: "hello" } });
  const textChatId = (update_id: number) => ({
    update_id,
    message: { message_id: 2, date: 1_764_064_800, chat: { id: "not-a-number", type: "private" }, from: { id: 5, is_bot: false, first_name: "Ada" }, text: "hello" },
  });
  const tapWithoutFrom = (update_id: number) => ({ update_id, callback_query: { id: "q1", chat_instance: "c", data: "x" } });

  it("webhook: each is answered 200 with one log line naming the update, and nothing is handed over", async () => {
    const { api, channel, http, got, handler, logs } = await recordingChannel({ webhook: true });
    await channel.start(handler);
    logs.length = 0;
    for (const update of [noChat(20), textChatId(21), tapWithoutFrom(22)]) expect((await postUpdate(http, update, SECRET)).status).toBe(200);
    expect(got).toHaveLength(0);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatch(/^telegram: update 20 dropped: malformed update: message\.chat/);
    expect(logs[1]).toMatch(/^telegram: update 21 dropped: malformed update: message\.chat\.id/);
    expect(logs[2]).toMatch(/^telegram: update 22 dropped: malformed update: callback_query\.from/);
    // Field names only: never the text or the value that was wrong.
    expect(logs.join("\n")).not.toMatch(/hello|not-a-number/);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(0);
    expect((await postUpdate(http, { update_id: 23, ...api.textUpdate(CHAT, "hello") }, SECRET)).status).toBe(200);
    expect(got.map((i) => i.messageId)).toEqual(["23"]);
  });

  it("polling: they are dropped with a log line and the updates after them go through", async () => {
    const { api, channel, got, handler, logs } = await recordingChannel();
    await channel.start(handler);
    for (const update of [noChat(30), textChatId(31), tapWithoutFrom(32)]) api.push(update as unknown as Update);
    api.push(api.textUpdate(CHAT, "after"));
    await api.settled();
    expect(got.map((i) => i.input)).toEqual([{ type: "text", text: "after" }]);
    expect(logs.filter((l) => l.includes("dropped"))).toHaveLength(3);
    expect(channel.health().state).toBe("ready");
  });

  it("the converter refuses a chat id that is not an integer, and anything the contract would refuse", () => {
    const at = (message: Record<string, unknown>) =>
      telegramInbound({ update_id: 1, message: { message_id: 1, date: 1, from: { id: 5, is_bot: false, first_name: "A" }, ...message } } as unknown as Update, NOW);
    for (const id of ["42", 4.5, null]) expect(at({ chat: { id, type: "private" }, text: "x" })).toMatchObject({ malformed: true });
    expect(at({ chat: { id: 42, type: "private" }, voice: { file_id: 7, duration: 1 } })).toMatchObject({ malformed: true, ignored: expect.stringContaining("inbound.input") });
    expect(at({ chat: { id: 42, type: "private" }, text: "x" })).toMatchObject({ address: "42", input: { type: "text", text: "x" } });
  });
});

describe("telegram: start and polling", () => {
  it("asks getMe, registers the commands in every language with its own descriptions, and polls", async () => {
    const { api, channel, handler } = await recordingChannel();
    await channel.start(handler);
    expect(channel.username).toBe(BOT_INFO.username);
    expect(api.callsOf("getMe")).toHaveLength(1);
    expect(api.callsOf("deleteWebhook")).toHaveLength(1);
    const commands = api.callsOf("setMyCommands");
    expect(commands.map((c) => c.language_code ?? "default")).toEqual(["default", "en", "ar", "uk"]);
    const ar = commands.find((c) => c.language_code === "ar");
    expect(ar?.commands).toEqual(
      ["start", "language", "help", "stop", "mydata", "delete"].map((command) => ({ command, description: texts.t("ar", `telegram:commands.${command}`) })),
    );
    expect(channel.health()).toEqual({ channel: "telegram", state: "ready" });
    await channel.stop();
    expect(channel.health().state).toBe("stopped");
  });

  it("while polling, an update that can't be handed over is retried, not lost, and later updates wait their turn", async () => {
    const { api, channel, logs } = await recordingChannel();
    let failures = 2;
    const got: string[] = [];
    await channel.start(async (i) => {
      if (failures-- > 0) throw new Error("queue unavailable");
      got.push((i.input as { text: string }).text);
    });
    api.push(api.textUpdate(CHAT, "first"));
    api.push(api.textUpdate(CHAT, "second"));
    await api.settled();
    expect(got).toEqual(["first", "second"]);
    expect(logs.filter((l) => l.includes("not handed over"))).toHaveLength(2);
  });

  it("a wrong token fails the start with Telegram's 401, and health says so", async () => {
    const { channel, handler } = await recordingChannel({ fail: (api) => api.fail("getMe", { error_code: 401, description: "Unauthorized" }) });
    await expect(channel.start(handler)).rejects.toThrow(/Unauthorized/);
    expect(channel.health()).toMatchObject({ state: "failed", detail: expect.stringContaining("Unauthorized") });
  });
});

describe("telegram: when Telegram can't be reached", () => {
  const ready = (channel: TelegramChannel) => checkHealth({ database: async () => true, queue: async () => "in-process", channels: () => [channel.health()] });

  it("at start: says so at once, tries again with backoff, is not ready until the Bot API answers, then polls", async () => {
    const port = await freePort();
    const { channel, got, handler, logs } = await recordingChannel({ apiRoot: `http://127.0.0.1:${port}` });
    const starting = channel.start(handler);
    await waitFor(() => logs.filter((l) => l.startsWith("telegram: can't reach Telegram (getMe: ")).length >= 2, "two lines about getMe failing");
    expect(logs[0]).toMatch(/^telegram: can't reach Telegram \(getMe: Network request for 'getMe' failed \(ECONNREFUSED\)\); trying again in \d+ ms$/);
    expect(channel.health()).toMatchObject({ state: "starting", detail: expect.stringContaining("can't reach Telegram") });
    expect((await ready(channel)).ok).toBe(false);
    // The request URL holds the token: it never reaches the log.
    expect(logs.join("\n")).not.toContain(BOT_TOKEN.split(":")[1]);
    const api = await FakeBotApi.start(port);
    cleanups.push(() => api.close());
    await starting;
    expect(logs).toContainEqual(expect.stringMatching(/^telegram: reached Telegram \(getMe\) after \d+ failed tr(y|ies)$/));
    expect(channel.health()).toEqual({ channel: "telegram", state: "ready" });
    expect((await ready(channel)).ok).toBe(true);
    api.push(api.textUpdate(CHAT, "hello"));
    await api.settled();
    expect(got.map((i) => i.input)).toEqual([{ type: "text", text: "hello" }]);
  });

  it("at start: a 5xx on getMe or deleteWebhook is tried again, one log line each", async () => {
    const { api, channel, handler, logs } = await recordingChannel({
      fail: (api) => {
        api.fail("getMe", { error_code: 502, description: "Bad Gateway" }, { times: 2 });
        api.fail("deleteWebhook", { error_code: 500, description: "Internal Server Error" }, { times: 1 });
      },
    });
    await channel.start(handler);
    expect(api.callsOf("getMe")).toHaveLength(3);
    expect(api.callsOf("deleteWebhook")).toHaveLength(2);
    expect(logs.filter((l) => l.startsWith("telegram: can't reach Telegram"))).toEqual([
      expect.stringContaining("(getMe: 502 Bad Gateway)"),
      expect.stringContaining("(getMe: 502 Bad Gateway)"),
      expect.stringContaining("(deleteWebhook: 500 Internal Server Error)"),
    ]);
    expect(channel.health().state).toBe("ready");
  });

  it("at start: a host that takes the connection and never answers is reported within the call's time limit, and a stop ends the start", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as { port: number }).port;
    const { channel, handler, logs } = await recordingChannel({ apiRoot: `http://127.0.0.1:${port}`, callTimeoutMs: 300 });
    const starting = channel.start(handler);
    const outcome = starting.then(
      () => "started",
      (e: unknown) => String(e),
    );
    await waitFor(() => logs.some((l) => l.includes("(getMe: no answer within 300 ms)")), "the time limit to be reported");
    expect(channel.health().state).toBe("starting");
    await channel.stop();
    expect(await outcome).toMatch(/stopped before Telegram could be reached/);
    expect(channel.health().state).toBe("stopped");
  });

  it("while polling: losing Telegram and reaching it again are logged once each, and health says reconnecting in between", async () => {
    const { api, channel, got, handler, logs } = await recordingChannel();
    await channel.start(handler);
    await waitFor(() => api.callsOf("getUpdates").length > 0, "the first poll");
    api.fail("getUpdates", { error_code: 502, description: "Bad Gateway" }, { times: 1 });
    // Wakes the poll in flight; the next one fails, and grammY polls again a few seconds later.
    api.push(api.textUpdate(CHAT, "first"));
    await waitFor(() => logs.some((l) => l.startsWith("telegram: can't reach Telegram (getUpdates: 502 Bad Gateway)")), "the outage to be logged");
    expect(channel.health()).toMatchObject({ state: "reconnecting" });
    await waitFor(() => logs.includes("telegram: reached Telegram again after 1 failed poll"), "the end of the outage to be logged", { timeoutMs: 20_000 });
    expect(channel.health()).toEqual({ channel: "telegram", state: "ready" });
    api.push(api.textUpdate(CHAT, "second"));
    await api.settled();
    expect(got.map((i) => (i.input as { text: string }).text)).toEqual(["first", "second"]);
    expect(logs.filter((l) => l.includes("getUpdates"))).toHaveLength(1);
  });
});

describe("telegram: send failures", () => {
  async function started(fail: (api: FakeBotApi) => void) {
    const c = await recordingChannel({ fail });
    await c.channel.start(c.handler);
    return c;
  }

  it("429 becomes RateLimitedError carrying retry_after", async () => {
    const { channel } = await started((api) =>
      api.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } }, { times: 1 }),
    );
    const error = await channel.send(String(CHAT), intro).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ channel: "telegram", retryAfterSeconds: 7 });
    // Waiting is the pipeline's job; the next try goes through.
    expect(await channel.send(String(CHAT), intro)).toEqual({ providerMessageId: expect.stringMatching(/^\d+$/) });
  });

  it("403 (blocked, deactivated) becomes RecipientGoneError; 400 becomes PermanentSendError", async () => {
    const { channel } = await started((api) => {
      api.fail("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" }, { chatId: 1 });
      api.fail("sendMessage", { error_code: 403, description: "Forbidden: user is deactivated" }, { chatId: 2 });
      api.fail("sendMessage", { error_code: 400, description: "Bad Request: chat not found" }, { chatId: 3 });
    });
    await expect(channel.send("1", intro)).rejects.toBeInstanceOf(RecipientGoneError);
    await expect(channel.send("2", intro)).rejects.toBeInstanceOf(RecipientGoneError);
    await expect(channel.send("3", intro)).rejects.toBeInstanceOf(PermanentSendError);
  });

  it("a network failure is thrown as it is: transient, for the pipeline to retry", async () => {
    // Not started (a polling loop would wait 3 s after its own failed getUpdates): sending needs no start.
    const { api, channel } = await recordingChannel();
    await api.close();
    const error = await channel.send(String(CHAT), intro).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RateLimitedError);
    expect(error).not.toBeInstanceOf(RecipientGoneError);
    expect(error).not.toBeInstanceOf(PermanentSendError);
  });
});

describe("telegram: converting updates", () => {
  const base = { date: 1_764_064_800, chat: { id: CHAT, type: "private", first_name: "Ada" }, from: { id: CHAT, is_bot: false, first_name: "Ada", language_code: "pt-BR" } };
  const message = (content: Record<string, unknown>, update_id = 5) => ({ update_id, message: { message_id: 1, ...base, ...content } }) as unknown as Update;

  it("keeps the update_id as the message id and the primary language subtag", () => {
    expect(telegramInbound(message({ text: "ciao" }, 77), NOW)).toEqual({
      channel: "telegram",
      address: String(CHAT),
      messageId: "77",
      input: { type: "text", text: "ciao" },
      language: "pt",
      at: NOW.toISOString(),
    });
  });

  it("reads /start with and without a payload, and /start@bot", () => {
    const input = (text: string) => (telegramInbound(message({ text }), NOW) as Inbound).input;
    expect(input("/start")).toEqual({ type: "start", params: {} });
    expect(input("/start t-valsusa")).toEqual({ type: "start", params: { territory: "valsusa" } });
    expect(input("/start@InLocoTestBot e-42")).toEqual({ type: "start", flow: "rsvp", params: { event: "42" } });
    expect(input("/start is not a payload with spaces")).toEqual({ type: "text", text: "/start is not a payload with spaces" });
  });

  it("turns each kind of media into media of that kind, with the file_id to fetch it", () => {
    const file = (id: string) => ({ file_id: id, file_unique_id: `u${id}` });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ voice: { ...file("v"), duration: 3 } }, "voice", "v"],
      [{ audio: { ...file("a"), duration: 3 } }, "audio", "a"],
      [{ photo: [{ ...file("small"), width: 90, height: 90 }, { ...file("big"), width: 1280, height: 960 }] }, "photo", "big"],
      [{ sticker: { ...file("s"), type: "regular", width: 512, height: 512, is_animated: false, is_video: false } }, "sticker", "s"],
      [{ document: file("d") }, "document", "d"],
      [{ video: { ...file("vid"), width: 1, height: 1, duration: 1 } }, "video", "vid"],
      [{ animation: { ...file("gif"), width: 1, height: 1, duration: 1 }, document: file("gif") }, "video", "gif"],
    ];
    for (const [content, media, ref] of cases) {
      expect((telegramInbound(message(content), NOW) as Inbound).input).toEqual({ type: "media", media, ref });
    }
  });

  it("ignores media whose file_id is longer than MAX_MEDIA_REF_BYTES (no real one is), and takes one at the limit", () => {
    const file = (id: string) => ({ voice: { file_id: id, file_unique_id: "u", duration: 3 } });
    const atLimit = "A".repeat(MAX_MEDIA_REF_BYTES);
    expect((telegramInbound(message(file(atLimit)), NOW) as Inbound).input).toEqual({ type: "media", media: "voice", ref: atLimit });
    for (const ref of ["A".repeat(MAX_MEDIA_REF_BYTES + 1), "é".repeat(MAX_MEDIA_REF_BYTES / 2 + 1), "x".repeat(100_000)]) {
      expect(telegramInbound(message(file(ref)), NOW)).toEqual({ ignored: `media reference over ${MAX_MEDIA_REF_BYTES} bytes` });
    }
  });

  it("ignores edits, channel posts, groups, service messages and unknown updates, saying why", () => {
    const edited = { update_id: 1, edited_message: { message_id: 1, ...base, text: "x", edit_date: 1 } } as unknown as Update;
    const post = { update_id: 2, channel_post: { message_id: 1, date: 1, chat: { id: -1, type: "channel", title: "c" }, text: "x" } } as unknown as Update;
    const group = { update_id: 3, message: { message_id: 1, ...base, chat: { id: -5, type: "supergroup", title: "g" }, text: "x" } } as unknown as Update;
    const service = message({ pinned_message: { message_id: 1, date: 0, chat: base.chat } });
    const unknown = { update_id: 4, poll_answer: { poll_id: "p", option_ids: [], user: base.from } } as unknown as Update;
    expect([edited, post, group, service, unknown].map((u) => (telegramInbound(u, NOW) as { ignored: string }).ignored)).toEqual([
      "edited message",
      "channel post",
      "group chat",
      "service message",
      "unsupported update",
    ]);
  });

  it("callback data fits in 64 bytes with the longest node and option ids, and reads back", () => {
    const node = "n".repeat(32);
    const id = "o".repeat(24);
    for (const data of [{ kind: "choice", node, id }, { kind: "toggle", node, id }, { kind: "done", node }] as const) {
      const written = writeCallbackData(data);
      expect(Buffer.byteLength(written)).toBeLessThanOrEqual(64);
      expect(readCallbackData(written)).toEqual(data);
    }
    expect(readCallbackData("something else")).toBeUndefined();
  });
});

describe("telegram: rendering", () => {
  const rows = (m: Message) => {
    const markup = telegramOutbound(m, texts).at(-1)?.payload.reply_markup;
    return markup && "inline_keyboard" in markup ? markup.inline_keyboard.map((r) => r.map((b) => b.text)) : [];
  };

  it("puts yes/no on one row, a scale's numbers on one row, and long labels one per row", () => {
    const yesNo: Message = { key: "needs:health.doctor", params: {}, lang: "en", node: "health", expects: "choice", choices: [{ id: "yes", key: "common:yes" }, { id: "no", key: "common:no" }] };
    expect(rows(yesNo)).toEqual([["Yes", "No"]]);
    const scale: Message = {
      key: "needs:language.level",
      params: {},
      lang: "en",
      node: "language_level",
      expects: "choice",
      optional: true,
      choices: [1, 2, 3, 4, 5].map((n) => ({ id: String(n), key: n === 1 ? "needs:language.level_1" : n === 5 ? "needs:language.level_5" : "common:scale_point", params: { n }, n })),
    };
    expect(rows(scale)).toEqual([["1", "2", "3", "4", "5"], [en("common:button_skip")]]);
    const [call] = telegramOutbound(scale, texts);
    expect(call?.payload.text).toBe(`${en("needs:language.level")}\n1. ${en("needs:language.level_1")}\n5. ${en("needs:language.level_5")}`);
    const menu: Message = { key: "main:menu.question", params: {}, lang: "en", node: "menu", expects: "choice", choices: ["needs", "feedback", "events"].map((id) => ({ id, key: `main:menu.${id}` })) };
    expect(rows(menu)).toEqual([[en("main:menu.needs")], [en("main:menu.feedback")], [en("main:menu.events")]]);
  });

  it("splits a text longer than 4096 characters at line breaks, the keyboard on the last part", () => {
    const long: Message = {
      key: "rsvp:attend",
      params: { title: "Festa ".repeat(500), when: "Saturday", place: `${"Piazza ".repeat(600)}\nTorino` },
      lang: "en",
      node: "attend",
      expects: "choice",
      choices: [{ id: "yes", key: "rsvp:yes" }],
    };
    const calls = telegramOutbound(long, texts);
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) expect(c.payload.text.length).toBeLessThanOrEqual(4096);
    expect(calls.slice(0, -1).every((c) => c.payload.reply_markup === undefined)).toBe(true);
    expect(calls.at(-1)?.payload.reply_markup).toHaveProperty("inline_keyboard");
    const squeeze = (t: string) => t.replace(/\s+/g, "");
    expect(squeeze(calls.map((c) => c.payload.text).join(""))).toBe(squeeze(texts.t("en", "rsvp:attend", long.params)));
  });

  it("a location question's Skip button (which sends its label as text) reads as SKIP in every shipped language", () => {
    const shipped = Texts.load(join(PROJECT_ROOT, "locales"));
    for (const lang of shipped.languages) {
      const label = shipped.t(lang, "common:button_skip");
      expect(wordsOf(shipped, lang, "parse:commands.skip").has(normalize(label)), `${lang}: "${label}"`).toBe(true);
    }
  });

  it("never cuts a character in two when a text has no place to break", () => {
    const parts = splitText("😀".repeat(3000), 4096);
    expect(parts.join("")).toBe("😀".repeat(3000));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});
