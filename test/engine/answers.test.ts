// Table tests of the answer parsers in every shipped language: what people really type, in their
// script, with their digits, their words for yes/no, numbers, dates and commands.
import { describe, expect, it } from "vitest";
import { readDate } from "../../src/engine/answers/date.ts";
import { parseAnswer, type AnswerEnv } from "../../src/engine/answers/index.ts";
import { readYesNo } from "../../src/engine/answers/yes-no.ts";
import { globalCommand, questionCommand } from "../../src/engine/commands.ts";
import { AnswerSpec, type EngineContext } from "../../src/engine/index.ts";
import { asciiDigits, normalize } from "../../src/engine/text/normalize.ts";
import { Reader, wordsOf } from "../../src/engine/text/reader.ts";
import { ALL_LANGUAGES, shippedTexts } from "../support/engine.ts";

const texts = shippedTexts();
const ctx = { lexicon: texts, languages: ALL_LANGUAGES } as unknown as EngineContext;
const env = (lang: string): AnswerEnv => ({ reader: new Reader(ctx, lang), qualify: (k) => k, today: "2026-11-25" });
const text = (t: string) => ({ type: "text" as const, text: t });

const table: Record<string, { yes: string[]; no: string[]; nums: [string, number][]; dates: [string, string][]; cmds: [string, string][] }> = {
  it: { yes: ["Sì", "si", "va bene", "certo", "d’accordo"], no: ["no", "No grazie"], nums: [["tre", 3], ["secondo", 2], ["diciassette", 17], ["nessuno", 0]],
    dates: [["oggi", "2026-11-25"], ["ieri", "2026-11-24"], ["l'altro ieri", "2026-11-23"], ["dopodomani", "2026-11-27"], ["21 marzo 2024", "2024-03-21"], ["il 3 di giugno", "2026-06-03"], ["5 ago 2025", "2025-08-05"]],
    cmds: [["i miei dati", "mydata"], ["STOP", "stop"], ["Inizia", "start"], ["aiuto", "help"], ["LINGUE", "language"], ["CANCELLA", "delete"], ["Ricomincia", "restart"], ["SALTA", "skip"], ["indietro", "back"], ["menù", "start"]] },
  fr: { yes: ["Oui", "ouais", "d'accord", "bien sûr"], no: ["non", "Non merci", "nan"], nums: [["trois", 3], ["deuxième", 2], ["1ère", 1], ["dix-sept", 17], ["aucun", 0]],
    dates: [["aujourd’hui", "2026-11-25"], ["hier", "2026-11-24"], ["avant-hier", "2026-11-23"], ["après-demain", "2026-11-27"], ["le 21 mars 2024", "2024-03-21"], ["3 février", "2026-02-03"]],
    cmds: [["mes données", "mydata"], ["STOP", "stop"], ["commencer", "start"], ["aide", "help"], ["LANGUES", "language"], ["SUPPRIMER", "delete"], ["recommencer", "restart"], ["passer", "skip"], ["retour", "back"]] },
  ar: { yes: ["نعم", "نَعَم", "أيوه", "ايوا", "موافق", "na3am", "تمام"], no: ["لا", "لأ", "لا شكراً", "la", "ليس لدي", "ما في"], nums: [["ثلاثة", 3], ["ثلاثه", 3], ["الأول", 1], ["الاولى", 1], ["اثنين", 2], ["عشرين", 20], ["لا يوجد", 0], ["٣", 3]],
    dates: [["اليوم", "2026-11-25"], ["أمس", "2026-11-24"], ["امبارح", "2026-11-24"], ["بكرة", "2026-11-26"], ["أول أمس", "2026-11-23"], ["بعد غد", "2026-11-27"], ["21 مارس 2024", "2024-03-21"], ["٢١ آذار ٢٠٢٤", "2024-03-21"], ["3 يونيو", "2026-06-03"], ["يوم 5 أغسطس سنة 2025", "2025-08-05"]],
    cmds: [["بياناتي", "mydata"], ["my data", "mydata"], ["/mydata", "mydata"], ["MYDATA", "mydata"], ["توقف", "stop"], ["ابدأ", "start"], ["إبدأ", "start"], ["القائمة", "start"], ["مساعدة", "help"], ["اللغات", "language"], ["حذف", "delete"], ["من جديد", "restart"], ["تخطي", "skip"], ["تخطى", "skip"], ["رجوع", "back"]] },
  fa: { yes: ["بله", "بلی", "آره", "bale", "باشه", "دارم"], no: ["نه", "نخیر", "na", "ندارم", "نی"], nums: [["سه", 3], ["دوم", 2], ["چار", 4], ["بیست", 20], ["هیچ", 0], ["۳", 3], ["yek", 1], ["نهم", 9]],
    dates: [["امروز", "2026-11-25"], ["دیروز", "2026-11-24"], ["فردا", "2026-11-26"], ["پریروز", "2026-11-23"], ["پس‌فردا", "2026-11-27"], ["پس فردا", "2026-11-27"], ["21 مارس 2024", "2024-03-21"], ["۲۱ مارچ ۲۰۲۴", "2024-03-21"], ["5 ماه مه", "2026-05-05"], ["3 جون", "2026-06-03"]],
    cmds: [["اطلاعات من", "mydata"], ["توقف", "stop"], ["شروع", "start"], ["کمک", "help"], ["زبان‌ها", "language"], ["زبانها", "language"], ["حذف", "delete"], ["از اول", "restart"], ["رد", "skip"], ["برگشت", "back"]] },
  uk: { yes: ["Так", "так!", "ага", "да", "добре", "tak"], no: ["ні", "Ні", "нет", "немає", "ni"], nums: [["три", 3], ["третій", 3], ["п’ять", 5], ["пʼять", 5], ["пять", 5], ["двадцять", 20], ["жодного", 0]],
    dates: [["сьогодні", "2026-11-25"], ["вчора", "2026-11-24"], ["завтра", "2026-11-26"], ["позавчора", "2026-11-23"], ["післязавтра", "2026-11-27"], ["21 березня 2024 року", "2024-03-21"], ["21 березня 2024", "2024-03-21"], ["3 червня", "2026-06-03"], ["5 августа 2025", "2025-08-05"]],
    cmds: [["мої дані", "mydata"], ["СТОП", "stop"], ["старт", "start"], ["меню", "start"], ["допомога", "help"], ["мови", "language"], ["видалити", "delete"], ["заново", "restart"], ["пропустити", "skip"], ["назад", "back"]] },
  ti: { yes: ["እወ", "ሕራይ", "ewe"], no: ["ኣይፋል", "አይፋል", "የብለይን"], nums: [["ሰለስተ", 3], ["ካልኣይ", 2], ["ዓሰርተ ሓደ", 11], ["ዕስራ", 20], ["፫", 3], ["የለን", 0]],
    dates: [["ሎሚ", "2026-11-25"], ["ትማሊ", "2026-11-24"], ["ጽባሕ", "2026-11-26"], ["ቅድሚ ትማሊ", "2026-11-23"], ["ድሕሪ ጽባሕ", "2026-11-27"], ["21 መጋቢት 2024", "2024-03-21"], ["ዕለት 3 ሰነ", "2026-06-03"], ["5 ነሓሰ 2025", "2025-08-05"]],
    cmds: [["ሓበሬታይ", "mydata"], ["ደው በሉ", "stop"], ["ጀምር", "start"], ["ሓገዝ", "help"], ["ቋንቋታት", "language"], ["ደምስሱ", "delete"], ["ካብ መጀመርታ", "restart"], ["ሕለፍ", "skip"], ["ንድሕሪት", "back"]] },
};

