// What can go wrong asking for a digest, carrying what a person needs to put it right.

/** A task force as an error lists it. */
export interface KnownTaskForce {
  id: string;
  name: string;
  territoryId: string;
}

const listed = (known: readonly KnownTaskForce[]) =>
  known.length === 0 ? "there are no task forces yet (`inloco db seed` adds the demo ones)" : `known task forces:\n${known.map((t) => `  ${t.id}  ${t.name} (${t.territoryId})`).join("\n")}`;

/** No task force has this id or name. */
export class TaskForceNotFoundError extends Error {
  override readonly name = "TaskForceNotFoundError";
  constructor(
    readonly given: string,
    readonly known: readonly KnownTaskForce[],
  ) {
    super(`no task force "${given}"; ${listed(known)}`);
  }
}

/** Several task forces (of different territories) have this name. */
export class AmbiguousTaskForceError extends Error {
  override readonly name = "AmbiguousTaskForceError";
  constructor(
    readonly given: string,
    readonly matching: readonly KnownTaskForce[],
  ) {
    super(`${matching.length} task forces are named "${given}": give the id of one of them;\n${matching.map((t) => `  ${t.id}  ${t.name} (${t.territoryId})`).join("\n")}`);
  }
}

/** A period that can't make a digest (its end not after its start, a date that isn't one). */
export class DigestPeriodError extends Error {
  override readonly name = "DigestPeriodError";
  constructor(message: string) {
    super(message);
  }
}
