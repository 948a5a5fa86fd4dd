import { readFileSync } from "node:fs";
import path from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import type { Db } from "./client";

/**
 * Compares schema.prisma (through Prisma's own schema parser) with what the migrations built in
 * the database: every model's table, every column's type and nullability, defaults, enums,
 * primary keys, unique and plain indexes, and foreign keys. Returns one line per difference.
 */
interface DmmfField {
  name: string;
  kind: "scalar" | "enum" | "object";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  dbName?: string | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string }[];
  /** Set when the index is named in schema.prisma (`map:`), as partial indexes are. */
  dbName?: string;
}

export function readDatamodel(schemaPath = path.resolve(process.cwd(), "prisma/schema.prisma")) {
  const schema = readFileSync(schemaPath, "utf8");
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] })));
  return dmmf.datamodel as { models: DmmfModel[]; enums: { name: string; values: { name: string }[] }[]; indexes: DmmfIndex[] };
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp without time zone",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric",
  Bytes: "bytea",
};

const ON_DELETE: Record<string, string> = { Cascade: "c", Restrict: "r", SetNull: "n", NoAction: "a", SetDefault: "d" };

export async function diffSchema(db: Db): Promise<string[]> {
  const dm = readDatamodel();
  const problems: string[] = [];
  const columns = await db.$queryRawUnsafe<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null; datetime_precision: number | null }[]>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const enums = await db.$queryRawUnsafe<{ name: string; value: string }[]>(
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder`,
  );
  const indexes = await db.$queryRawUnsafe<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }[]>(
    `SELECT c.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
       array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
     FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema()`,
  );
  const fks = await db.$queryRawUnsafe<{ table: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string }[]>(
    `SELECT c.relname AS table, rc.relname AS ref_table, con.confdeltype::text AS on_delete,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
       array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class rc ON rc.oid = con.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'f' AND n.nspname = current_schema()`,
  );

  for (const e of dm.enums) {
    const actual = enums.filter((x) => x.name === e.name).map((x) => x.value);
    const expected = e.values.map((v) => v.name);
    if (actual.join(",") !== expected.join(",")) problems.push(`enum ${e.name}: expected [${expected}] but the database has [${actual}]`);
  }

  const tableOf = new Map(dm.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DmmfModel, field: string) => model.fields.find((f) => f.name === field)?.dbName ?? field;

  for (const model of dm.models) {
    const table = tableOf.get(model.name)!;
    const cols = new Map(columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
    if (cols.size === 0) {
      problems.push(`model ${model.name}: table "${table}" is missing`);
      continue;
    }
    for (const f of model.fields) {
      if (f.kind === "object") continue;
      const name = f.dbName ?? f.name;
      const col = cols.get(name);
      const where = `${model.name}.${f.name}`;
      if (!col) {
        problems.push(`${where}: column "${table}"."${name}" is missing`);
        continue;
      }
      if (f.isList) {
        const udt = f.kind === "enum" ? `_${f.type}` : `_${col.udt_name.replace(/^_/, "")}`;
        if (col.data_type !== "ARRAY" || col.udt_name !== udt) problems.push(`${where}: expected an array of ${f.type}, found ${col.data_type} ${col.udt_name}`);
      } else if (f.kind === "enum") {
        if (col.data_type !== "USER-DEFINED" || col.udt_name !== f.type) problems.push(`${where}: expected enum ${f.type}, found ${col.data_type} ${col.udt_name}`);
      } else {
        const expected = SCALAR_TYPES[f.type];
        if (col.data_type !== expected) problems.push(`${where}: expected ${expected}, found ${col.data_type}`);
        if (f.type === "DateTime" && col.datetime_precision !== 3) problems.push(`${where}: expected timestamp precision 3, found ${col.datetime_precision}`);
      }
      const nullable = col.is_nullable === "YES";
      if (!f.isList && f.isRequired === nullable) problems.push(`${where}: expected ${f.isRequired ? "NOT NULL" : "nullable"}, found ${nullable ? "nullable" : "NOT NULL"}`);
      const dbDefault = f.hasDefaultValue && !isClientDefault(f.default);
      if (dbDefault && col.column_default === null) problems.push(`${where}: expected a database default, found none`);
      if (!f.hasDefaultValue && !f.isUpdatedAt && col.column_default !== null) problems.push(`${where}: unexpected database default ${col.column_default}`);
    }
    for (const name of cols.keys()) {
      if (!model.fields.some((f) => f.kind !== "object" && (f.dbName ?? f.name) === name)) problems.push(`${model.name}: column "${name}" is not in schema.prisma`);
    }
    for (const f of model.fields) {
      if (f.kind !== "object" || !f.relationFromFields?.length) continue;
      const target = dm.models.find((m) => m.name === f.type)!;
      const from = f.relationFromFields.map((x) => columnOf(model, x));
      const to = f.relationToFields!.map((x) => columnOf(target, x));
      const fk = fks.find((k) => k.table === table && k.columns.join(",") === from.join(",") && k.ref_table === tableOf.get(target.name) && k.ref_columns.join(",") === to.join(","));
      if (!fk) problems.push(`${model.name}.${f.name}: foreign key (${from}) → ${target.name}(${to}) is missing`);
      else {
        const expected = ON_DELETE[f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")];
        if (fk.on_delete !== expected) problems.push(`${model.name}.${f.name}: ON DELETE expected ${f.relationOnDelete ?? "default"}, found ${fk.on_delete}`);
      }
    }
  }

  for (const idx of dm.indexes) {
    const model = dm.models.find((m) => m.name === idx.model)!;
    const table = tableOf.get(idx.model)!;
    const cols = idx.fields.map((f) => columnOf(model, f.name));
    // A named index (partial ones must be named) is matched by name; others by their columns, an
    // index of the same kind first (a column can carry a unique and a partial plain index).
    const sameColumns = indexes.filter((i) => i.table === table && i.columns.join(",") === cols.join(","));
    const found = idx.dbName
      ? sameColumns.find((i) => i.name === idx.dbName)
      : (sameColumns.find((i) => (idx.type === "normal") === (!i.unique && !i.primary)) ?? sameColumns[0]);
    const label = `${idx.model} ${idx.type} index (${cols.join(", ")})`;
    if (!found) problems.push(`${label} is missing`);
    else if (idx.type === "id" && !found.primary) problems.push(`${label}: not the primary key`);
    else if (idx.type === "unique" && !found.unique) problems.push(`${label}: not unique`);
    else if (idx.type === "normal" && found.unique) problems.push(`${label}: unexpectedly unique`);
  }
  return problems;
}

/** Defaults Prisma fills in on the client (cuid, uuid) leave no database default. */
function isClientDefault(d: unknown): boolean {
  if (!d || typeof d !== "object") return false;
  const name = (d as { name?: string }).name;
  return name === "cuid" || name === "uuid" || name === "nanoid" || name === "ulid";
}
