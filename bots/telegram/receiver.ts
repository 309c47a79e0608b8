// Telegram updates in: by long polling (default) or by webhook (a route on the process's HTTP server,
// see webhook.ts). Each update is converted (inbound.ts) and handed over; taps are acknowledged and
// groups greeted here. Queueing, ordering and rate limits belong to the pipeline, not here.
import { setTimeout as delay } from "node:timers/promises";
import type { Bot, Transformer } from "grammy";
import type { CallbackQuery, Update } from "grammy/types";
import type { ChannelHealth, HttpRoute, Inbound, InboundHandler, Receiver } from "../../src/channel/contract.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { silentLog, type Log } from "../../src/log/log.ts";
import { DEFAULT_PATIENCE, describe, handOverPatiently, type Patience } from "../handover.ts";
import { isIgnored } from "../ignored.ts";
import { seconds, unreachable, withTimeout, type SignalLike } from "./call-limits.ts";
import { greetGroup } from "./group-greeting.ts";
import { malformed, telegramInbound, type TelegramIgnored } from "./inbound.ts";
import { setMenu } from "./menu.ts";
import { tapEdit } from "./outbound.ts";
import { telegramWebhookRoute } from "./webhook.ts";

/** The updates we act on; everything else (edits, reactions, channel posts) is never even fetched. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
/** The calls a start can't do without: retried (with a log line each time) until Telegram answers. */
const START_CALLS = new Set(["getMe", "deleteWebhook", "setWebhook"]);
const DEFAULT_REACH_RETRY: Patience = { initialMs: 1_000, maxMs: 60_000 };

export interface TelegramWebhookOptions {
  /** The public https URL Telegram posts updates to; its path is the route served (see `routes()`). */
  url: string;
  /** Sent by Telegram in X-Telegram-Bot-Api-Secret-Token: requests without it are refused. */
  secret: string;
}

export interface TelegramReceiverOptions {
  texts: Texts;
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
  log?: Log;
}

/** Receives a bot's updates and hands inbound messages over; watches every call the bot makes (its sends too). */
export class TelegramReceiver implements Receiver {
  readonly channel = "telegram" as const;
  private readonly log: Log;
  private readonly now: () => Date;
  private readonly webhook: HttpRoute | undefined;
  private onInbound: InboundHandler | undefined;
  private state: ChannelHealth["state"] = "stopped";
  private detail: string | undefined;
  private polling: Promise<void> | undefined;
  private stopping = new AbortController();
  /** getUpdates calls failed in a row while polling (Telegram or the network down). */
  private failedPolls = 0;

  constructor(
    private readonly bot: Bot,
    private readonly options: TelegramReceiverOptions,
  ) {
    this.log = options.log ?? silentLog;
    this.now = options.now ?? (() => new Date());
    this.bot.api.config.use(this.watchCalls);
    const via = options.webhook ? "webhook" : "polling";
    this.bot.use((ctx) => this.receive(ctx.update, via));
    this.bot.catch((e) => this.log.warn(`telegram: update ${e.ctx.update.update_id} failed: ${describe(e.error)}`));
    // Made once, in webhook mode only: grammY's webhook callback forbids polling with the same bot.
    this.webhook = options.webhook
      ? telegramWebhookRoute(this.bot, { path: new URL(options.webhook.url).pathname, secret: options.webhook.secret, accepting: () => this.onInbound !== undefined, log: this.log })
      : undefined;
  }

  /** The bot's @username (known once started, or when botInfo was given). */
  get username(): string | undefined {
    return this.bot.isInited() ? this.bot.botInfo.username : undefined;
  }

  /** In webhook mode, the webhook's route, for the process's HTTP server; none when polling. */
  routes(): HttpRoute[] {
    return this.webhook ? [this.webhook] : [];
  }

