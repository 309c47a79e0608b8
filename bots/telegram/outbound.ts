// Our messages as Telegram Bot API calls, and the edits a button tap makes: pure, no network.
import type {
  CallbackQuery,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message as TgMessage,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from "grammy/types";
import { commandButton, type Choice, type Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { buttonsOf, CHECK, isToggledOn, withoutCheck, writeCallbackData } from "./callback-data.ts";

/** Telegram's limit for the text of one message. */
export const TEXT_MAX = 4096;
// Buttons of one row share its width equally; about this many characters fit across a phone.
const ROW_WIDTH = 30;
const MAX_COLUMNS = 4;
// Telegram allows up to 8 buttons in a row: enough for a 1–5 or 0–7 scale on one line.
const SCALE_COLUMNS = 8;

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** One message to send: `sendMessage` without `chat_id`, which the sender adds. */
export interface SendMessageCall {
  method: "sendMessage";
  payload: { text: string; reply_markup?: ReplyMarkup };
}

/** A change to a message already sent, after a tap on its keyboard. */
export type EditCall =
  | { method: "editMessageText"; payload: { chat_id: number; message_id: number; text: string } }
  | { method: "editMessageReplyMarkup"; payload: { chat_id: number; message_id: number; reply_markup?: InlineKeyboardMarkup } };

/**
 * Our message as one or more `sendMessage` calls: text (split above 4096 characters, the keyboard on the
 * last part), choices as inline buttons, a multiple choice as toggles with Done, Skip for optional
 * questions, and a reply keyboard asking for the location for location questions.
 */
export function telegramOutbound(message: Message, texts: Texts): SendMessageCall[] {
  const parts = splitText(textOf(message, texts), TEXT_MAX);
  const markup = markupOf(message, texts);
  return parts.map((text, i) => ({
    method: "sendMessage",
    payload: i === parts.length - 1 ? { text, reply_markup: markup } : { text },
  }));
}

/** The text: as `plainText`, but options, Skip and "choose more than one" are buttons here. */
function textOf(message: Message, texts: Texts): string {
  const multiple = message.expects === "multiple_choice";
  const text = plainText(
    {
      ...message,
      // A scale's buttons show only its numbers: the labelled points ("1. Not at all") stay in the text.
      choices: message.choices.filter((c) => c.n !== undefined && unisolated(labelOf(c, message, texts)) !== String(c.n)),
      optional: false,
      ...(multiple ? { expects: "choice" as const } : {}),
    },
    texts,
  );
  if (!multiple) return text;
  return `${text}\n${texts.t(message.lang, "telegram:multiple_hint", { done: texts.t(message.lang, "common:button_done") })}`;
}

function markupOf(message: Message, texts: Texts): ReplyMarkup {
  const node = message.node ?? "";
  const skip = texts.t(message.lang, "common:button_skip");
  if (message.expects === "location") {
    // A reply keyboard is the only way to ask for a location; it hides itself once used, and the
    // next message without buttons removes it for good.
    const keyboard: ReplyKeyboardMarkup["keyboard"] = [[{ text: texts.t(message.lang, "common:button_share_location"), request_location: true }]];
    if (message.optional) keyboard.push([{ text: skip }]);
    return { keyboard, resize_keyboard: true, one_time_keyboard: true };
  }
  const rows: InlineKeyboardButton[][] = [];
  if (message.choices.length > 0) {
    const multiple = message.expects === "multiple_choice";
    const buttons = message.choices.map((c) => ({
      text: buttonText(c, message, texts),
      callback_data: writeCallbackData({ kind: multiple ? "toggle" : "choice", node, id: c.id }),
    }));
    rows.push(...layout(buttons, message.choices.every((c) => c.n !== undefined)));
    if (multiple) rows.push([{ text: texts.t(message.lang, "common:button_done"), callback_data: writeCallbackData({ kind: "done", node }) }]);
  }
  if (message.optional) {
    const button = { text: skip, callback_data: writeCallbackData({ kind: "choice", node, id: commandButton("skip") }) };
    const last = rows.at(-1);
    // Skip sits next to Done; otherwise on its own row.
    if (message.expects === "multiple_choice" && last) last.unshift(button);
    else rows.push([button]);
  }
  // No buttons: clear a location keyboard that may still be showing (harmless when there is none).
  return rows.length > 0 ? { inline_keyboard: rows } : { remove_keyboard: true };
}

function labelOf(choice: Choice, message: Message, texts: Texts): string {
  return texts.t(choice.lang ?? message.lang, choice.key, choice.params ?? {});
}

const unisolated = (s: string) => s.replace(/[\u2068\u2069]/g, "");

function buttonText(choice: Choice, message: Message, texts: Texts): string {
  return choice.n !== undefined ? String(choice.n) : labelOf(choice, message, texts);
}

/** Rows of buttons: a scale on one line, short labels in a grid, long labels one per row. */
function layout<B extends { text: string }>(buttons: B[], scale: boolean): B[][] {
  const widest = Math.max(...buttons.map((b) => width(b.text)));
  let columns = scale ? SCALE_COLUMNS : Math.max(1, Math.min(MAX_COLUMNS, Math.floor(ROW_WIDTH / widest)));
  // Balance the rows: 5 short buttons make 3 + 2, not 4 + 1.
  const rowCount = Math.ceil(buttons.length / columns);
  columns = Math.ceil(buttons.length / rowCount);
  const rows: B[][] = [];
  for (let i = 0; i < buttons.length; i += columns) rows.push(buttons.slice(i, i + columns));
  return rows;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
function width(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/**
 * Split text into parts of at most `max` UTF-16 units (Telegram's measure), at a paragraph break, else a
 * line break, else a space, never inside a character.
 */
export function splitText(text: string, max: number = TEXT_MAX): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const sep of ["\n\n", "\n", " "]) {
      const at = window.lastIndexOf(sep);
      if (at > 0) {
        cut = at;
        break;
      }
    }
    if (cut <= 0) {
      cut = max;
      // Don't cut a surrogate pair in two.
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/**
 * How the tapped message changes, from its own keyboard: a toggle flips its ✔; a choice or Done removes
 * the keyboard and shows what was chosen under the question. Undefined when there is nothing to change.
 */
export function tapEdit(query: CallbackQuery): EditCall | undefined {
  const message = query.message;
  if (!message || message.date === 0) return undefined;
  const m = message as TgMessage;
  const markup = m.reply_markup;
  if (!markup || m.text === undefined) return undefined;
  const ids = { chat_id: m.chat.id, message_id: m.message_id };
  const buttons = buttonsOf(markup);
  const tapped = buttons.find(({ button }) => button.callback_data === query.data);
  if (!tapped) return undefined;
  switch (tapped.data.kind) {
    case "toggle": {
      const inline_keyboard = markup.inline_keyboard.map((row) =>
        row.map((b) => (b === tapped.button ? { ...b, text: isToggledOn(b.text) ? withoutCheck(b.text) : `${CHECK}${b.text}` } : b)),
      );
      return { method: "editMessageReplyMarkup", payload: { ...ids, reply_markup: { inline_keyboard } } };
    }
    case "choice":
      return answered(ids, m.text, [tapped.button.text]);
    case "done": {
      const node = tapped.data.node;
      const on = buttons.filter(({ button, data }) => data.kind === "toggle" && data.node === node && isToggledOn(button.text));
      return answered(ids, m.text, on.map(({ button }) => withoutCheck(button.text)));
    }
  }
}

function answered(ids: { chat_id: number; message_id: number }, text: string, labels: string[]): EditCall {
  const shown = labels.length > 0 ? `${text}\n\n${labels.map((l) => `${CHECK}${l}`).join("\n")}` : text;
  // Without reply_markup the keyboard goes; if the text would grow too long, only the keyboard goes.
  if (shown.length > TEXT_MAX || shown === text) return { method: "editMessageReplyMarkup", payload: ids };
  return { method: "editMessageText", payload: { ...ids, text: shown } };
}
