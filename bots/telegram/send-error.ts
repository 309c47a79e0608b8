// Telegram's refusals as the channel contract's typed errors, so the pipeline knows what to do with a send.
import { GrammyError } from "grammy";
import { PermanentSendError, RateLimitedError, RecipientGoneError } from "../../src/channel/contract.ts";

/** A failed send as the contract's typed errors; anything else (network, 5xx) stays as it is: transient. */
export function sendError(e: unknown): unknown {
  if (!(e instanceof GrammyError)) return e;
  if (e.error_code === 429) return new RateLimitedError("telegram", e.parameters.retry_after ?? 1, e.description);
  if (e.error_code === 403) return new RecipientGoneError("telegram", e.description);
  if (e.error_code === 400) return new PermanentSendError("telegram", e.description, e.method);
  return e;
}
