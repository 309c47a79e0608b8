// Time limits on calls to Telegram, and why a call got no answer, told without its URL (it holds the token).
import { HttpError } from "grammy";
import { describe } from "../handover.ts";

/** The part of an abort signal grammY's polyfilled signals have too. */
export type SignalLike = Pick<AbortSignal, "aborted" | "addEventListener" | "removeEventListener">;

/** Run a call with a signal that follows the caller's and also gives up after `ms`. */
export async function withTimeout<T>(signal: SignalLike | undefined, ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort);
  const timer = setTimeout(abort, ms);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
  }
}

/** Why a call got no answer, without the URL (it holds the token). */
export function unreachable(e: unknown, timeoutMs: number): string {
  if (!(e instanceof HttpError)) return describe(e);
  const cause = e.error as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (cause?.name === "AbortError" || cause?.name === "TimeoutError") return `no answer within ${seconds(timeoutMs)}`;
  const code = cause?.code ?? cause?.cause?.code;
  return `${e.message.replace(/!$/, "")}${code ? ` (${code})` : ""}`;
}

/** A duration as a person reads it: `300 ms`, `1.5 s`. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
