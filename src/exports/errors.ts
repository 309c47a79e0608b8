// What an export or report is asked that it can't do, said so a researcher can put it right.

/** A wrong option: which one, and why (with the values it could have been, when known). */
export class ExportInputError extends Error {
  override readonly name = "ExportInputError";
  constructor(
    readonly option: string,
    readonly problem: string,
    readonly known: readonly string[] = [],
  ) {
    super(`${option}: ${problem}${known.length > 0 ? `; known: ${known.join(", ")}` : ""}`);
  }
}
