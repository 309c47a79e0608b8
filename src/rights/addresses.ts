// A person's address as a coordinator types it, turned into the address a channel reports (what
// `channel_identities.address_hash` was computed from), so it can be hashed and looked up.
import type { ChannelName } from "../channel/contract.ts";

/** An address a coordinator typed that no channel would report. */
export class BadAddressError extends Error {
  constructor(
    readonly channel: ChannelName,
    readonly reason: string,
  ) {
    super(`not a ${channel} address: ${reason}`);
    this.name = "BadAddressError";
  }
}

/** A Telegram chat id as the Telegram channel reports it (`String(chat.id)`): digits, a minus for groups. */
export function telegramAddress(typed: string): string {
  const id = typed.trim();
  if (!/^-?\d{1,20}$/.test(id)) throw new BadAddressError("telegram", "a chat id is a whole number, e.g. 123456789");
  return String(BigInt(id));
}

/**
 * A WhatsApp number as WhatsApp Web reports the chat (`393331234567@c.us`): international, digits
 * only. Spaces, dashes, dots, brackets and a leading `+` or `00` are what people write around it; a
 * chat id already in that form (`…@c.us`, `…@lid`) is taken as it is.
 */
export function whatsappAddress(typed: string): string {
  const text = typed.trim();
  if (/^\d+@(c\.us|lid)$/.test(text)) return text;
  const digits = text.replace(/[\s\-.()/]/g, "").replace(/^(\+|00)/, "");
  if (!/^[1-9]\d{6,14}$/.test(digits)) {
    throw new BadAddressError("whatsapp", "a phone number in international format, with its country code, e.g. +39 333 123 4567");
  }
  return `${digits}@c.us`;
}
