import type { RequestListener } from "node:http";
import { z } from "zod";
import { Input, type Message } from "../engine/index.ts";

/** The channels newcomers reach us on. */
export const ChannelName = z.enum(["terminal", "telegram", "whatsapp"]);
export type ChannelName = z.infer<typeof ChannelName>;

/**
 * The longest media reference (Telegram file id, WhatsApp message id) a channel hands over, in UTF-8
 * bytes. Real ones are 30 to about 100 characters; a longer one is forged or broken, and would be
 * copied into the queue, the session and the answer: channels ignore such a message, and inbound jobs
 * refuse it.
 */
export const MAX_MEDIA_REF_BYTES = 256;

/** Whether an input carries a media reference longer than MAX_MEDIA_REF_BYTES. */
export function oversizedMediaRef(input: Input): boolean {
  return input.type === "media" && typeof input.ref === "string" && Buffer.byteLength(input.ref, "utf8") > MAX_MEDIA_REF_BYTES;
}

/**
 * What a person sent, as a channel reports it, before anything is stored. The address (chat id,
 * phone number) is raw only here, in transit; the store keeps it hashed and encrypted.
 */
export const Inbound = z.object({
  channel: ChannelName,
  address: z.string().min(1),
  /** The provider's id of this delivery (Telegram update_id, WhatsApp message id): a repeat is processed once. */
  messageId: z.string().min(1),
  input: Input,
  /** The platform's guess of the person's language (Telegram's language_code), for new contacts. */
  language: z.string().optional(),
  /** When the channel received it, ISO 8601. */
  at: z.string(),
});
export type Inbound = z.infer<typeof Inbound>;

/** Takes inbound messages from a channel. It must return quickly: the channel acknowledges after it. */
export type InboundHandler = (inbound: Inbound) => Promise<void>;

/** The platform said: too fast, wait this long. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  constructor(
    readonly channel: ChannelName,
    readonly retryAfterSeconds: number,
    readonly detail = "",
  ) {
    super(`${channel}: rate limited, retry after ${retryAfterSeconds}s${detail ? ` (${detail})` : ""}`);
  }
}

/** The person can't be reached any more (blocked the bot, deleted the account): stop sending. */
export class RecipientGoneError extends Error {
  override readonly name = "RecipientGoneError";
  constructor(
    readonly channel: ChannelName,
    readonly detail = "",
  ) {
    super(`${channel}: recipient can't be reached${detail ? ` (${detail})` : ""}`);
  }
}

/**
 * The platform refused one message in a way retrying won't fix (a bad request): that message is skipped,
 * the ones after it still go. `method` is the platform call that was refused (Telegram's `sendMessage`).
 */
export class PermanentSendError extends Error {
  override readonly name = "PermanentSendError";
  constructor(
    readonly channel: ChannelName,
    readonly detail: string,
    readonly method?: string,
  ) {
    super(`${channel}: ${method ? `${method}: ` : ""}${detail}`);
  }
}

/** How one message is sent. */
export interface SendOptions {
  /** Part of a broadcast: a channel with flood control sends it only when no reply is waiting. */
  bulk?: boolean;
  /**
   * Called once, right before the message's first call leaves for the platform (after any wait for a
   * slot): the last moment to decide. False (or a throw): nothing is sent, and `send` throws
   * SendAbandonedError (or what it threw). A broadcast claims its copy here, so that a process killed
   * while waiting for a slot leaves nothing in doubt.
   */
  beforeCall?: () => Promise<boolean>;
}

/** `beforeCall` said no: nothing was sent. */
export class SendAbandonedError extends Error {
  override readonly name = "SendAbandonedError";
  constructor(readonly channel: ChannelName) {
    super(`${channel}: not sent (the sender was told not to at the last moment)`);
  }
}

/** For senders without a wait of their own: ask `beforeCall` now. */
export async function lastMoment(channel: ChannelName, options: SendOptions | undefined): Promise<void> {
  if (options?.beforeCall && !(await options.beforeCall())) throw new SendAbandonedError(channel);
}

/** Sends our messages on one channel (the platform calls out). Throws the errors above; anything else is treated as transient. */
export interface Sender {
  readonly channel: ChannelName;
  /** Send one message to an address; resolves with the provider's id of the sent message. */
  send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }>;
}

/** The pipeline's name for a Sender. */
export type ChannelSender = Sender;

/** The state of a channel, for /healthz. */
export interface ChannelHealth {
  channel: ChannelName;
  state: "starting" | "ready" | "reconnecting" | "stopped" | "failed";
  detail?: string;
}

/**
 * An HTTP endpoint a receiver needs on the process's one HTTP server (Telegram's webhook; later Slack's
 * events). The server routes by path alone: the handler answers every method itself.
 */
export interface HttpRoute {
  /** The exact path served, e.g. `/telegram`. */
  path: string;
  handle: RequestListener;
}

/** Takes a channel's updates in (polling, webhook, client events, stdin) and hands inbound messages over. */
export interface Receiver {
  readonly channel: ChannelName;
  start(onInbound: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  health(): ChannelHealth;
  /** The routes to mount on the process's HTTP server before start (none when the receiver needs no HTTP). */
  routes?(): HttpRoute[];
}

/** A running channel: its receiver and its sender, as one object. */
export type Channel = Receiver & Sender;
