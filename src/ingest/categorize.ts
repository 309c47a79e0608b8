import { normalize, wordsOf, type Lexicon } from "../engine/index.ts";

/** Feedback categories, as the feedback flow offers them. */
export const CATEGORIES = ["housing", "work", "language", "health", "documents", "education", "discrimination"] as const;

/**
 * The category of a piece of feedback from keyword rules (`locales/<lang>/categories.json`: stems,
 * matched inside the normalized text), in the feedback's language and English. "other" when none fits.
 */
export function categorize(text: string, language: string, rules: Lexicon): string {
  const t = normalize(text);
  let best: { category: string; hits: number } = { category: "other", hits: 0 };
  for (const category of CATEGORIES) {
    let hits = 0;
    for (const lang of language === "en" ? ["en"] : [language, "en"]) {
      for (const stem of wordsOf(rules, lang, `categories:${category}`)) if (t.includes(stem)) hits++;
    }
    if (hits > best.hits) best = { category, hits };
  }
  return best.category;
}
