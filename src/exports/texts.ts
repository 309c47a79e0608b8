// The flows' texts as exports and reports show them.

/** The flows' texts as an export reads them. */
export interface ExportTexts {
  /** A text in exactly this language, or undefined. */
  text(language: string, key: string): string | undefined;
  /** The languages that have texts. */
  readonly languages: readonly string[];
}

/**
 * A text in exactly this language, as shown: a language's name is kept with the other words that
 * recognise it ("English|inglese|anglais"), of which only the first is its name.
 */
export function shownText(texts: ExportTexts, language: string, key: string): string | undefined {
  const t = texts.text(language, key);
  return t !== undefined && key.startsWith("meta:languages.") ? t.split("|")[0] : t;
}