  /** Reach Telegram (retrying while it can't be reached), set the menu, then poll or register the webhook. */
  async start(onInbound: InboundHandler): Promise<void> {
    this.stopping = new AbortController();
    this.state = "starting";
    this.detail = undefined;
    this.failedPolls = 0;
    try {
      await this.bot.init();
      await setMenu(this.bot.api, this.options.texts, this.log);
      // Webhook updates are taken from now on (the route answers 500 before): the route is on the HTTP
      // server already, so the first delivery after setWebhook finds us.
      this.onInbound = onInbound;
      if (this.options.webhook) await this.bot.api.setWebhook(this.options.webhook.url, { secret_token: this.options.webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
      else await this.startPolling();
      this.state = "ready";
      this.detail = undefined;
      this.log.info(`telegram: @${this.bot.botInfo.username} ready (${this.webhook ? `webhook at ${this.webhook.path} on the app's HTTP server` : "long polling"})`);
    } catch (e) {
      // Stopped while still trying to reach Telegram: that is a stop, not a failure.
      if (!this.stopping.signal.aborted) this.fail(e);
      throw e;
    }
  }

  /** Stop polling; a webhook stays registered, so Telegram keeps updates until we are back. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.polling) {
      await this.bot.stop().catch((e: unknown) => this.log.warn(`telegram: stopping: ${describe(e)}`));
      await this.polling;
      this.polling = undefined;
    }
    this.state = "stopped";
  }

  /** Starting, ready, reconnecting (polls failing), stopped or failed, with why. */
  health(): ChannelHealth {
    return { channel: "telegram", state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
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
          this.log.warn(`telegram: polling stopped: ${describe(e)}`);
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
      this.log.warn(`telegram: update ${String(update.update_id)} dropped: ${result.ignored}`);
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
    await this.bot.api.answerCallbackQuery(query.id).catch((e: unknown) => this.log.warn(`telegram: answerCallbackQuery: ${describe(e)}`));
    const edit = tapEdit(query);
    if (!edit) return;
    // "message is not modified" (a repeated tap) and "message can't be edited" (too old) change nothing.
    await (edit.method === "editMessageText" ? this.bot.api.raw.editMessageText(edit.payload) : this.bot.api.raw.editMessageReplyMarkup(edit.payload)).catch(
      (e: unknown) => this.log.warn(`telegram: ${edit.method}: ${describe(e)}`),
    );
  }

  /**
   * Every call to Telegram passes here. At start, a call gets a time limit, and the calls the start needs
   * are tried again with backoff while Telegram can't be reached (grammY alone would retry them silently);
   * while polling, losing Telegram and finding it again are each logged once.
   */
  private readonly watchCalls: Transformer = async (prev, method, payload, shimSignal) => {
    // grammY's signals on Node come from a polyfill (abort-controller): linked by their abort event, not AbortSignal.any.
    const signal = shimSignal as unknown as SignalLike | undefined;
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
          if (attempt > 1) this.log.info(`telegram: reached Telegram (${method}) after ${attempt - 1} failed ${attempt === 2 ? "try" : "tries"}`);
          return res;
        }
        why = `${res.error_code} ${res.description}`;
        if (res.error_code === 429 && res.parameters?.retry_after) waitMs = res.parameters.retry_after * 1000;
      } catch (e) {
        if (this.stopping.signal.aborted || signal?.aborted) throw e;
        why = unreachable(e, this.options.callTimeoutMs ?? 10_000);
      }
      this.detail = `can't reach Telegram: ${why}`;
      this.log.warn(`telegram: can't reach Telegram (${method}: ${why}); trying again in ${seconds(waitMs)}`);
      await delay(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      if (this.stopping.signal.aborted || signal?.aborted) throw new Error(`telegram: stopped before Telegram could be reached (${why})`);
    }
  }

  private pollFailed(why: string): void {
    this.failedPolls += 1;
    if (this.failedPolls > 1 || this.state !== "ready") return;
    this.state = "reconnecting";
    this.detail = `can't reach Telegram: ${why}`;
    this.log.warn(`telegram: can't reach Telegram (getUpdates: ${why}); polling tries again every few seconds`);
  }

  private pollSucceeded(): void {
    if (this.failedPolls === 0) return;
    const failed = this.failedPolls;
    this.failedPolls = 0;
    if (this.state !== "reconnecting") return;
    this.state = "ready";
    this.detail = undefined;
    this.log.info(`telegram: reached Telegram again after ${failed} failed ${failed === 1 ? "poll" : "polls"}`);
  }

  private fail(e: unknown): void {
    this.state = "failed";
    this.detail = describe(e);
  }
}
