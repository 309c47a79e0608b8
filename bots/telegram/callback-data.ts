// What an inline button carries (at most 64 bytes) and how a keyboard shows its toggles. The message's
// own keyboard is the only state: nothing is remembered between taps, so any instance can take any tap.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";

/** Telegram's limit for callback_data. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/** Shown before a toggled option, and before the answer once a question is answered. */
export const CHECK = "✔ ";

export type CallbackData =
  /** `c:<node>:<id>`: pick one option (or a command such as `_skip`). */
  | { kind: "choice"; node: string; id: string }
  /** `t:<node>:<id>`: switch one option of a multiple choice on or off. */
  | { kind: "toggle"; node: string; id: string }
  /** `d:<node>`: the multiple choice is complete. */
  | { kind: "done"; node: string };

const PREFIX = { choice: "c", toggle: "t", done: "d" } as const;

export function writeCallbackData(data: CallbackData): string {
  const out = data.kind === "done" ? `d:${data.node}` : `${PREFIX[data.kind]}:${data.node}:${data.id}`;
  if (Buffer.byteLength(out, "utf8") > CALLBACK_DATA_MAX_BYTES) {
    throw new RangeError(`callback data "${out}" is longer than ${CALLBACK_DATA_MAX_BYTES} bytes`);
  }
  return out;
}

/** Read a button's data; undefined when it is not one of ours. Node and id never contain ":". */
export function readCallbackData(data: string): CallbackData | undefined {
  const m = /^([ctd]):([^:]*)(?::([^:]+))?$/.exec(data);
  if (!m) return undefined;
  const node = m[2] ?? "";
  const id = m[3];
  if (m[1] === "d") return id === undefined ? { kind: "done", node } : undefined;
  if (id === undefined) return undefined;
  return { kind: m[1] === "c" ? "choice" : "toggle", node, id };
}

type CallbackButton = InlineKeyboardButton.CallbackButton;

function isCallbackButton(b: InlineKeyboardButton): b is CallbackButton {
  return "callback_data" in b;
}

/** The buttons of a keyboard with their decoded data. */
export function buttonsOf(markup: InlineKeyboardMarkup): Array<{ button: CallbackButton; data: CallbackData }> {
  return markup.inline_keyboard.flat().flatMap((button) => {
    if (!isCallbackButton(button)) return [];
    const data = readCallbackData(button.callback_data);
    return data ? [{ button, data }] : [];
  });
}

export const isToggledOn = (text: string): boolean => text.startsWith(CHECK);
export const withoutCheck = (text: string): string => (isToggledOn(text) ? text.slice(CHECK.length) : text);

/** The option ids switched on in a multiple-choice keyboard, in keyboard order. */
export function toggledIds(markup: InlineKeyboardMarkup, node: string): string[] {
  return buttonsOf(markup)
    .filter(({ button, data }) => data.kind === "toggle" && data.node === node && isToggledOn(button.text))
    .map(({ data }) => (data as { id: string }).id);
}
