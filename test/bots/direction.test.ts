// Direction marks in right-to-left languages: the exact strings the terminal and Telegram get in Arabic
// and Persian. An isolate only where a value could scramble the line, never twice; numbers and labels in
// the line's own script bare; the right-to-left mark that starts a numbered line stays.
import { describe, expect, it } from "vitest";
import { telegramOutbound } from "../../bots/telegram/outbound.ts";
import { terminalOutput } from "../../bots/terminal/outbound.ts";
import type { Message } from "../../src/engine/index.ts";
import { shippedTexts } from "../support/engine.ts";

const texts = shippedTexts();
for (const key of ["onboarding:contact.question", "onboarding:language", "onboarding:territory.question"]) if (!texts.has("fa", key)) throw new Error(`no ${key}`);
const RLM = "\u200f";
const FSI = "\u2068";
const PDI = "\u2069";
const LANGUAGES = ["en", "it", "ar", "fa", "uk", "ti", "fr"];

const languageMenu = (lang: string): Message => ({
  key: "onboarding:language",
  params: {},
  lang,
  choices: LANGUAGES.map((code) => ({ id: code, key: "meta:name", lang: code })),
  expects: "choice",
});
const yesNo = (lang: string): Message => ({
  key: "onboarding:contact.question",
  params: {},
  lang,
  choices: [
    { id: "yes", key: "common:yes" },
    { id: "no", key: "common:no" },
  ],
  expects: "choice",
});
const territories = (lang: string): Message => ({
  key: "onboarding:territory.question",
  params: {},
  lang,
  choices: ["torino", "valsusa"].map((id) => ({ id, key: `onboarding:territory.${id}` })),
  expects: "choice",
});

describe("direction marks", () => {
  it.each([
    ["ar", "العربية", "فارسی"],
    ["fa", "العربية", "فارسی"],
  ])("the language menu in %s: each language named once, no isolate around a name or a number", (lang, ar, fa) => {
    const out = terminalOutput(languageMenu(lang), texts);
    const lines = out.split("\n").slice(1);
    expect(lines).toEqual([
      `${RLM}1. English`,
      `${RLM}2. Italiano`,
      `${RLM}3. ${ar}`,
      `${RLM}4. ${fa}`,
      `${RLM}5. Українська`,
      `${RLM}6. ትግርኛ`,
      `${RLM}7. Français`,
    ]);
    expect(out).not.toContain(FSI);
  });

  it("the language menu in English has no marks at all", () => {
    expect(terminalOutput(languageMenu("en"), texts).split("\n").slice(1)).toEqual([
      "1. English",
      "2. Italiano",
      "3. العربية",
      "4. فارسی",
      "5. Українська",
      "6. ትግርኛ",
      "7. Français",
    ]);
  });

  it.each([
    ["ar", "نعم", "لا", "تورينو (Torino) – المدينة", "وادي سوزا (Val di Susa)"],
    ["fa", "بله", "نه", "تورینو (Torino) – خود شهر", "درهٔ سوزا (Val di Susa)"],
  ])("numbered options in %s: a right-to-left mark, then the bare number and label", (lang, yes, no, torino, valsusa) => {
    expect(terminalOutput(yesNo(lang), texts)).toBe(`${texts.t(lang, "onboarding:contact.question")}\n${RLM}1. ${yes}\n${RLM}2. ${no}`);
    expect(terminalOutput(territories(lang), texts)).toBe(`${texts.t(lang, "onboarding:territory.question")}\n${RLM}1. ${torino}\n${RLM}2. ${valsusa}`);
  });

  it.each(["ar", "fa"])("Telegram in %s: the same text (options as buttons, named without marks)", (lang) => {
    const [call] = telegramOutbound(yesNo(lang), texts);
    expect(call?.payload.text).toBe(texts.t(lang, "onboarding:contact.question"));
    expect(call?.payload.reply_markup).toMatchObject({
      inline_keyboard: [[{ text: texts.t(lang, "common:yes") }, { text: texts.t(lang, "common:no") }]],
    });
    const [menu] = telegramOutbound(languageMenu(lang), texts);
    expect(menu?.payload.text).toBe(texts.t(lang, "onboarding:language"));
    const buttons = (menu?.payload.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
    expect(buttons).toEqual(["English", "Italiano", "العربية", "فارسی", "Українська", "ትግርኛ", "Français"]);
    const [places] = telegramOutbound(territories(lang), texts);
    expect(places?.payload.text).toBe(texts.t(lang, "onboarding:territory.question"));
  });

  it("a value inside an Arabic sentence: a Latin one isolated once, a number or an Arabic one bare", () => {
    const line = (params: Record<string, string | number>) => texts.t("ar", "common:choice_line", params);
    // In the middle of the line (n), a Latin value is isolated; already isolated, it is not wrapped again.
    expect(line({ n: "Val di Susa", label: "x" })).toBe(`${RLM}${FSI}Val di Susa${PDI}. x`);
    expect(line({ n: `${FSI}Val di Susa${PDI}`, label: "x" })).toBe(`${RLM}${FSI}Val di Susa${PDI}. x`);
    expect(line({ n: 12, label: "x" })).toBe(`${RLM}12. x`);
    expect(line({ n: "وادي سوزا", label: "x" })).toBe(`${RLM}وادي سوزا. x`);
    // At the end: only a left-to-right value ending in punctuation, whose bracket would move.
    expect(line({ n: 1, label: "Meeting (AT)" })).toBe(`${RLM}1. ${FSI}Meeting (AT)${PDI}`);
    expect(line({ n: 1, label: "Meeting" })).toBe(`${RLM}1. Meeting`);
    // A left-to-right language gets no marks.
    expect(texts.t("en", "common:choice_line", { n: 1, label: "العربية (AR)" })).toBe("1. العربية (AR)");
  });
});
