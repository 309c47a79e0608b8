// The driver adapter the Prisma CLI's WebAssembly schema engine migrates through (prisma.config.ts).
// It is @prisma/adapter-pg with two upstream gaps filled:
//  - adapter-pg cannot decode the catalog types `name` (oid 19) and `"char"` (oid 18), which the
//    schema engine reads when it describes a database: they are decoded as text, and `"char"`
//    columns are reported to the engine as a character type (as text, `migrate dev` panics once
//    constraints exist);
//  - adapter-pg's executeScript splits a migration on every `;`, comments and function bodies included
//    (a `;` in a comment or a plpgsql body breaks `migrate deploy`): a script goes whole, as one simple
//    query, which PostgreSQL runs statement by statement in one implicit transaction;
//  - the shadow database `migrate dev` asks for is provided by the caller (see `ShadowProvider`),
//    instead of adapter-pg's, which tries to drop the database while its own pool is connected.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw">;

/** The factory shape `adapter` in prisma.config.ts resolves to (SqlMigrationAwareDriverAdapterFactory). */
export interface SchemaEngineAdapterFactory {
  readonly provider: "postgres";
  readonly adapterName: string;
  connect(): Promise<Adapter>;
  connectToShadowDb(): Promise<Adapter>;
}

/** Gives `migrate dev` an empty database to replay migrations in, and throws it away after. */
export type ShadowProvider = () => Promise<{ url: string; dispose(): Promise<void> }>;

const CHAR_OID = 18;
const NAME_OID = 19;
const TEXT_OID = 25;
/** ColumnTypeEnum.Character of @prisma/driver-adapter-utils (a dependency of adapter-pg, not ours). */
const CHARACTER_COLUMN = 6;

interface RowDescription {
  fields: { dataTypeID: number }[];
}
interface ClientInternals {
  _handleRowDescription(message: RowDescription): void;
  _getActiveQuery(): { _result?: { rows: unknown[] } } | null;
}

/** Which columns of a result were `"char"`, keyed by the result's rows array, which adapter-pg
 * hands back unchanged: that is how the information crosses adapter-pg's queryRaw. */
const charColumnsByRows = new WeakMap<unknown[], number[]>();

/** A pg client that rewrites the catalog type oids before pg and adapter-pg look at them. */
class CatalogTypesClient extends pg.Client {}
const baseClient = pg.Client.prototype as unknown as ClientInternals;
(CatalogTypesClient.prototype as unknown as ClientInternals)._handleRowDescription = function (
  this: ClientInternals,
  message: RowDescription,
) {
  const charColumns: number[] = [];
  message.fields.forEach((field, index) => {
    if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    else if (field.dataTypeID === CHAR_OID) {
      field.dataTypeID = TEXT_OID;
      charColumns.push(index);
    }
  });
  baseClient._handleRowDescription.call(this, message);
  const rows = this._getActiveQuery()?._result?.rows;
  if (charColumns.length > 0 && rows) charColumnsByRows.set(rows, charColumns);
};

function reportCharColumns<T extends Queryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsByRows.get(result.rows) ?? []) {
      result.columnTypes[index] = CHARACTER_COLUMN as (typeof result.columnTypes)[number];
    }
    return result;
  };
  return queryable;
}

async function connect(url: string, poolOptions: pg.PoolConfig): Promise<Adapter> {
  const factory = new PrismaPg({ connectionString: url, ...poolOptions, Client: CatalogTypesClient });
  const adapter = reportCharColumns(await factory.connect());
  const internals = adapter as unknown as { client?: pg.Pool; onError(error: unknown): never };
  const pool = internals.client;
  if (!(pool instanceof pg.Pool)) throw new Error("@prisma/adapter-pg changed: its adapter no longer keeps a pg pool as `client`");
  adapter.executeScript = async (script) => {
    // adapter-pg's onError turns a pg error into the engine's (the failing migration is named as usual).
    await pool.query(script).catch((e: unknown) => internals.onError(e));
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => reportCharColumns(await startTransaction(isolationLevel));
  return adapter;
}

/** Builds the schema engine's adapter factory for a database URL and a shadow database provider. */
export function schemaEngineAdapterFactory(
  url: string,
  shadow: ShadowProvider,
  poolOptions: pg.PoolConfig = {},
): SchemaEngineAdapterFactory {
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(url, poolOptions),
    async connectToShadowDb() {
      const database = await shadow();
      const adapter = await connect(database.url, poolOptions);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await database.dispose();
      };
      return adapter;
    },
  };
}
