import { typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** Yes or no, in words of the person's language, as 1/2 (the order they are shown in), or a button. */
export function parseYesNo(said: Said, env: AnswerEnv): Parsed {
  const answer = readYesNo(said, env);
  return answer ? ok({ kind: "choice", choices: [answer] }) : invalid("hints:yes_no");
}

/** "yes", "no", or undefined when the input is neither. */
export function readYesNo(said: Said, env: AnswerEnv): "yes" | "no" | undefined {
  if (said.type === "choice") return said.id === "yes" || said.id === "no" ? said.id : undefined;
  if (said.type !== "text") return undefined;
  const text = typed(said.text);
  const n = env.reader.wholeNumber(text);
  if (n === 1) return "yes";
  if (n === 2) return "no";
  if (env.reader.is("parse:yes", text)) return "yes";
  if (env.reader.is("parse:no", text)) return "no";
  return undefined;
}
