import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { plainText } from "../../src/messages/plain-text.ts";

/** Our message as lines for the terminal: text with numbered choices. */
export function terminalOutput(message: Message, texts: Texts): string {
  return plainText(message, texts);
}
