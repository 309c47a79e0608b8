// The database layer's public surface. Import from here, not from the files behind it.
export { openDatabase, postgresAdapter, type Database, type OpenDatabaseOptions } from "./database.ts";
export { isUniqueViolation, sqlOver, type Sql, type SqlTx } from "./sql.ts";
export { IdentityVault } from "./crypto.ts";
export { generateKey, loadIdentityKeys, type IdentityKeys, type LoadKeysOptions } from "./keys.ts";
export { databaseSettings, type DatabaseSettings } from "./settings.ts";
export { PGLITE_FOLDER } from "./embedded.ts";
export { applyMigrations, readMigrations } from "./migrate.ts";
export {
  DatabaseLayerError,
  DataFolderLockedError,
  DatabaseUnreachableError,
  DecryptionError,
  FailedMigrationPendingError,
  InvalidEnvironmentError,
  InvalidKeyError,
  MigrationError,
  MissingKeyError,
  RunningAppNotMigratedError,
  SocketPathTooLongError,
} from "./errors.ts";
export type { PrismaClient } from "../generated/prisma/client.ts";
export { Prisma } from "../generated/prisma/client.ts";
