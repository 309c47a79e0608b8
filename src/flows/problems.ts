/** One thing wrong in a flow file: where (file and path in the document) and why. */
export interface Problem {
  file: string;
  /** Dotted path in the document, e.g. `nodes.housing.next`; empty for the whole file. */
  path: string;
  message: string;
}

/** How a problem reads to a person: `flows/needs.yaml: nodes.housing.next: unknown node "housng"`. */
export function formatProblem(p: Problem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Flow files that can't be used, with every problem found. */
export class FlowError extends Error {
  override readonly name = "FlowError";
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}
