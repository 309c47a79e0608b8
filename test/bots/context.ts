// The engine context for channel tests: the shipped flows and texts, offering English, Arabic and
// Ukrainian. Translations are still arriving, so a few texts the tests need in Arabic and Ukrainian
// are filled in here where the shipped locales don't have them yet (shipped texts always win).
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import type { EngineContext } from "../../src/engine/index.ts";
import { readLocales, type Resources } from "../../src/i18n/locales.ts";
import { Texts } from "../../src/i18n/texts.ts";
import { shippedFlows, shippedTexts, TestClock } from "../support/engine.ts";

export const LANGUAGES = ["en", "ar", "uk"] as const;

const FILL_IN: Resources = {
  ar: {
    meta: { name: "العربية", english_name: "Arabic", dir: "rtl" },
    session: { language_changed: "حسنًا، سنكمل بالعربية.", choose_language: "🌐 اختر لغتك:" },
    onboarding: { territory: { question: "أين تعيش؟" } },
  },
  uk: {
    meta: { name: "Українська", english_name: "Ukrainian", dir: "ltr" },
    session: { language_changed: "Гаразд, продовжимо українською.", choose_language: "🌐 Оберіть мову:" },
    onboarding: { territory: { question: "Де ви живете?" } },
  },
};

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === "object" && b && typeof b === "object" ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

let texts: Texts | undefined;
export function channelTexts(): Texts {
  if (texts) return texts;
  const shipped = readLocales(join(PROJECT_ROOT, "locales"));
  const resources: Resources = {};
  for (const lang of LANGUAGES) {
    resources[lang] = merge(FILL_IN[lang] ?? {}, shipped[lang] ?? {}) as Resources[string];
  }
  return (texts = new Texts(resources, LANGUAGES));
}

/** An engine context over the shipped flows (checked in English) with a fixed clock and ids. */
export function channelContext(): EngineContext & { texts: Texts } {
  const t = channelTexts();
  const clock = new TestClock();
  let id = 0;
  return {
    texts: t,
    flows: shippedFlows(shippedTexts(["en"])),
    lexicon: t,
    languages: LANGUAGES,
    entryFlow: "main",
    now: clock.now,
    newId: () => `run-${++id}`,
    timeZone: "Europe/Rome",
  };
}