describe.each(Object.entries(table))("%s", (lang, t) => {
  it.each(t.yes)("yes: %s", (w) => expect(readYesNo(text(w), env(lang))).toBe("yes"));
  it.each(t.no)("no: %s", (w) => expect(readYesNo(text(w), env(lang))).toBe("no"));
  it.each(t.nums)("number: %s = %i", (w, n) => expect(env(lang).reader.wholeNumber(normalize(w))).toBe(n));
  it.each(t.dates)("date: %s = %s", (w, d) => expect(readDate(normalize(w), env(lang))).toBe(d));
  it.each(t.cmds)("command: %s = %s", (w, c) => {
    const input = text(w);
    expect(globalCommand(input, env(lang).reader) ?? questionCommand(input, env(lang).reader)).toBe(c);
  });
});

describe("digits in every script", () => {
  it.each([
    ["٠١٢٣٤٥٦٧٨٩", "0123456789"], // Arabic-Indic
    ["۰۱۲۳۴۵۶۷۸۹", "0123456789"], // Persian
    ["０１２３４５６７８９", "0123456789"], // full-width
    ["०१२३४५६७८९", "0123456789"], // Devanagari
    ["፩፪፫፬፭፮፯፰፱", "123456789"], // Ethiopic
    ["፲", "10"],
  ])("%s → %s", (from, to) => expect(asciiDigits(from)).toBe(to));
});

const choice = AnswerSpec.parse({
  type: "multiple_choice",
  options: [
    { id: "housing", label: "needs:priority.housing" },
    { id: "work", label: "needs:priority.work" },
    { id: "language", label: "needs:priority.language" },
    { id: "health", label: "needs:priority.health" },
  ],
});

