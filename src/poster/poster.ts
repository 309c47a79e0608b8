// Posters: a QR code of a deep link that opens the bot with the territory (and event) already known.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import QRCode from "qrcode";
import { ConfigError } from "../config/env.ts";
import { startPayload, type StartRequest } from "../deeplink/payload.ts";

export type PosterChannel = "telegram" | "whatsapp";

/** A territory or event id that can't go into a deep link. */
export class PosterError extends Error {
  override readonly name = "PosterError";
  readonly code = "invalid_poster";
}

export interface PosterTargets {
  /** The Telegram bot's username, without @. */
  telegramUsername?: string;
  /** The WhatsApp number, international, digits only. */
  whatsappNumber?: string;
}

/** The link a poster's QR code opens: `https://t.me/<bot>?start=<payload>` or `https://wa.me/<n>?text=START%20<payload>`. */
export function posterLink(channel: PosterChannel, request: Pick<StartRequest, "territory" | "event">, targets: PosterTargets): string {
  let payload: string;
  try {
    payload = startPayload(request);
  } catch (e) {
    throw new PosterError(`territory and event ids must be letters, digits, _ or - (${(e as Error).message})`);
  }
  if (channel === "telegram") {
    if (!targets.telegramUsername) {
      throw new ConfigError([
        { variable: "TELEGRAM_BOT_USERNAME", message: "not set: set it to the bot's username (e.g. InLocoBot), or set TELEGRAM_BOT_TOKEN to ask Telegram" },
      ]);
    }
    return `https://t.me/${targets.telegramUsername}?start=${payload}`;
  }
  if (!targets.whatsappNumber) {
    throw new ConfigError([{ variable: "WHATSAPP_NUMBER", message: "not set: set it to the linked number, international, digits only (e.g. 393331234567)" }]);
  }
  // WhatsApp fills the chat with this text; the person only has to press send.
  return `https://wa.me/${targets.whatsappNumber}?text=${encodeURIComponent(`START ${payload}`)}`;
}

/** Write the link as a PNG QR code, large enough to print. */
export async function writePosterQr(link: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await QRCode.toFile(file, link, { type: "png", width: 1024, margin: 4, errorCorrectionLevel: "M" });
}
