import type { Lexicon, Words } from "./lexicon.ts";
import { normalize } from "./normalize.ts";

// Word lists are read from the lexicon once per (lexicon, language, key): normalizing them on
// every input would make long conversations slower for no reason.
const cache = new WeakMap<Lexicon, Map<string, Map<string, ReadonlySet<string>>>>();

/** The normalized words a lexicon key lists (`a|b|c`) in one language; empty when it has none. */
export function wordsOf(lexicon: Lexicon, lang: string, key: string): ReadonlySet<string> {
  let byLang = cache.get(lexicon);
  if (!byLang) cache.set(lexicon, (byLang = new Map()));
  let byKey = byLang.get(lang);
  if (!byKey) byLang.set(lang, (byKey = new Map()));
  let words = byKey.get(key);
  if (!words) {
    const text = lexicon.text(lang, key);
    words = new Set(
      (text ?? "")
        .split("|")
        .map(normalize)
        .filter((w) => w.length > 0),
    );
    byKey.set(key, words);
  }
  return words;
}

const MAX_NUMBER_WORD = 20;

/**
 * Reads what a person wrote in their language. English is understood in every language too,
 * because many people switch to it for single words ("yes", "stop", "two").
 */
export class Reader {
  readonly langs: readonly string[];

  constructor(
    readonly ctx: Words,
    readonly lang: string,
  ) {
    this.langs = lang === "en" ? ["en"] : [lang, "en"];
  }

  /** Whether normalized `text` is one of the words of `key` in the person's language (or English). */
  is(key: string, text: string): boolean {
    return this.langs.some((l) => wordsOf(this.ctx.lexicon, l, key).has(text));
  }

  /** Whether `text` is one of the words of `key` in any offered language (commands: STOP must always work). */
  isInAnyLanguage(key: string, text: string): boolean {
    if (this.is(key, text)) return true;
    return this.ctx.languages.some((l) => wordsOf(this.ctx.lexicon, l, key).has(text));
  }

  /** The text of a key as written in the person's language (else English), for a hint that names it. */
  text(key: string): string | undefined {
    for (const l of this.langs) {
      const t = this.ctx.lexicon.text(l, key);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  /** All normalized forms of a text key in the person's language and English (labels, synonyms). */
  forms(key: string): ReadonlySet<string> {
    const out = new Set<string>();
    for (const l of this.langs) for (const w of wordsOf(this.ctx.lexicon, l, key)) out.add(w);
    return out;
  }

  /** A whole number written in digits or as a number word ("two", "دو", "два"), else undefined. */
  wholeNumber(text: string): number | undefined {
    if (/^\d{1,9}$/.test(text)) return Number(text);
    for (let n = 0; n <= MAX_NUMBER_WORD; n++) if (this.is(`parse:numbers.${n}`, text)) return n;
    return undefined;
  }

  /** The words for "and" in the person's language and English, for lists like "1 and 3". */
  andWords(): ReadonlySet<string> {
    return this.forms("parse:and");
  }
}
