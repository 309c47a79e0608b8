// Every text in every shipped language: same keys, same placeholders, valid direction.
import { describe, expect, it } from "vitest";
import { keysOf } from "../../src/i18n/locales.ts";
import { ALL_LANGUAGES, shippedTexts } from "../support/engine.ts";

const texts = shippedTexts();
const raw = (lang: string, key: string) => {
  const [ns, path] = key.split(/:(.*)/s) as [string, string];
  return path.split(".").reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], texts.resources[lang]?.[ns]) as string;
};
const slots = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("locales", () => {
  it("ships the seven languages", () => expect(Object.keys(texts.resources).sort()).toEqual([...ALL_LANGUAGES].sort()));

  it("no language lacks a key another has", () => {
    expect(Object.fromEntries(texts.gaps())).toEqual({});
  });

  it.each(ALL_LANGUAGES.filter((l) => l !== "en"))("%s has the same {{placeholders}} as English in every text", (lang) => {
    for (const key of keysOf(texts.resources, "en")) {
      expect(slots(String(raw(lang, key))), `${lang} ${key}`).toEqual(slots(String(raw("en", key))));
    }
  });

  it.each(ALL_LANGUAGES)("%s names itself in its own script and says its direction", (lang) => {
    expect(texts.t(lang, "meta:name")).not.toBe("");
    expect(texts.isRtl(lang)).toBe(lang === "ar" || lang === "fa");
  });

  it("word lists (what the bot understands) have no empty entries", () => {
    for (const lang of ALL_LANGUAGES) {
      for (const key of [...keysOf(texts.resources, lang)].filter((k) => k.startsWith("parse:") || k.endsWith("_words") || k.startsWith("categories:"))) {
        expect(String(raw(lang, key)).split("|").every((w) => w.trim().length > 0), `${lang} ${key}`).toBe(true);
      }
    }
  });
});
