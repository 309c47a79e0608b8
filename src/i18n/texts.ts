import i18next, { type i18n } from "i18next";
import type { Lexicon, Params } from "../engine/index.ts";
import { keysOf, readLocales, type Resources } from "./locales.ts";

// Unicode isolates keep a value of another direction (a Latin name, an event title) from scrambling
// a right-to-left sentence around it. Only where that can happen: a value with a letter written left to
// right, once (a value already isolated is not wrapped again), and at the end of the text only when its
// own end would be misplaced ("1. English" after the line's right-to-left mark needs none). A number or a value in the line's own script needs none, and
// every isolate is a mark that a terminal without bidi support shows. A
// left-to-right line is left as it is: a right-to-left value in it (a language's name in the menu, at
// the end of its line) reads right there.
const FSI = "\u2068";
const PDI = "\u2069";
// A letter of a left-to-right script (Latin, Cyrillic, Ethiopic…): any letter not of a right-to-left one.
const LTR_LETTER = /(?![\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}])\p{L}/u;
// Not global: used with split (which keeps the captured names) and test (which must not keep state).
const SLOT = /\{\{\s*(\w+)\s*\}\}/;

/** A text with {{slots}}: the text itself, or literal parts and slot names taking turns. */
type Template = string | readonly string[];

/** All the bot's text, from `locales/`, through i18next. Also the engine's lexicon. */
export class Texts implements Lexicon {
  readonly languages: readonly string[];
  private readonly i18n: i18n;
  private readonly rtl: ReadonlySet<string>;
  private readonly keys = new Map<string, Set<string>>();
  private readonly templates = new Map<string, Map<string, Template | null>>();

  constructor(
    readonly resources: Resources,
    languages?: readonly string[],
  ) {
    this.languages = languages ?? Object.keys(resources);
    this.i18n = i18next.createInstance();
    void this.i18n.init({
      resources,
      initAsync: false,
      fallbackLng: "en",
      supportedLngs: Object.keys(resources),
      ns: [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))],
      interpolation: { escapeValue: false },
      returnNull: false,
      returnEmptyString: false,
    });
    this.rtl = new Set(Object.keys(resources).filter((l) => (resources[l]?.meta as { dir?: string } | undefined)?.dir === "rtl"));
    for (const lang of Object.keys(resources)) this.keys.set(lang, keysOf(resources, lang));
  }

  /** Load `locales/` (or another folder), offering the given languages (default: all found). */
  static load(dir: string, languages?: readonly string[]): Texts {
    return new Texts(readLocales(dir), languages);
  }

  /**
   * The text of a key in a language, with params interpolated (isolated in right-to-left languages).
   * A `context` param picks i18next's variant of the key (`mine.item` with context `yes`: `mine.item_yes`).
   */
  t(lang: string, key: string, params: Params = {}): string {
    const template = params.context === undefined ? this.template(lang, key) : null;
    const isolate = this.isRtl(lang);
    if (template !== null) {
      // The common case, done without i18next's per-call overhead: a text with plain {{name}} slots,
      // split once into literal parts and slot names.
      if (typeof template === "string") return template;
      let out = template[0] as string;
      for (let i = 1; i < template.length; i += 2) {
        const name = template[i] as string;
        const v = params[name];
        const after = template[i + 1] as string;
        // A value that ends the line touches nothing after it: at most its start matters, and the
        // line's own direction (set before it) already decides that.
        const last = i + 2 >= template.length && after.trim() === "";
        out += v === undefined ? `{{${name}}}` : isolate ? isolatedInRtl(String(v), last) : String(v);
        out += after;
      }
      return out;
    }
    const values: Record<string, unknown> = {};
    // The context is part of a key, not text: never isolated.
    for (const [k, v] of Object.entries(params)) values[k] = isolate && k !== "context" ? isolatedInRtl(String(v)) : v;
    return this.i18n.t(key, { ...values, lng: lang });
  }

  // The text of a key (falling back to English) when only plain {{name}} slots are in it: the text
  // itself when it has no slot, else [literal, slot, literal, …]. Null when i18next's own features
  // are needed (plurals, nesting, formats) or the key is missing. Cached per language and key.
  private template(lang: string, key: string): Template | null {
    let byKey = this.templates.get(lang);
    if (!byKey) this.templates.set(lang, (byKey = new Map()));
    let t = byKey.get(key);
    if (t === undefined) {
      t = null;
      const [ns, path] = key.includes(":") ? (key.split(/:(.*)/s, 2) as [string, string]) : ["translation", key];
      for (const l of lang === "en" ? ["en"] : [lang, "en"]) {
        const raw: unknown = this.i18n.getResource(l, ns, path);
        if (typeof raw === "string") {
          const plain = !/\$t\(|\{\{[^}]*[,-]/.test(raw) && !this.keys.get(l)?.has(`${ns}:${path}_other`);
          if (plain) t = SLOT.test(raw) ? raw.split(SLOT) : raw;
          break;
        }
      }
      byKey.set(key, t);
    }
    return t;
  }

  /** The raw text of a key in exactly this language (no fallback), for the engine's lexicon. */
  text(lang: string, key: string): string | undefined {
    if (!this.keys.get(lang)?.has(key)) return undefined;
    const value = this.i18n.t(key, { lng: lang, fallbackLng: false, interpolation: { skipOnVariables: true } });
    return typeof value === "string" ? value : undefined;
  }

  /** Whether a language has a key (no fallback). */
  has(lang: string, key: string): boolean {
    return this.keys.get(lang)?.has(key) ?? false;
  }

  isRtl(lang: string): boolean {
    return this.rtl.has(lang);
  }

  /** Keys that some language has and another lacks: language → missing keys. */
  gaps(): Map<string, string[]> {
    const all = new Set([...this.keys.values()].flatMap((k) => [...k]));
    const out = new Map<string, string[]>();
    for (const [lang, keys] of this.keys) {
      const missing = [...all].filter((k) => !keys.has(k)).sort();
      if (missing.length > 0) out.set(lang, missing);
    }
    return out;
  }
}

const isIsolated = (s: string) => s.startsWith(FSI) && s.endsWith(PDI);

const STRONG = /[\p{L}]/u;
const TRAILING_NEUTRAL = /[^\p{L}\p{N}\p{M}]$/u;

/**
 * A value inside a right-to-left line: isolated when it has a left-to-right letter, and only once. At the
 * end of the line only a value that starts left to right and ends in punctuation ("Meeting (AT)") needs it:
 * without, its last bracket would take the line's direction.
 */
function isolatedInRtl(value: string, atEnd = false): string {
  if (isIsolated(value) || !LTR_LETTER.test(value)) return value;
  if (atEnd) {
    const first = STRONG.exec(value)?.[0] ?? "";
    if (!LTR_LETTER.test(first) || !TRAILING_NEUTRAL.test(value.trimEnd())) return value;
  }
  return `${FSI}${value}${PDI}`;
}
