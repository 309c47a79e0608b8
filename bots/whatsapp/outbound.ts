import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { plainText } from "../../src/messages/plain-text.ts";

/**
 * Our message as a WhatsApp text: choices as numbered lines. Buttons and lists are unreliable on
 * WhatsApp Web, and a number is easy to type on any phone.
 */
export function whatsappOutbound(message: Message, texts: Texts): string {
  return plainText(message, texts);
}
