// Each channel played by its fake platform, for the shared contract suite and the channel tests.
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { InlineKeyboardButton, Update } from "grammy/types";
import { TelegramChannel } from "../../bots/telegram/index.ts";
import type { TelegramWebhookOptions } from "../../bots/telegram/receiver.ts";
import { TerminalChannel } from "../../bots/terminal/index.ts";
import { WhatsAppChannel } from "../../bots/whatsapp/index.ts";
import type { WhatsAppMessage } from "../../bots/whatsapp/inbound.ts";
import type { Inbound, InboundHandler } from "../../src/channel/contract.ts";
import { healthRoute } from "../../src/app/health.ts";
import { startHttpServer, type HttpServer } from "../../src/app/http.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import type { Action, ChannelHarness, Driver, Shown } from "./contract.ts";
import { numberOf } from "./contract.ts";
import { BOT_INFO, BOT_TOKEN, FakeBotApi, type BotMessage } from "./fake-bot-api.ts";
import { FakeWhatsApp } from "./fake-whatsapp.ts";
import { silentLog } from "../../src/log/log.ts";

/** The number to type for a label, from the newest message that shows it. */
function numberToType(shown: Shown[], label: string): number {
  for (const s of [...shown].reverse()) {
    const n = numberOf(s.text, label);
    if (n !== undefined) return n;
  }
  throw new Error(`no numbered option "${label}" in ${JSON.stringify(shown.map((s) => s.text))}`);
}

/** How a person on a text-only platform does an action. */
function typed(action: Action, shown: Shown[], startWord: string): string {
  if ("text" in action) return action.text;
  if ("choose" in action) return String(numberToType(shown, action.choose));
  if ("chooseAll" in action) return action.chooseAll.map((l) => numberToType(shown, l)).join(",");
  if ("skip" in action) return "SKIP";
  if ("start" in action) return action.start ? `${startWord} ${action.start}` : startWord;
  throw new Error(`can't type ${JSON.stringify(action)}`);
}

export const terminalHarness: ChannelHarness = {
  name: "terminal",
  person: "ada",
  can: { location: false, voice: false, buttons: false },
  async open(texts, handler) {
    const input = new PassThrough();
    const printed: string[] = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed.push(chunk.toString("utf8"));
        done();
      },
    });
    let n = 0;
    const channel = new TerminalChannel({ texts, user: "ada", input, output, interactive: false, greet: false, newId: () => `line-${++n}` });
    const inner = handler(channel);
    let last: Inbound | undefined;
    let handled: () => void = () => undefined;
    const wrapped: InboundHandler = async (inbound) => {
      last = inbound;
      try {
        await inner(inbound);
      } finally {
        handled();
      }
    };
    await channel.start(wrapped);
    // Piped input is echoed as "> line" (a transcript); what the bot showed is everything else.
    const shown = (): Shown[] =>
      printed.filter((text) => !text.startsWith("> ")).map((text) => ({ text: text.replace(/\n+$/, ""), buttons: [], asksLocation: false }));
    const driver: Driver = {
      channel,
      async act(action) {
        const done = new Promise<void>((resolve) => (handled = resolve));
        input.write(`${typed(action, shown(), "/start")}\n`);
        await done;
      },
      shown,
      // A terminal never delivers a line twice: replay the last inbound as a retried delivery would.
      redeliver: async () => void (last && (await wrapped(last))),
      block: () => void output.end(),
      async close() {
        input.end();
        await channel.stop();
      },
    };
    return driver;
  },
};

export const whatsappHarness: ChannelHarness = {
  name: "whatsapp",
  person: "393331234567@c.us",
  can: { location: true, voice: true, buttons: false },
  async open(texts, handler) {
    const wa = new FakeWhatsApp();
    const channel = new WhatsAppChannel({
      texts,
      createClient: wa.factory,
      dataDir: mkdtempSync(join(tmpdir(), "inloco-wa-")),
      terminal: new PassThrough(),
      log: silentLog,
    });
    await channel.start(handler(channel));
    await until(() => channel.health().state === "ready");
    const person = this.person;
    let last: WhatsAppMessage | undefined;
    const shown = (): Shown[] => wa.textsTo(person).map((text) => ({ text, buttons: [], asksLocation: false }));
    const deliver = async (m: WhatsAppMessage) => {
      last = m;
      wa.receive(m);
      await channel.idle();
    };
    return {
      channel,
      act(action) {
        if ("location" in action) return deliver(wa.message(person, { type: "location", location: { latitude: action.location[0], longitude: action.location[1] } }));
        if ("voice" in action) return deliver(wa.message(person, { type: "ptt" }));
        return deliver(wa.message(person, { body: typed(action, shown(), "START") }));
      },
      shown,
      redeliver: async () => void (last && (await deliver(last))),
      block: () => void wa.unreachable.add(person),
      close: () => channel.stop(),
    };
  },
};

