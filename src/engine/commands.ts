import type { Input } from "./io.ts";
import { normalize } from "./text/normalize.ts";
import type { Reader } from "./text/reader.ts";

/** Commands that work anywhere, in every flow and every language. */
export const GLOBAL_COMMANDS = ["start", "stop", "help", "language", "delete", "restart", "mydata"] as const;
export type GlobalCommand = (typeof GLOBAL_COMMANDS)[number];

/** Commands that work while a question waits. */
export const QUESTION_COMMANDS = ["skip", "back"] as const;
export type QuestionCommand = (typeof QUESTION_COMMANDS)[number];

/** Button ids of commands, outside the option id space (option ids never start with `_`). */
export const commandButton = (command: GlobalCommand | QuestionCommand): string => `_${command}`;

function asCommand<C extends string>(input: Input, reader: Reader, commands: readonly C[]): C | undefined {
  if (input.type === "choice" && input.id.startsWith("_")) {
    const id = input.id.slice(1) as C;
    return commands.includes(id) ? id : undefined;
  }
  if (input.type !== "text") return undefined;
  // A command is the whole message ("stop", "/stop", "STOP!"), never a word inside a sentence.
  const text = normalize(input.text).replace(/^\//, "").replace(/@\S+$/, "");
  // Most messages are a number (an answer); no command is one, so don't look further.
  if (/^[\d\s,.]*$/.test(text)) return undefined;
  return commands.find((c) => reader.isInAnyLanguage(`parse:commands.${c}`, text) || text === c);
}

/** The global command an input is, if any. */
export function globalCommand(input: Input, reader: Reader): GlobalCommand | undefined {
  return asCommand(input, reader, GLOBAL_COMMANDS);
}

/** The question command (skip, back) an input is, if any. */
export function questionCommand(input: Input, reader: Reader): QuestionCommand | undefined {
  return asCommand(input, reader, QUESTION_COMMANDS);
}
