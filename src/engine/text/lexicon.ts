/**
 * Localized words the engine needs to understand people: number words, yes/no, command words,
 * option labels. The host backs it with the locale files; the engine never loads text itself.
 */
export interface Lexicon {
  /** The text of `key` in `lang`, or undefined when it has none. */
  text(lang: string, key: string): string | undefined;
}

/** What reading people's words needs: the lexicon and the languages offered (the engine context has both). */
export interface Words {
  lexicon: Lexicon;
  languages: readonly string[];
}
