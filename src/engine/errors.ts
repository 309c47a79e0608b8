/** A caller broke the engine's contract (not a mistake in flow content, which becomes an `error` event). */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: "unknown_entry_flow" | "unknown_consent_flow",
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
