// Settings of the messaging channels, from the environment. Every variable says what it is for and, when
// it is wrong, what it should look like.
import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { readSettings } from "./env.ts";

const httpsUrl = (what: string) =>
  z.url({ protocol: /^https$/, error: `${what} must be an https:// URL, e.g. https://bot.example.org/telegram` });

export const ChannelSettings = z
  .object({
    TELEGRAM_BOT_TOKEN: z
      .string()
      .trim()
      .regex(/^\d{5,15}:[A-Za-z0-9_-]{30,50}$/, "a bot token from @BotFather: digits, a colon and about 35 letters, digits, - or _ (e.g. 123456789:AAH…)")
      .optional()
      .describe("the Telegram bot's token, from @BotFather; unset: no Telegram"),
    TELEGRAM_WEBHOOK_URL: httpsUrl("TELEGRAM_WEBHOOK_URL")
      .optional()
      .describe("public https URL Telegram posts updates to (enables webhook mode; unset: long polling)"),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "1 to 256 characters of A-Z a-z 0-9 _ - (e.g. from `openssl rand -hex 32`)")
      .optional()
      .describe("secret Telegram sends with every webhook request; required with TELEGRAM_WEBHOOK_URL"),
    PORT: z.coerce
      .number({ error: "a port number, e.g. 8080" })
      .int("a port number, e.g. 8080")
      .min(1, "a port number from 1 to 65535")
      .max(65535, "a port number from 1 to 65535")
      .default(8080)
      .describe("port of the HTTP server (Telegram webhook, health check)"),
    HOST: z
      .string()
      .trim()
      .refine((h) => isIP(h) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(h), {
        error: "an address of this machine to listen on, e.g. 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 interface, what a container needs) or ::",
      })
      .default("127.0.0.1")
      .describe("address the HTTP server listens on; 127.0.0.1 by default (a container or a proxy on another host needs 0.0.0.0)"),
    TELEGRAM_API_ROOT: z
      .url({ protocol: /^https?$/, error: "an http(s) URL of a Bot API server, e.g. http://localhost:8081" })
      .transform((u) => u.replace(/\/+$/, ""))
      .optional()
      .describe("a self-hosted Telegram Bot API server (default https://api.telegram.org)"),
    TELEGRAM_BOT_USERNAME: z
      .string()
      .trim()
      .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]$/, "the bot's username, 5 to 32 letters, digits or _ ending in 'bot' (e.g. InLocoBot)")
      .transform((u) => u.replace(/^@/, ""))
      .optional()
      .describe("the bot's @username, for poster links (otherwise asked from Telegram with the token)"),
    TELEGRAM_MAX_PER_SECOND: z.coerce
      .number({ error: "a whole number of messages a second, e.g. 30" })
      .int("a whole number of messages a second, e.g. 30")
      .min(1, "at least 1 message a second")
      .max(1000, "at most 1000 (Telegram allows about 30 a second per bot; more only after asking Telegram)")
      .default(30)
      .describe("messages a second the bot sends at most, across every process sending for it (Telegram allows about 30)"),
    TELEGRAM_CHAT_BURST: z.coerce
      .number({ error: "a whole number of messages, e.g. 3" })
      .int("a whole number of messages, e.g. 3")
      .min(1, "at least 1 (one message a second to a chat, no burst)")
      .max(20, "at most 20 (Telegram tolerates only short bursts to one chat)")
      .default(3)
      .describe("messages to one chat that may go at once (a turn's 1–3 messages); after them, one a second"),
    WHATSAPP_ENABLED: z
      .enum(["true", "false"], { error: "true or false" })
      .transform((v) => v === "true")
      .default(false)
      .describe("run the WhatsApp channel (WhatsApp Web in Chromium; link the phone by QR code on first start)"),
    CHROMIUM_PATH: z.string().trim().min(1).default("/usr/bin/chromium").describe("the Chromium (or Chrome) binary WhatsApp Web runs in"),
    WHATSAPP_NUMBER: z
      .string()
      .trim()
      .regex(/^[1-9]\d{6,14}$/, "the phone number in international format, digits only, no + or spaces (e.g. 393331234567)")
      .optional()
      .describe("the linked WhatsApp number, for wa.me links on posters"),
    INLOCO_DATA_DIR: z.string().trim().min(1).default("data").describe("data folder; the WhatsApp session is kept in its whatsapp/ subfolder"),
  })
  .superRefine((s, ctx) => {
    if (s.TELEGRAM_WEBHOOK_URL && !s.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "required with TELEGRAM_WEBHOOK_URL: 1 to 256 characters of A-Z a-z 0-9 _ - (e.g. from `openssl rand -hex 32`)",
      });
    }
  });
export type ChannelSettings = z.infer<typeof ChannelSettings>;

/** Read the channel settings from the environment, or throw a ConfigError naming each bad variable. */
export function readChannelSettings(env: NodeJS.ProcessEnv = process.env): ChannelSettings {
  return readSettings(ChannelSettings, env);
}

export interface ChannelPlan {
  telegram?: {
    token: string;
    apiRoot?: string;
    webhook?: { url: string; secret: string; port: number };
    /** Flood control: messages a second per bot, and the burst to one chat (bots/telegram/flood.ts). */
    flood: { perSecond: number; chatBurst: number };
  };
  whatsapp?: { dataDir: string; chromiumPath: string };
  /** The channels that won't start, each with the reason: "telegram: TELEGRAM_BOT_TOKEN not set". */
  notStarting: string[];
}

/** Which channels can start with these settings, and why the others can't. */
export function plannedChannels(s: ChannelSettings): ChannelPlan {
  const plan: ChannelPlan = { notStarting: [] };
  if (s.TELEGRAM_BOT_TOKEN) {
    plan.telegram = {
      token: s.TELEGRAM_BOT_TOKEN,
      ...(s.TELEGRAM_API_ROOT ? { apiRoot: s.TELEGRAM_API_ROOT } : {}),
      ...(s.TELEGRAM_WEBHOOK_URL && s.TELEGRAM_WEBHOOK_SECRET
        ? { webhook: { url: s.TELEGRAM_WEBHOOK_URL, secret: s.TELEGRAM_WEBHOOK_SECRET, port: s.PORT } }
        : {}),
      flood: { perSecond: s.TELEGRAM_MAX_PER_SECOND, chatBurst: s.TELEGRAM_CHAT_BURST },
    };
  } else {
    plan.notStarting.push("telegram: TELEGRAM_BOT_TOKEN not set");
  }
  if (s.WHATSAPP_ENABLED) plan.whatsapp = { dataDir: resolve(s.INLOCO_DATA_DIR), chromiumPath: s.CHROMIUM_PATH };
  else plan.notStarting.push("whatsapp: WHATSAPP_ENABLED is not true");
  return plan;
}

/** Every channel variable with its description, for help texts and the README. */
export function describeChannelSettings(): Array<{ variable: string; description: string }> {
  return Object.entries(ChannelSettings.shape).map(([variable, schema]) => ({ variable, description: schema.description ?? "" }));
}
