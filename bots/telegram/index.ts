// The Telegram channel assembled: one grammY bot, shared by the receiver (updates in) and the sender
// (messages out), so the receiver's watch on every call covers the sends too.
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Channel, ChannelHealth, HttpRoute, InboundHandler, SendOptions } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { TelegramFloodControl, type TelegramFloodOptions } from "./flood.ts";
import { TelegramReceiver, type TelegramReceiverOptions } from "./receiver.ts";
import { TelegramSender } from "./sender.ts";

/** Which bot, and on which Bot API server. */
export interface TelegramBotOptions {
  token: string;
  /** A self-hosted Bot API server (or a test's fake), without a trailing slash. */
  apiRoot?: string;
  /** Who the bot is, when known: saves the getMe call at start. */
  botInfo?: UserFromGetMe;
  /** Flood control (flood.ts) on every call that sends into a chat; without it, calls go out unpaced. */
  flood?: Omit<TelegramFloodOptions, "botId">;
}

export type TelegramChannelOptions = TelegramBotOptions & TelegramReceiverOptions;

/** A grammY bot for the token, on the given Bot API server, with its flood control when asked for. */
export function telegramBot(o: TelegramBotOptions): Bot {
  const bot = new Bot(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    client: o.apiRoot ? { apiRoot: o.apiRoot.replace(/\/+$/, "") } : {},
  });
  if (o.flood) bot.api.config.use(new TelegramFloodControl({ ...o.flood, botId: botIdOf(o.token) }).transformer);
  return bot;
}

/** The bot's id: the digits of its token before the colon (public: it is the bot's user id). */
export function botIdOf(token: string): string {
  return token.slice(0, Math.max(0, token.indexOf(":"))) || "unknown";
}

/** A sender alone (a worker sends Telegram replies without receiving: sending needs only the token). */
export function telegramSender(o: TelegramBotOptions & { texts: Texts }): TelegramSender {
  return new TelegramSender(telegramBot(o).api, o.texts, o.flood !== undefined);
}

/** Telegram as a channel: its receiver and its sender over one bot. */
export class TelegramChannel implements Channel {
  readonly channel = "telegram" as const;
  readonly receiver: TelegramReceiver;
  readonly sender: TelegramSender;

  constructor(options: TelegramChannelOptions) {
    const bot = telegramBot(options);
    this.receiver = new TelegramReceiver(bot, options);
    this.sender = new TelegramSender(bot.api, options.texts, options.flood !== undefined);
  }

  /** The bot's @username (known once started, or when botInfo was given). */
  get username(): string | undefined {
    return this.receiver.username;
  }

  /** See TelegramReceiver.start. */
  start(onInbound: InboundHandler): Promise<void> {
    return this.receiver.start(onInbound);
  }

  /** See TelegramReceiver.stop. */
  stop(): Promise<void> {
    return this.receiver.stop();
  }

  /** See TelegramReceiver.health. */
  health(): ChannelHealth {
    return this.receiver.health();
  }

  /** See TelegramReceiver.routes: the webhook's, in webhook mode. */
  routes(): HttpRoute[] {
    return this.receiver.routes();
  }

  /** See TelegramSender.send. */
  send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }> {
    return this.sender.send(address, message, options);
  }
}
