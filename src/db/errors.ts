// Typed errors of the database layer. Each carries the context needed to act on it, and a stable
// `code` so callers (and the CLI) can branch without matching on messages.

/** Base class of every error thrown by src/db. */
export abstract class DatabaseLayerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another live process holds the embedded database's data folder. */
export class DataFolderLockedError extends DatabaseLayerError {
  readonly code = "DATA_FOLDER_LOCKED";

  constructor(
    readonly folder: string,
    readonly pid: number,
    readonly lockFile: string,
    /** Why this command could not work alongside that process, when it tried. */
    readonly reason?: string,
  ) {
    super(
      `The data folder ${folder} is in use by process ${pid}${reason ? `: ${reason}` : ""}. ` +
        `Stop that process, or point INLOCO_DATA_DIR at another folder ` +
        `(if process ${pid} is not an In Loco process, delete ${lockFile}).`,
    );
  }
}

/** Even the shortest place for the embedded database's socket is too long a path for a Unix socket. */
export class SocketPathTooLongError extends DatabaseLayerError {
  readonly code = "SOCKET_PATH_TOO_LONG";

  constructor(
    readonly socket: string,
    readonly max: number,
  ) {
    super(
      `The embedded database's socket ${socket} is longer than the ${max} bytes a Unix socket path may have, ` +
        `and so is one in the temporary folder (TMPDIR): set INLOCO_DATA_DIR or TMPDIR to a shorter path.`,
    );
  }
}

/** The running app's database lacks migrations this checkout has: only a start of the app applies them. */
export class RunningAppNotMigratedError extends DatabaseLayerError {
  readonly code = "RUNNING_APP_NOT_MIGRATED";

  constructor(
    readonly pid: number,
    readonly pending: readonly string[],
  ) {
    super(
      `The app running as process ${pid} works on a database without the migration(s) ${pending.join(", ")}, ` +
        `which this checkout has: it was started from older code. Stop it, then start it again (it migrates at start) ` +
        `or run \`inloco db migrate\`; schema changes are not made under a running app.`,
    );
  }
}

/** An environment variable of the database layer is malformed. */
export class InvalidEnvironmentError extends DatabaseLayerError {
  readonly code = "INVALID_ENVIRONMENT";

  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

/** A key is required (PostgreSQL mode) but its environment variable is not set. */
export class MissingKeyError extends DatabaseLayerError {
  readonly code = "MISSING_KEY";

  constructor(readonly variable: string) {
    super(
      `${variable} is not set. With DATABASE_URL set, keys are not generated: set ${variable} to 32 random bytes ` +
        `in base64 or hex (e.g. \`openssl rand -base64 32\`) and keep it safe: without it stored addresses cannot be read back.`,
    );
  }
}

/** A key was found but is not 32 bytes of base64 or hex. */
export class InvalidKeyError extends DatabaseLayerError {
  readonly code = "INVALID_KEY";

  constructor(
    /** The environment variable or key file the key came from. */
    readonly source: string,
    readonly reason: string,
  ) {
    super(`Invalid key in ${source}: ${reason}`);
  }
}

/** An encrypted address could not be decrypted (wrong key, or the bytes were altered). */
export class DecryptionError extends DatabaseLayerError {
  readonly code = "DECRYPTION_FAILED";

  constructor(options?: { cause?: unknown }) {
    super("Could not decrypt: the encryption key differs from the one used to encrypt, or the data is corrupt.", options);
  }
}

/** A migration failed to apply; nothing of it was kept. */
export class MigrationError extends DatabaseLayerError {
  readonly code = "MIGRATION_FAILED";

  constructor(
    readonly migration: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`Migration ${migration} failed${reason}`, options);
  }
}

/** The database records a migration left half-applied by another tool (Prisma's P3009 state). */
export class FailedMigrationPendingError extends DatabaseLayerError {
  readonly code = "FAILED_MIGRATION_PENDING";

  constructor(readonly migration: string) {
    super(
      `Migration ${migration} is recorded as failed in _prisma_migrations. ` +
        `Fix the database, then run \`npx prisma migrate resolve --applied ${migration}\` (or --rolled-back).`,
    );
  }
}

/** The PostgreSQL server can't be reached (or refuses us) when the app starts. */
export class DatabaseUnreachableError extends DatabaseLayerError {
  readonly code = "DATABASE_UNREACHABLE";

  constructor(
    /** The URL without its password. */
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot use the database at ${url}: ${reason}. Check DATABASE_URL, that PostgreSQL is running and that this machine may reach it.`, options);
  }
}
