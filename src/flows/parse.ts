import { parseDocument } from "yaml";
import type { z } from "zod";
import { Flow } from "../engine/index.ts";
import type { Problem } from "./problems.ts";

/** Parse one flow file's text (YAML, or JSON, which is YAML too) into a flow, or say what is wrong. */
export function parseFlowText(file: string, text: string): { flow?: Flow; problems: Problem[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const line = e.linePos ? ` (line ${e.linePos[0].line})` : "";
        const reason =
          e.code === "DUPLICATE_KEY" ? duplicateKey(text, e.linePos?.[0].line) : (e.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        return { file, path: "", message: `${reason}${line}` };
      }),
    };
  }
  const result = Flow.safeParse(doc.toJS(), { reportInput: true });
  if (result.success) return { flow: result.data, problems: [] };
  return { problems: result.error.issues.map((issue) => ({ file, path: issue.path.join("."), message: describe(issue) })) };
}

function duplicateKey(text: string, line: number | undefined): string {
  const key = line === undefined ? undefined : /^\s*(?:- )?["']?([^:"']+)["']?\s*:/.exec(text.split("\n")[line - 1] ?? "")?.[1];
  return key ? `key "${key}" is used twice` : "a key is used twice";
}

// Zod's messages are written for developers; flow authors get one plain sentence each.
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_union":
      if ((issue as { note?: string }).note === "No matching discriminator") {
        const options = (issue as { options?: unknown[] }).options;
        const given = (issue.input as { type?: unknown } | undefined)?.type;
        return `unknown type${given === undefined ? "" : ` "${String(given)}"`}; use one of ${options?.join(", ") ?? "the documented types"}`;
      }
      return "not a valid value here";
    case "unrecognized_keys":
      return `unknown ${issue.keys.length > 1 ? "properties" : "property"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${issue.expected === "record" ? "a map" : issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}, not ${JSON.stringify(issue.input)}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "too_small":
      // Messages written in the schema say it best; zod's defaults start with "Too small".
      if (!issue.message.startsWith("Too small")) return issue.message;
      return issue.origin === "array" ? `needs at least ${String(issue.minimum)} items` : `must be ${issue.inclusive ? "at least" : "more than"} ${String(issue.minimum)}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}${issue.origin === "string" ? " characters" : ""}`;
    default:
      return issue.message;
  }
}
