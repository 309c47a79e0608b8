// The engine context for channel tests: the shipped flows and the shipped texts, offering English,
// Arabic and Ukrainian.
import type { EngineContext } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { shippedFlows, shippedTexts, TestClock } from "../support/engine.ts";

export const LANGUAGES = ["en", "ar", "uk"] as const;

/** The shipped locales, offering LANGUAGES. */
export function channelTexts(): Texts {
  return shippedTexts(LANGUAGES);
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
