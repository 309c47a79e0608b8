import { wordsOf } from "../text/reader.ts";
import { typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** One of the offered languages: by its number in the menu, its code, or its name in any offered language. */
export function parseLanguage(said: Said, env: AnswerEnv): Parsed {
  const langs = env.reader.ctx.languages;
  const code = readLanguage(said, env);
  return code ? ok({ kind: "choice", choices: [code] }) : invalid("hints:choice", { max: langs.length });
}

/** The language code the input names, or undefined. */
export function readLanguage(said: Said, env: AnswerEnv): string | undefined {
  const { ctx } = env.reader;
  const langs = ctx.languages;
  if (said.type === "choice") return langs.includes(said.id) ? said.id : undefined;
  if (said.type !== "text") return undefined;
  const text = typed(said.text);
  const n = /^\d+$/.test(text) ? Number(text) : undefined;
  if (n !== undefined) return langs[n - 1];
  if (langs.includes(text)) return text;
  // A language is known by its own name ("العربية"), its English name, and its name in the current language.
  return langs.find((code) =>
    ["meta:name", "meta:english_name"].some((key) => wordsOf(ctx.lexicon, code, key).has(text)) ||
    env.reader.is(`meta:languages.${code}`, text),
  );
}