describe("multiple choice lists as people write them", () => {
  it.each([
    ["en", "1,3"], ["en", "1 3"], ["en", "1 and 3"], ["en", "1, 3."], ["en", "3,1"], ["en", "housing, language"],
    ["it", "1 e 3"], ["fr", "1 et 3"], ["ar", "١ و ٣"], ["ar", "١و٣"], ["ar", "1، 3"], ["fa", "۱ و ۳"], ["fa", "۱،۳"],
    ["uk", "1 і 3"], ["uk", "1 та 3"], ["ti", "1፣3"], ["ti", "፩ ፫"], ["en", "１，３"],
  ])("%s: %s", (lang, typed) => {
    const parsed = parseAnswer(choice, text(typed), env(lang));
    expect(parsed).toEqual({ ok: true, value: { kind: "choice", choices: ["housing", "language"] } });
  });

  it.each([["en", "1 and 7"], ["en", "apples and pears"], ["en", ""]])("refuses %s: %s", (lang, typed) => {
    expect(parseAnswer(choice, text(typed), env(lang)).ok).toBe(false);
  });
});

describe("choices by label in the person's language", () => {
  const single = AnswerSpec.parse({ type: "choice", options: choice.type === "multiple_choice" ? choice.options : [] });
  it.each([
    ["en", "Health", "health"], ["it", "salute", "health"], ["fr", "Santé", "health"], ["fr", "sante", "health"],
    ["uk", "Робота", "work"], ["ar", "العمل", "work"], ["fa", "کار", "work"], ["en", "two", "work"], ["it", "due", "work"],
    ["ar", "اثنان", "work"], ["fa", "دو", "work"], ["uk", "два", "work"], ["ti", "ክልተ", "work"],
  ])("%s: %s → %s", (lang, typed, id) => {
    expect(parseAnswer(single, text(typed), env(lang))).toEqual({ ok: true, value: { kind: "choice", choices: [id] } });
  });
});

describe("numbers", () => {
  const spec = AnswerSpec.parse({ type: "number", integer: false, min: -50, max: 5000 });
  it.each([
    ["en", "3", 3], ["it", "1,5", 1.5], ["fr", "2,75", 2.75], ["en", "1.5", 1.5], ["ar", "٣٫٥", 3.5], ["fa", "۱۲", 12],
    ["en", "1 000", 1000], ["en", "-3", -3], ["uk", "сім", 7], ["en", "twelve", 12],
  ])("%s: %s = %d", (lang, typed, n) => {
    expect(parseAnswer(spec, text(typed), env(lang))).toEqual({ ok: true, value: { kind: "number", number: n } });
  });
  it.each([["en", "a few"], ["en", "9999"], ["en", "1.2.3"]])("refuses %s: %s", (lang, typed) => {
    expect(parseAnswer(spec, text(typed), env(lang)).ok).toBe(false);
  });
});

describe("dates in forgiving formats", () => {
  it.each([
    ["21/03/2024", "2024-03-21"], ["21.3.24", "2024-03-21"], ["21-03-2024", "2024-03-21"], ["2024-03-21", "2024-03-21"],
    ["21 March 2024", "2024-03-21"], ["March 21, 2024", "2024-03-21"], ["21 mar", "2026-03-21"], ["٢١/٣/٢٠٢٤", "2024-03-21"],
    ["1/1/99", "1999-01-01"], ["tomorrow", "2026-11-26"],
  ])("%s = %s", (typed, date) => expect(readDate(normalize(typed), env("en"))).toBe(date));
  it.each(["31/02/2024", "32/01/2024", "someday", "13/13"])("refuses %s", (typed) => expect(readDate(normalize(typed), env("en"))).toBeUndefined());
});

describe("command words", () => {
  it("no word means two different commands across the languages", () => {
    const owner = new Map<string, string>();
    for (const l of ALL_LANGUAGES) {
      for (const c of ["start", "stop", "help", "language", "delete", "restart", "skip", "back"]) {
        for (const w of wordsOf(texts, l, `parse:commands.${c}`)) {
          const prev = owner.get(w);
          expect(prev === undefined || prev === c, `"${w}" (${l}) is ${prev} and ${c}`).toBe(true);
          owner.set(w, c);
        }
      }
    }
  });

  it("no command word is a yes/no word or a number word (it would steal answers)", () => {
    const commands = new Set<string>();
    for (const l of ALL_LANGUAGES) for (const c of ["start", "stop", "delete", "skip", "back"]) for (const w of wordsOf(texts, l, `parse:commands.${c}`)) commands.add(w);
    for (const l of ALL_LANGUAGES) {
      for (const k of ["parse:yes", "parse:no", ...Array.from({ length: 21 }, (_, n) => `parse:numbers.${n}`)]) {
        for (const w of wordsOf(texts, l, k)) expect(commands.has(w), `${l} ${k} "${w}"`).toBe(false);
      }
    }
  });
});
