import type { Params } from "../io.ts";
import type { AnswerValue } from "../session.ts";
import type { Reader } from "../text/reader.ts";

/** What a person said to a question: the inputs an answer can be made of. */
export type Said =
  | { type: "text"; text: string }
  | { type: "choice"; id: string }
  | { type: "choices"; ids: string[] }
  | { type: "location"; lat: number; lon: number }
  | { type: "media"; media: string; ref: string };

/** A localized hint to show when an answer can't be understood. */
export interface Hint {
  key: string;
  params: Params;
}

export type Parsed = { ok: true; value: AnswerValue } | { ok: false; hint: Hint };

/** What parsers may use besides the answer: the reader of the person's language and the day. */
export interface AnswerEnv {
  reader: Reader;
  /** Qualify a flow-relative text key. */
  qualify: (key: string) => string;
  /** Today in the conversation's time zone, YYYY-MM-DD (a getter: only date questions need it). */
  readonly today: string;
}

export const ok = (value: AnswerValue): Parsed => ({ ok: true, value });
export const invalid = (key: string, params: Params = {}): Parsed => ({ ok: false, hint: { key, params } });
