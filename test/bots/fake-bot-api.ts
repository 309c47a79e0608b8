// A fake Telegram Bot API server on 127.0.0.1, reached through the bot's apiRoot: it serves getUpdates
// (long polling) from a queue the test fills, keeps the messages the bot sent (with their edits) as a
// person would see them, records every call, and fails calls when told to (429, 403…). With `limits`
// it also answers 429 as Telegram does when a bot sends too fast (see FakeLimits), and counts those.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, UserFromGetMe } from "grammy/types";

export const BOT_TOKEN = "123456789:AAHfakeTokenForTests_0123456789abcdef";
export const BOT_INFO: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: "In Loco",
  username: "InLocoTestBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
} as UserFromGetMe;

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

interface Failure {
  method: string;
  chatId?: string;
  text?: string;
  times: number;
  error: { error_code: number; description: string; parameters?: { retry_after?: number } };
}

/**
 * Telegram's flood limits as the fake enforces them, on calls that put something into a chat (send*,
 * edit*, copy*, forward*, not sendChatAction), at the moment each request is handled:
 * - at most `perSecond` such calls in any `windowMs` (a sliding window: counted over the last `windowMs`);
 * - per chat, for new messages (not edits): `chatBurst` may come at once, then one every `chatIntervalMs`
 *   (a token bucket, as bots/telegram/flood.ts keeps it; Telegram tolerates short bursts to a chat).
 * Beyond that: 429 "Too Many Requests: retry after N" with `parameters.retry_after`, the call not counted.
 */
export interface FakeLimits {
  perSecond: number;
  windowMs: number;
  chatBurst: number;
  chatIntervalMs: number;
}

export const TELEGRAM_FAKE_LIMITS: FakeLimits = { perSecond: 30, windowMs: 1000, chatBurst: 3, chatIntervalMs: 1000 };

/** A call the limits counted: when the fake handled it (ms since the epoch, sub-millisecond), and where it went. */
export interface CountedCall {
  at: number;
  method: string;
  chatId?: string;
}

const COUNTED = /^(send|edit|copy|forward)/;
const NEW_MESSAGE = /^(send|copy|forward)/;

/** A message of the bot as the person sees it now, with the markup it was sent with. */
export interface BotMessage extends Message.TextMessage {
  /** The reply_markup of the sendMessage call (reply keyboards are not part of a Message). */
  sentMarkup?: Record<string, unknown>;
}

export class FakeBotApi {
  readonly calls: ApiCall[] = [];
  /** With limits: the calls they counted, in the order handled. */
  readonly counted: CountedCall[] = [];
  /** With limits: how many calls were answered 429 for going too fast. */
  tooManyRequests = 0;
  private limits: FakeLimits | undefined;
  private readonly chatTat = new Map<string, number>();
  private windowStart = 0;
  private readonly queue: Update[] = [];
  private readonly held = new Set<() => void>();
  private readonly settledWaiters = new Set<() => void>();
  private awaitingNextPoll = false;
  private readonly chats = new Map<string, BotMessage[]>();
  private readonly failures: Failure[] = [];
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private nextUserMessageId = 1;
  private nextQueryId = 1;

  private constructor(private readonly server: Server) {}

  /**
   * Listening on `port` (default: any free one), e.g. where a channel was already told to look. With
   * `limits` (true: Telegram's, TELEGRAM_FAKE_LIMITS), sending too fast is answered 429; by default never.
   */
  static async start(port = 0, o: { limits?: true | Partial<FakeLimits> } = {}): Promise<FakeBotApi> {
    const server = createServer();
    const api = new FakeBotApi(server);
    if (o.limits) api.limits = { ...TELEGRAM_FAKE_LIMITS, ...(o.limits === true ? {} : o.limits) };
    server.on("request", (req, res) => void api.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    return api;
  }

  /** The apiRoot to give the bot. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const wake of this.held) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Calls of one method, in order. */
  callsOf(method: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.method === method).map((c) => c.payload);
  }

  /** Queue an update for getUpdates (an update_id is given when it has none); returns it. */
  push(update: Omit<Update, "update_id"> & { update_id?: number }): Update {
    const full = { ...update, update_id: update.update_id ?? this.nextUpdateId++ } as Update;
    this.queue.push(full);
    for (const wake of this.held) wake();
    return full;
  }

