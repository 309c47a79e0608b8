// whatsapp-web.js messages as our inbound messages: pure, no browser.
import { MAX_MEDIA_REF_BYTES, oversizedMediaRef, type Inbound } from "../../src/channel/contract.ts";
import type { Input } from "../../src/engine/index.ts";
import { ignored, type Ignored } from "../ignored.ts";
import { startInput } from "../start.ts";

/** The part of a whatsapp-web.js `Message` we read. */
export interface WhatsAppMessage {
  id: { _serialized: string };
  /** The chat: `391234567890@c.us` (or `…@lid`) for a person, `…@g.us` for a group, `status@broadcast`. */
  from: string;
  fromMe: boolean;
  /** `chat`, `ptt` (voice note), `audio`, `image`, `video`, `sticker`, `document`, `location`, … */
  type: string;
  body: string;
  isStatus?: boolean;
  /** Typed as strings by whatsapp-web.js, numbers at run time. */
  location?: { latitude: number | string; longitude: number | string };
}

// Things WhatsApp shows as messages that nobody typed: never answered.
const SYSTEM_TYPES = new Set([
  "revoked", "e2e_notification", "notification", "notification_template", "gp2", "group_notification",
  "broadcast_notification", "call_log", "ciphertext", "protocol", "debug", "reaction",
]);
const MEDIA: Record<string, Extract<Input, { type: "media" }>["media"]> = {
  ptt: "voice",
  audio: "voice",
  image: "photo",
  album: "photo",
  video: "video",
  sticker: "sticker",
  document: "document",
};
// `START t-valsusa`: the text a wa.me link on a poster fills in.
const START = /^\s*\/?start(?:\s+(\S+))?\s*$/i;

/** Our inbound message for a WhatsApp message, or why it is not one. */
export function whatsappInbound(m: WhatsAppMessage, now: Date): Inbound | Ignored {
  if (m.fromMe) return ignored("own message");
  if (m.isStatus || m.from.endsWith("@broadcast")) return ignored("status broadcast");
  if (m.from.endsWith("@g.us")) return ignored("group chat");
  if (!m.from.endsWith("@c.us") && !m.from.endsWith("@lid")) return ignored("not a person's chat");
  const input = inputOf(m);
  if (!input) return ignored(`${m.type} message`);
  if (oversizedMediaRef(input)) return ignored(`media reference over ${MAX_MEDIA_REF_BYTES} bytes`);
  return { channel: "whatsapp", address: m.from, messageId: m.id._serialized, input, at: now.toISOString() };
}

function inputOf(m: WhatsAppMessage): Input | undefined {
  if (m.type === "chat") {
    const start = START.exec(m.body);
    return start ? startInput(start[1]) : { type: "text", text: m.body };
  }
  if (m.type === "location" && m.location) {
    const lat = Number(m.location.latitude);
    const lon = Number(m.location.longitude);
    return Number.isFinite(lat) && Number.isFinite(lon) ? { type: "location", lat, lon } : undefined;
  }
  const media = MEDIA[m.type];
  if (media) return { type: "media", media, ref: m.id._serialized };
  if (SYSTEM_TYPES.has(m.type)) return undefined;
  // A contact card, a poll…: the engine says kindly what it can read.
  return { type: "media", media: "other", ref: m.id._serialized };
}