/** Telegram through the fake Bot API: long polling by default, or webhook. */
export function telegramHarness(mode: "polling" | "webhook" = "polling"): ChannelHarness & { api?: FakeBotApi } {
  const chat = 4242;
  const harness: ChannelHarness & { api?: FakeBotApi } = {
    name: "telegram",
    person: String(chat),
    can: { location: true, voice: true, buttons: true },
    async open(texts, handler) {
      const api = await FakeBotApi.start();
      harness.api = api;
      const webhook: TelegramWebhookOptions | undefined = mode === "webhook" ? { url: "https://bot.example.org/telegram/hook", secret: "s3cret-Token_1" } : undefined;
      const channel = new TelegramChannel({
        token: BOT_TOKEN,
        texts,
        apiRoot: api.url,
        botInfo: BOT_INFO,
        pollTimeoutSeconds: 5,
        ...(webhook ? { webhook } : {}),
        log: silentLog,
      });
      const http = webhook ? await serveChannel(channel) : undefined;
      await channel.start(handler(channel));
      let last: Update | undefined;
      const deliver = async (update: Omit<Update, "update_id"> & { update_id?: number }) => {
        if (webhook && http) {
          last = { ...update, update_id: update.update_id ?? nextWebhookId++ } as Update;
          const res = await postUpdate(http, last, webhook.secret);
          if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        } else {
          last = api.push(update);
          await api.settled();
        }
      };
      return {
        channel,
        async act(action) {
          // One at a time: a tap carries the message as it is after the taps before it.
          for (const next of telegramUpdates(api, chat, action, texts)) await deliver(next());
        },
        shown: () => api.messages(chat).map(telegramView),
        redeliver: async () => void (last && (await deliver(last))),
        block: () => api.fail("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" }, { chatId: chat }),
        async close() {
          await channel.stop();
          await http?.close();
          await api.close();
        },
      };
    },
  };
  return harness;
}

/**
 * The process's one HTTP server, as the app runs it, carrying a channel's routes (Telegram's webhook) and
 * a /healthz that reports that channel alone.
 */
export async function serveChannel(channel: TelegramChannel): Promise<HttpServer> {
  const http = await startHttpServer({ port: 0, host: "127.0.0.1" });
  http.mount("/healthz", healthRoute(async () => ({ ok: channel.health().state === "ready", body: channel.health() })));
  for (const route of channel.routes()) http.mount(route.path, route.handle);
  return http;
}

/** The port an HTTP server of the tests listens on (127.0.0.1). */
export function portOf(http: HttpServer): number {
  return (http.server.address() as AddressInfo).port;
}

let nextWebhookId = 50_000;

/** POST an update to the webhook on the HTTP server, as Telegram does. */
export function postUpdate(http: HttpServer, update: unknown, secret: string | undefined, path = "/telegram/hook"): Promise<Response> {
  return fetch(`http://127.0.0.1:${portOf(http)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}) },
    body: JSON.stringify(update),
  });
}

/** The updates a person's action makes on Telegram, each made when it is its turn. */
export function telegramUpdates(api: FakeBotApi, chat: number, action: Action, texts: Texts): Array<() => Omit<Update, "update_id">> {
  const byData = (test: (data: string) => boolean) => (b: InlineKeyboardButton) => "callback_data" in b && test(b.callback_data);
  if ("text" in action) return [() => api.textUpdate(chat, action.text, { language_code: "en" })];
  if ("choose" in action) return [() => api.tapUpdate(chat, action.choose)];
  if ("chooseAll" in action) {
    return [...action.chooseAll.map((l) => () => api.tapUpdate(chat, l)), () => api.tapUpdate(chat, byData((d) => d.startsWith("d:")))];
  }
  if ("skip" in action) {
    const lastMessage = api.messages(chat).at(-1);
    // A location question's Skip is a reply-keyboard button: it sends its label as text.
    if (lastMessage?.sentMarkup && "keyboard" in lastMessage.sentMarkup) return [() => api.textUpdate(chat, texts.t("en", "common:button_skip"))];
    return [() => api.tapUpdate(chat, byData((d) => d.endsWith(":_skip")))];
  }
  if ("location" in action) return [() => api.messageUpdate(chat, { location: { latitude: action.location[0], longitude: action.location[1] } })];
  if ("voice" in action) return [() => api.messageUpdate(chat, { voice: { file_id: action.voice, file_unique_id: `u-${action.voice}`, duration: 4 } })];
  return [() => api.textUpdate(chat, action.start ? `/start ${action.start}` : "/start", { language_code: "en" })];
}

/** A Telegram message as the person sees it. */
export function telegramView(m: BotMessage): Shown {
  const reply = m.sentMarkup && "keyboard" in m.sentMarkup ? (m.sentMarkup.keyboard as Array<Array<{ text: string; request_location?: boolean }>>) : undefined;
  const inline = (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
  return {
    text: m.text,
    buttons: reply ? reply.flat().map((b) => b.text) : inline,
    asksLocation: Boolean(reply?.flat().some((b) => b.request_location)),
  };
}

export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