  /** Resolves once every queued update was fetched and the bot came back for more (so it has handled them). */
  settled(): Promise<void> {
    if (this.queue.length === 0 && !this.awaitingNextPoll) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.add(resolve));
  }

  /** The next calls of `method` (to a chat, with a text) fail with this Bot API error. */
  fail(method: string, error: Failure["error"], o: { chatId?: string | number; text?: string; times?: number } = {}): void {
    this.failures.push({
      method,
      error,
      times: o.times ?? Infinity,
      ...(o.chatId !== undefined ? { chatId: String(o.chatId) } : {}),
      ...(o.text !== undefined ? { text: o.text } : {}),
    });
  }

  /** The bot's messages in a chat, as the person sees them now. */
  messages(chatId: string | number): BotMessage[] {
    return this.chats.get(String(chatId)) ?? [];
  }

  // --- What a person does, as updates -------------------------------------------------------------

  textUpdate(chatId: number, text: string, o: { language_code?: string; chatType?: "private" | "group" | "supergroup" } = {}): Omit<Update, "update_id"> {
    return { message: this.userMessage(chatId, { text }, o) } as Omit<Update, "update_id">;
  }

  messageUpdate(chatId: number, content: Record<string, unknown>, o: { language_code?: string } = {}): Omit<Update, "update_id"> {
    return { message: this.userMessage(chatId, content, o) } as Omit<Update, "update_id">;
  }

  /**
   * A tap on the button labelled `label` (or its toggled form), or the first button `which` accepts, in
   * the bot's latest message that has it.
   */
  tapUpdate(chatId: number, which: string | ((button: InlineKeyboardButton) => boolean), o: { language_code?: string } = {}): Omit<Update, "update_id"> {
    const label = which;
    const matches = typeof which === "function" ? which : (b: InlineKeyboardButton) => b.text === which || b.text === `✔ ${which}`;
    const messages = [...this.messages(chatId)].reverse();
    for (const message of messages) {
      const button = (message.reply_markup?.inline_keyboard ?? []).flat().find(matches);
      if (button && "callback_data" in button) {
        return {
          callback_query: {
            id: String(this.nextQueryId++),
            from: person(chatId, o.language_code),
            message: structuredClone(message),
            chat_instance: `ci-${chatId}`,
            data: button.callback_data,
          },
        } as Omit<Update, "update_id">;
      }
    }
    throw new Error(`chat ${chatId}: no button "${String(label)}" in ${JSON.stringify(messages.map((m) => m.reply_markup?.inline_keyboard.flat().map((b) => b.text)))}`);
  }

  private userMessage(chatId: number, content: Record<string, unknown>, o: { language_code?: string; chatType?: string }) {
    const type = o.chatType ?? "private";
    return {
      message_id: this.nextUserMessageId++,
      date: 1_764_064_800,
      chat: type === "private" ? { id: chatId, type, first_name: "Ada" } : { id: chatId, type, title: "Neighbours" },
      from: person(Math.abs(chatId), o.language_code),
      ...content,
    };
  }

  // --- The Bot API ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const payload = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const reply = (status: number, json: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    };
    if (!m || m[1] !== BOT_TOKEN) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = m[2] as string;
    this.calls.push({ method, payload });
    const failure = this.failures.find(
      (f) => f.method === method && f.times > 0 && (f.chatId === undefined || f.chatId === String(payload.chat_id)) && (f.text === undefined || f.text === payload.text),
    );
    if (failure) {
      failure.times -= 1;
      return reply(failure.error.error_code, { ok: false, ...failure.error });
    }
    const retryAfter = this.tooFast(method, payload);
    if (retryAfter !== undefined) {
      this.tooManyRequests += 1;
      return reply(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
    }
    try {
      const result = await this.answer(method, payload, req);
      reply(200, { ok: true, result });
    } catch (e) {
      const error = e as { error_code?: number; description?: string };
      reply(error.error_code ?? 500, { ok: false, error_code: error.error_code ?? 500, description: error.description ?? String(e) });
    }
  }

  /** With limits: the retry_after (seconds) if this call goes beyond them; otherwise counts it. */
  private tooFast(method: string, payload: Record<string, unknown>): number | undefined {
    const limits = this.limits;
    if (!limits || !COUNTED.test(method) || method === "sendChatAction") return undefined;
    const now = performance.timeOrigin + performance.now();
    const chatId = payload.chat_id === undefined ? undefined : String(payload.chat_id);
    // `counted` is in time order: the window's first call only moves forward.
    while (this.windowStart < this.counted.length && (this.counted[this.windowStart] as CountedCall).at <= now - limits.windowMs) this.windowStart++;
    const inWindow = this.counted.length - this.windowStart;
    let waitMs = 0;
    if (inWindow >= limits.perSecond) waitMs = (this.counted[this.counted.length - limits.perSecond] as CountedCall).at + limits.windowMs - now;
    const perChat = chatId !== undefined && NEW_MESSAGE.test(method);
    const tat = perChat ? (this.chatTat.get(chatId) ?? 0) : 0;
    if (perChat) waitMs = Math.max(waitMs, tat - (limits.chatBurst - 1) * limits.chatIntervalMs - now);
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    this.counted.push({ at: now, method, ...(chatId !== undefined ? { chatId } : {}) });
    if (perChat) this.chatTat.set(chatId, Math.max(tat, now) + limits.chatIntervalMs);
    return undefined;
  }

  /** With limits: the most calls counted in any window of `windowMs` (what a test compares with perSecond). */
  busiestWindow(windowMs = this.limits?.windowMs ?? 1000): number {
    let most = 0;
    for (let i = 0, j = 0; j < this.counted.length; j++) {
      while ((this.counted[j] as CountedCall).at - (this.counted[i] as CountedCall).at >= windowMs) i++;
      most = Math.max(most, j - i + 1);
    }
    return most;
  }

  private async answer(method: string, p: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    switch (method) {
      case "getMe":
        return BOT_INFO;
      case "getUpdates":
        return this.getUpdates(p, req);
      case "deleteWebhook":
      case "setWebhook":
      case "setMyCommands":
      case "answerCallbackQuery":
        return true;
      case "sendMessage":
        return this.sendMessage(p);
      case "editMessageText":
      case "editMessageReplyMarkup":
        return this.edit(method, p);
      default:
        throw { error_code: 404, description: `Not Found: method ${method} not faked` };
    }
  }

  private async getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<Update[]> {
    const limit = typeof p.limit === "number" ? p.limit : 100;
    const timeout = typeof p.timeout === "number" ? p.timeout : 0;
    if (this.queue.length === 0) {
      // The bot asks for more: whatever it fetched before has been handled.
      this.awaitingNextPoll = false;
      for (const done of this.settledWaiters) done();
      this.settledWaiters.clear();
      if (timeout > 0) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            this.held.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, timeout * 1000);
          this.held.add(wake);
          req.once("close", wake);
        });
      }
      if (req.destroyed) return [];
    }
    const batch = this.queue.splice(0, limit);
    if (batch.length > 0) this.awaitingNextPoll = true;
    return batch;
  }

  private sendMessage(p: Record<string, unknown>): BotMessage {
    const chatId = String(p.chat_id);
    const markup = p.reply_markup as Record<string, unknown> | undefined;
    const message: BotMessage = {
      message_id: this.nextMessageId++,
      date: 1_764_064_800,
      chat: { id: Number(chatId), type: "private", first_name: "Ada" },
      from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
      text: String(p.text),
      ...(markup && "inline_keyboard" in markup ? { reply_markup: markup as unknown as InlineKeyboardMarkup } : {}),
      ...(markup ? { sentMarkup: markup } : {}),
    };
    const list = this.chats.get(chatId) ?? [];
    list.push(message);
    this.chats.set(chatId, list);
    const { sentMarkup: _, ...returned } = message;
    return returned as BotMessage;
  }

  private edit(method: string, p: Record<string, unknown>): BotMessage {
    const message = this.messages(String(p.chat_id)).find((m) => m.message_id === p.message_id);
    if (!message) throw { error_code: 400, description: "Bad Request: message to edit not found" };
    const text = method === "editMessageText" ? String(p.text) : message.text;
    const markup = p.reply_markup as InlineKeyboardMarkup | undefined;
    if (text === message.text && JSON.stringify(markup) === JSON.stringify(message.reply_markup)) {
      throw { error_code: 400, description: "Bad Request: message is not modified" };
    }
    message.text = text;
    if (markup && markup.inline_keyboard.length > 0) message.reply_markup = markup;
    else delete message.reply_markup;
    return message;
  }
}

function person(id: number, language_code?: string) {
  return { id, is_bot: false, first_name: "Ada", ...(language_code ? { language_code } : {}) };
}
