import type { Message } from "../engine/index.ts";
import type { Texts } from "../i18n/texts.ts";

/**
 * A message as plain text, with choices as numbered lines: for the terminal and WhatsApp, where
 * buttons are unreliable, and for people who prefer typing a number.
 */
export function plainText(message: Message, texts: Texts): string {
  const lines = [texts.t(message.lang, message.key, message.params)];
  message.choices.forEach((choice, i) => {
    const n = choice.n ?? i + 1;
    const label = texts.t(choice.lang ?? message.lang, choice.key, choice.params ?? {});
    // A scale point without a label of its own is just its number.
    if (isJustNumber(label, n)) lines.push(String(n));
    else {
      // A label in another language (the language menu: "English" in an Arabic line) is isolated by `t`
      // once, as any left-to-right value in a right-to-left line; the number and an Arabic label need none.
      lines.push(texts.t(message.lang, "common:choice_line", { n, label }));
    }
  });
  if (message.expects === "multiple_choice") lines.push(texts.t(message.lang, "common:multiple_line"));
  if (message.optional) lines.push(texts.t(message.lang, "common:skip_line"));
  return lines.join("\n");
}

// Whether a label says nothing but its number (possibly isolated in a right-to-left language).
function isJustNumber(label: string, n: number): boolean {
  if (label.length > 12) return false;
  return label.replace(/[\u2068\u2069]/g, "") === String(n);
}
