// Telegram updates as our inbound messages: pure, no network, no grammY runtime.
import type { CallbackQuery, Chat, InlineKeyboardMarkup, Message as TgMessage, Update, User } from "grammy/types";
import { z } from "zod";
import { Inbound, MAX_MEDIA_REF_BYTES, oversizedMediaRef } from "../../src/channel/contract.ts";
import type { Input } from "../../src/engine/index.ts";
import { ignored, isIgnored, type Ignored } from "../ignored.ts";
import { primaryLanguage, startInput } from "../start.ts";
import { readCallbackData, toggledIds } from "./callback-data.ts";

/** An update we don't hand over; `greetGroup` asks the wiring for one polite message to a group that just added the bot. */
export interface TelegramIgnored extends Ignored {
  greetGroup?: { chatId: string; language?: string };
  /** Not the shape Telegram documents (a message without a chat, a chat id that is not a number): worth a log line. */
  malformed?: true;
}

// The parts of an update we read, checked before they are read: an update of another shape is dropped,
// never a crash (a webhook answered 500 is delivered again for a day; a poller would stall on it).
const ChatShape = z.object({ id: z.number().int(), type: z.string() });
const FromShape = z.object({ id: z.number().int(), language_code: z.string().optional() });
const Shapes = {
  message: z.object({ message_id: z.number().int(), chat: ChatShape, from: FromShape.optional(), text: z.string().optional() }),
  callback_query: z.object({ id: z.string(), from: FromShape, data: z.string().optional(), message: z.object({ date: z.number(), chat: ChatShape }).optional() }),
  my_chat_member: z.object({ chat: ChatShape, from: FromShape, old_chat_member: z.object({ status: z.string() }), new_chat_member: z.object({ status: z.string() }) }),
};

/** Why an update is dropped as malformed (only field names and expected types: never a value). */
export function malformed(reason: string): TelegramIgnored {
  return { ignored: `malformed update: ${reason}`, malformed: true };
}

function describeIssues(kind: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${[kind, ...i.path].join(".")}: ${i.message}`)
    .join("; ");
}

/** Our inbound message for a Telegram update, or why it is not one. */
export function telegramInbound(update: Update, now: Date): Inbound | TelegramIgnored {
  for (const kind of ["message", "callback_query", "my_chat_member"] as const) {
    if (update[kind] === undefined) continue;
    const checked = Shapes[kind].safeParse(update[kind]);
    if (!checked.success) return malformed(describeIssues(kind, checked.error));
  }
  const result = convert(update, now);
  if (isIgnored(result)) return result;
  // What we hand over must be what the contract promises (a text, a file id, coordinates of the right types).
  const valid = Inbound.safeParse(result);
  return valid.success ? result : malformed(describeIssues("inbound", valid.error));
}

function convert(update: Update, now: Date): Inbound | TelegramIgnored {
  if (update.message) return fromMessage(update, update.message, now);
  if (update.callback_query) return fromCallback(update, update.callback_query, now);
  if (update.edited_message) return ignored("edited message");
  if (update.channel_post || update.edited_channel_post) return ignored("channel post");
  if (update.my_chat_member) {
    const { chat, from, old_chat_member: before, new_chat_member: after } = update.my_chat_member;
    const joined = ["left", "kicked"].includes(before.status) && ["member", "administrator", "restricted"].includes(after.status);
    if (isGroup(chat) && joined) {
      const language = primaryLanguage(from.language_code);
      return { ignored: "bot added to a group", greetGroup: { chatId: String(chat.id), ...(language ? { language } : {}) } };
    }
    return ignored("membership change");
  }
  return ignored("unsupported update");
}

function fromMessage(update: Update, m: TgMessage, now: Date): Inbound | TelegramIgnored {
  if (m.chat.type !== "private") return ignored("group chat");
  const input = messageInput(m);
  if (!input) return ignored("service message");
  if (oversizedMediaRef(input)) return ignored(`media reference over ${MAX_MEDIA_REF_BYTES} bytes`);
  return inbound(update, m.chat, m.from, input, now);
}

function messageInput(m: TgMessage): Input | undefined {
  if (m.text !== undefined) {
    const start = /^\/start(?:@\w+)?(?:\s+(\S+))?\s*$/.exec(m.text.trim());
    return start ? startInput(start[1]) : { type: "text", text: m.text };
  }
  // A venue carries its location too.
  if (m.location) return { type: "location", lat: m.location.latitude, lon: m.location.longitude };
  if (m.voice) return { type: "media", media: "voice", ref: m.voice.file_id };
  if (m.audio) return { type: "media", media: "audio", ref: m.audio.file_id };
  if (m.photo && m.photo.length > 0) return { type: "media", media: "photo", ref: largest(m.photo).file_id };
  if (m.sticker) return { type: "media", media: "sticker", ref: m.sticker.file_id };
  // An animation (GIF) also carries a `document`: check it first.
  if (m.video) return { type: "media", media: "video", ref: m.video.file_id };
  if (m.video_note) return { type: "media", media: "video", ref: m.video_note.file_id };
  if (m.animation) return { type: "media", media: "video", ref: m.animation.file_id };
  if (m.document) return { type: "media", media: "document", ref: m.document.file_id };
  // Something a person sent that we can't read: the engine says so kindly.
  if (m.contact || m.poll || m.dice || m.game || m.story || m.paid_media) return { type: "media", media: "other", ref: String(m.message_id) };
  return undefined;
}

function largest<T extends { width: number; height: number }>(sizes: readonly T[]): T {
  return sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
}

function fromCallback(update: Update, q: CallbackQuery, now: Date): Inbound | TelegramIgnored {
  const message = q.message;
  if (!message) return ignored("button of an inline message");
  if (message.chat.type !== "private") return ignored("group chat");
  const data = readCallbackData(q.data ?? "");
  switch (data?.kind) {
    case "choice":
      return inbound(update, message.chat, q.from, { type: "choice", id: data.id, ...(data.node ? { node: data.node } : {}) }, now);
    case "done": {
      // The keyboard itself holds the toggles: nothing is remembered between taps.
      const markup = message.date === 0 ? undefined : (message as TgMessage).reply_markup;
      if (!markup) return ignored("Done on a message that can no longer be read");
      const ids = toggledIds(markup as InlineKeyboardMarkup, data.node);
      return inbound(update, message.chat, q.from, { type: "choices", ids, ...(data.node ? { node: data.node } : {}) }, now);
    }
    case "toggle":
      return ignored("toggle (the keyboard changes, nothing is answered yet)");
    default:
      return ignored("unknown button");
  }
}

function inbound(update: Update, chat: Chat, from: User | undefined, input: Input, now: Date): Inbound {
  const language = primaryLanguage(from?.language_code);
  return {
    channel: "telegram",
    address: String(chat.id),
    // Telegram repeats the update_id when it delivers an update again.
    messageId: String(update.update_id),
    input,
    ...(language ? { language } : {}),
    at: now.toISOString(),
  };
}

function isGroup(chat: Chat): boolean {
  return chat.type === "group" || chat.type === "supergroup";
}
