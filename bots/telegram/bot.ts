// The Telegram channel's wiring: the only file that runs grammY. Updates arrive by long polling (default)
// or by webhook; each is converted (inbound.ts) and handed over; our messages are rendered (outbound.ts)
// and sent. Queueing, ordering and rate limits belong to the pipeline, not here.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { Bot, HttpError, type Transformer } from "grammy";
import type { CallbackQuery, Update, UserFromGetMe } from "grammy/types";
import type { Channel, ChannelHealth, Inbound, InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { DEFAULT_PATIENCE, describe, handOverPatiently, type Patience } from "../handover.ts";
import { isIgnored } from "../ignored.ts";
import { greetGroup } from "./group-greeting.ts";
import { malformed, telegramInbound, type TelegramIgnored } from "./inbound.ts";
import { setMenu } from "./menu.ts";
import { tapEdit, telegramOutbound } from "./outbound.ts";
import { sendError } from "./send-error.ts";
import { processLog } from "../../src/log/log.ts";

export { BOT_COMMANDS } from "./menu.ts";
export { sendError } from "./send-error.ts";

/** The updates we act on; everything else (edits, reactions, channel posts) is never even fetched. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
/** The calls a start can't do without: retried (with a log line each time) until Telegram answers. */
const START_CALLS = new Set(["getMe", "deleteWebhook", "setWebhook"]);
const DEFAULT_REACH_RETRY: Patience = { initialMs: 1_000, maxMs: 60_000 };
const SECRET_HEADER = "x-telegram-bot-api-secret-token";
// A Telegram update is a few kilobytes at most.
const MAX_BODY_BYTES = 1024 * 1024;

export interface TelegramWebhookOptions {
  /** The public https URL Telegram posts updates to; its path is the one served. */
  url: string;
  /** Sent by Telegram in X-Telegram-Bot-Api-Secret-Token: requests without it are refused. */
  secret: string;
  /** Port of the local HTTP server (0: any free port, see `address()`); null when the app mounts `webhookListener()` on its own server. */
  port: number | null;
  host?: string;
}

export interface TelegramChannelOptions {
  token: string;
  texts: Texts;
  /** A self-hosted Bot API server (or a test's fake), without a trailing slash. */
  apiRoot?: string;
  /** Who the bot is, when known: saves the getMe call at start. */
  botInfo?: UserFromGetMe;
  /** Receive by webhook instead of long polling. */
  webhook?: TelegramWebhookOptions;
  /** Long-polling timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** When handing an update over fails while polling, retry after this long, doubling up to `maxMs`. */
  retry?: Patience;
  /** When Telegram can't be reached at start, try again after this long, doubling up to `maxMs` (default 1 s … 60 s). */
  reachRetry?: Patience;
  /** How long a call may take at start before Telegram counts as unreachable (default 10 s; long polls get this on top of their timeout). */
  callTimeoutMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** Telegram as a channel: receives updates, hands inbound messages over, sends our messages. */
export class TelegramChannel implements Channel {
  readonly channel = "telegram" as const;
  private readonly bot: Bot;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private onInbound: InboundHandler | undefined;
  private state: ChannelHealth["state"] = "stopped";
  private detail: string | undefined;
  private polling: Promise<void> | undefined;
  private server: Server | undefined;
  private stopping = new AbortController();
  /** getUpdates calls failed in a row while polling (Telegram or the network down). */
  private failedPolls = 0;

  constructor(private readonly options: TelegramChannelOptions) {
    this.bot = new Bot(options.token, {
      ...(options.botInfo ? { botInfo: options.botInfo } : {}),
      client: options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, "") } : {},
    });
    this.log = options.log ?? processLog;
    this.now = options.now ?? (() => new Date());
    this.bot.api.config.use(this.watchCalls);
    this.bot.use((ctx) => this.receive(ctx.update, "polling"));
    this.bot.catch((e) => this.log(`telegram: update ${e.ctx.update.update_id} failed: ${describe(e.error)}`));
  }

  /** The bot's @username (known once started, or when botInfo was given). */
  get username(): string | undefined {
    return this.bot.isInited() ? this.bot.botInfo.username : undefined;
  }

  /** The webhook server's address (after start in webhook mode). */
  address(): { port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === "object" ? { port: a.port } : undefined;
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.onInbound = onInbound;
    this.stopping = new AbortController();
    this.state = "starting";
    this.detail = undefined;
    this.failedPolls = 0;
    try {
      await this.bot.init();
      await setMenu(this.bot.api, this.options.texts, this.log);
      if (this.options.webhook) await this.startWebhook(this.options.webhook);
      else await this.startPolling();
      this.state = "ready";
      this.detail = undefined;
      this.log(`telegram: @${this.bot.botInfo.username} ready (${this.options.webhook ? (this.address() ? `webhook on port ${this.address()?.port}` : "webhook on the app's HTTP server") : "long polling"})`);
    } catch (e) {
      // Stopped while still trying to reach Telegram: that is a stop, not a failure.
      if (!this.stopping.signal.aborted) this.fail(e);
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.polling) {
      await this.bot.stop().catch((e: unknown) => this.log(`telegram: stopping: ${describe(e)}`));
      await this.polling;
      this.polling = undefined;
    }
    if (this.server) {
      const server = this.server;
      this.server = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment to finish; Telegram delivers again whatever we don't answer.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    }
    this.state = "stopped";
  }

  health(): ChannelHealth {
    return { channel: "telegram", state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  async send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    let sent: { message_id: number } | undefined;
    for (const call of telegramOutbound(message, this.options.texts)) {
      try {
        sent = await this.bot.api.raw.sendMessage({ chat_id: address, ...call.payload });
      } catch (e) {
        throw sendError(e);
      }
    }
    return { providerMessageId: String(sent?.message_id ?? "") };
  }

  /** The webhook endpoint as a request listener, to mount on a server of one's own. */
  webhookListener(): RequestListener {
    const webhook = this.options.webhook;
    if (!webhook) throw new Error("telegram: webhook mode is not configured");
    const path = new URL(webhook.url).pathname;
    const secret = digest(webhook.secret);
    return (req, res) => {
      void this.serveWebhook(req, res, path, secret).catch((e: unknown) => {
        this.log(`telegram: webhook request failed: ${describe(e)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    };
  }

  private async serveWebhook(req: IncomingMessage, res: ServerResponse, path: string, secret: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/healthz") {
      const health = this.health();
      return void res.writeHead(health.state === "ready" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(health));
    }
    if (url.pathname !== path) return refuse(req, res, 404);
    if (req.method !== "POST") return refuse(req, res, 405);
    const given = req.headers[SECRET_HEADER];
    if (typeof given !== "string" || !timingSafeEqual(digest(given), secret)) return refuse(req, res, 401);
    const body = await readBody(req);
    if (body === undefined) return refuse(req, res, 413);
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      return void res.writeHead(400).end();
    }
    if (typeof update !== "object" || update === null || typeof update.update_id !== "number") return void res.writeHead(400).end();
    try {
      await this.receive(update, "webhook");
    } catch (e) {
      // Not handed over: a 5xx makes Telegram deliver the update again later.
      this.log(`telegram: update ${update.update_id} not handed over: ${describe(e)}`);
      return void res.writeHead(500).end();
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }

  private async startWebhook(webhook: TelegramWebhookOptions): Promise<void> {
    const port = webhook.port;
    if (port === null) {
      await this.bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
      return;
    }
    const server = createServer(this.webhookListener());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, webhook.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    // Listening first, so the first delivery finds us.
    await this.bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
  }

  private async startPolling(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.polling = this.bot
        .start({
          allowed_updates: [...ALLOWED_UPDATES],
          timeout: this.options.pollTimeoutSeconds ?? 30,
          onStart: () => {
            // Ready before the first poll: its failure is an outage, not a failed start.
            this.state = "ready";
            resolve();
          },
        })
        .catch((e: unknown) => {
          // 401: the token is wrong; 409: another process polls with the same token.
          this.fail(e);
          this.log(`telegram: polling stopped: ${describe(e)}`);
          reject(e);
        });
    });
  }

  private async receive(update: Update, via: "polling" | "webhook"): Promise<void> {
    let result: Inbound | TelegramIgnored;
    try {
      result = telegramInbound(update, this.now());
    } catch (e) {
      // A shape the checks did not foresee: dropped all the same (the error names a field, never a value).
      result = malformed(`unreadable (${describe(e)})`);
    }
    if (isIgnored<TelegramIgnored>(result) && result.malformed) {
      // Answered 200 (webhook) or confirmed (polling): Telegram would only send the same thing again.
      this.log(`telegram: update ${String(update.update_id)} dropped: ${result.ignored}`);
      return;
    }
    if (update.callback_query) await this.acknowledgeTap(update.callback_query);
    if (isIgnored<TelegramIgnored>(result)) {
      if (result.greetGroup) await greetGroup(this.bot.api, this.options.texts, this.bot.botInfo.username, result.greetGroup, this.log);
      return;
    }
    const onInbound = this.onInbound;
    if (!onInbound) throw new Error("telegram: not started");
    // A webhook update not taken is delivered again by Telegram (we answer 500). While polling it would
    // be lost: retry, and the next updates wait, keeping the order.
    if (via === "webhook") return onInbound(result);
    await handOverPatiently(onInbound, result, { patience: this.options.retry ?? DEFAULT_PATIENCE, signal: this.stopping.signal, log: this.log });
  }

  /** Stop the button's spinner, then show the tap in the message itself (see tapEdit). Best effort. */
  private async acknowledgeTap(query: CallbackQuery): Promise<void> {
    await this.bot.api.answerCallbackQuery(query.id).catch((e: unknown) => this.log(`telegram: answerCallbackQuery: ${describe(e)}`));
    const edit = tapEdit(query);
    if (!edit) return;
    // "message is not modified" (a repeated tap) and "message can't be edited" (too old) change nothing.
    await (edit.method === "editMessageText" ? this.bot.api.raw.editMessageText(edit.payload) : this.bot.api.raw.editMessageReplyMarkup(edit.payload)).catch(
      (e: unknown) => this.log(`telegram: ${edit.method}: ${describe(e)}`),
    );
  }

  /**
   * Every call to Telegram passes here. At start, a call gets a time limit, and the calls the start needs
   * are tried again with backoff while Telegram can't be reached (grammY alone would retry them silently);
   * while polling, losing Telegram and finding it again are each logged once.
   */
  private readonly watchCalls: Transformer = async (prev, method, payload, shimSignal) => {
    // grammY's signals on Node come from a polyfill (abort-controller): linked by their abort event, not AbortSignal.any.
    const signal = shimSignal as unknown as Pick<AbortSignal, "aborted" | "addEventListener" | "removeEventListener"> | undefined;
    const limited = <T>(ms: number, run: (s: typeof shimSignal) => Promise<T>) => withTimeout(signal, ms, (s) => run(s as unknown as typeof shimSignal));
    const timeoutMs = this.options.callTimeoutMs ?? 10_000;
    if (this.state === "starting" && method !== "getUpdates") {
      const call = () => limited(timeoutMs, (s) => prev(method, payload, s));
      return START_CALLS.has(method) ? this.reach(method, call, signal) : call();
    }
    if (method !== "getUpdates") return prev(method, payload, shimSignal);
    // A long poll that the network silently dropped would otherwise wait grammY's 500 s.
    const pollMs = ((payload as { timeout?: number }).timeout ?? 0) * 1000 + timeoutMs;
    try {
      const res = await limited(pollMs, (s) => prev(method, payload, s));
      if (res.ok) this.pollSucceeded();
      else if (res.error_code >= 500) this.pollFailed(`${res.error_code} ${res.description}`);
      return res;
    } catch (e) {
      if (!this.stopping.signal.aborted && !signal?.aborted) this.pollFailed(unreachable(e, pollMs));
      throw e;
    }
  };

  /** A call the start needs, until Telegram answers it (any answer but 5xx and 429 is an answer). */
  private async reach<T extends { ok: true } | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } }>(
    method: string,
    call: () => Promise<T>,
    signal: { aborted: boolean } | undefined,
  ): Promise<T> {
    const patience = this.options.reachRetry ?? DEFAULT_REACH_RETRY;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      let waitMs = Math.min(patience.initialMs * 2 ** (attempt - 1), patience.maxMs);
      try {
        const res = await call();
        if (res.ok || (res.error_code < 500 && res.error_code !== 429)) {
          if (attempt > 1) this.log(`telegram: reached Telegram (${method}) after ${attempt - 1} failed ${attempt === 2 ? "try" : "tries"}`);
          return res;
        }
        why = `${res.error_code} ${res.description}`;
        if (res.error_code === 429 && res.parameters?.retry_after) waitMs = res.parameters.retry_after * 1000;
      } catch (e) {
        if (this.stopping.signal.aborted || signal?.aborted) throw e;
        why = unreachable(e, this.options.callTimeoutMs ?? 10_000);
      }
      this.detail = `can't reach Telegram: ${why}`;
      this.log(`telegram: can't reach Telegram (${method}: ${why}); trying again in ${seconds(waitMs)}`);
      await delay(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      if (this.stopping.signal.aborted || signal?.aborted) throw new Error(`telegram: stopped before Telegram could be reached (${why})`);
    }
  }

  private pollFailed(why: string): void {
    this.failedPolls += 1;
    if (this.failedPolls > 1 || this.state !== "ready") return;
    this.state = "reconnecting";
    this.detail = `can't reach Telegram: ${why}`;
    this.log(`telegram: can't reach Telegram (getUpdates: ${why}); polling tries again every few seconds`);
  }

  private pollSucceeded(): void {
    if (this.failedPolls === 0) return;
    const failed = this.failedPolls;
    this.failedPolls = 0;
    if (this.state !== "reconnecting") return;
    this.state = "ready";
    this.detail = undefined;
    this.log(`telegram: reached Telegram again after ${failed} failed ${failed === 1 ? "poll" : "polls"}`);
  }

  private fail(e: unknown): void {
    this.state = "failed";
    this.detail = describe(e);
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
  // Nothing of the body is read or kept.
  req.resume();
  res.writeHead(status).end();
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Run a call with a signal that follows the caller's and also gives up after `ms`. */
async function withTimeout<T>(
  signal: Pick<AbortSignal, "aborted" | "addEventListener" | "removeEventListener"> | undefined,
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort);
  const timer = setTimeout(abort, ms);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
  }
}

/** Why a call got no answer, without the URL (it holds the token). */
function unreachable(e: unknown, timeoutMs: number): string {
  if (!(e instanceof HttpError)) return describe(e);
  const cause = e.error as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (cause?.name === "AbortError" || cause?.name === "TimeoutError") return `no answer within ${seconds(timeoutMs)}`;
  const code = cause?.code ?? cause?.cause?.code;
  return `${e.message.replace(/!$/, "")}${code ? ` (${code})` : ""}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Fixed-length digests, so comparing them takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** The bot's @username (without @), asked from Telegram: for posters when TELEGRAM_BOT_USERNAME is unset. */
export async function fetchBotUsername(token: string, apiRoot?: string): Promise<string> {
  const bot = new Bot(token, { client: apiRoot ? { apiRoot: apiRoot.replace(/\/+$/, "") } : {} });
  return (await bot.api.getMe()).username;
}
