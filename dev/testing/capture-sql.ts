import pg from "pg";

/** A statement the application sent to PostgreSQL, with its parameters. */
export interface CapturedStatement {
  text: string;
  values: unknown[];
}

/** Bookkeeping that is not the application's data access: not worth a plan. */
const IGNORED = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|DEALLOCATE|SELECT 1\b)/i;

/**
 * Records every statement sent through node-postgres (Prisma's PostgreSQL adapter and the intake's
 * pool both end in pg.Client#query) while `fn` runs, so a test can EXPLAIN exactly what the code
 * sends, whatever layer built it.
 */
export async function captureSql<T>(fn: () => Promise<T>): Promise<{ result: T; statements: CapturedStatement[] }> {
  const statements: CapturedStatement[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === "string" ? first : (first as { text?: string } | null)?.text;
    const values = typeof first === "string" ? second : (first as { values?: unknown[] } | null)?.values;
    // A simple-query string may hold several statements (server/feed/append-changes.ts): each is one.
    const parts = typeof text === "string" && !Array.isArray(values) && text.includes(";") ? text.split(/;\s*/) : [text];
    for (const part of parts) {
      if (typeof part === "string" && part.trim() && !IGNORED.test(part)) statements.push({ text: part, values: Array.isArray(values) ? values : [] });
    }
    return original.apply(this, args);
  };
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    proto.query = original;
  }
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Plan Rows"?: number;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Sort Key"?: string[];
  Plans?: PlanNode[];
}

export interface PlanProblem {
  statement: string;
  problem: string;
}

export interface PlanCheck {
  /** Tables that grow with the history: a sequential scan of one is a problem at any size. */
  largeTables: ReadonlySet<string>;
  /** Rows one scan node may read (actual rows × loops) or one sort may sort before it is a problem. */
  maxRows: number;
}

/** The plan as indented lines (node, relation or index, rows), for failure messages. */
export function renderPlan(node: PlanNode, depth = 0): string {
  const rows = node["Actual Rows"] !== undefined ? `${node["Actual Rows"]}×${node["Actual Loops"] ?? 1}` : `~${node["Plan Rows"]}`;
  const on = node["Index Name"] ?? node["Relation Name"];
  const line = `${"  ".repeat(depth)}${node["Node Type"]}${on ? ` on ${on}` : ""} (${rows} rows)`;
  return [line, ...(node.Plans ?? []).map((c) => renderPlan(c, depth + 1))].join("\n");
}

function walk(node: PlanNode, visit: (n: PlanNode) => void) {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** A parameter value as an SQL literal of unknown type (arrays in PostgreSQL's array syntax). */
function sqlLiteral(client: pg.Client, v: unknown): string {
  const text = (x: unknown): string => (x instanceof Date ? x.toISOString() : typeof x === "object" ? JSON.stringify(x) : String(x));
  if (v === null || v === undefined) return "NULL";
  if (Array.isArray(v)) {
    const items = v.map((x) => (x === null || x === undefined ? "NULL" : `"${text(x).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`));
    return client.escapeLiteral(`{${items.join(",")}}`);
  }
  return client.escapeLiteral(text(v));
}

const SCANS = new Set(["Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan"]);

/**
 * EXPLAIN ANALYZE of one statement inside a transaction that is rolled back (so writes leave no
 * trace), checked for work that grows with the database rather than with the case: a sequential
 * scan of a large table, any scan that reads more than `maxRows` rows, or a sort of more than
 * `maxRows` rows. A statement that cannot run again (its effect already happened) is explained
 * without running it, and its estimated plan is checked instead.
 */
export async function checkPlan(
  client: pg.Client,
  s: CapturedStatement,
  check: PlanCheck & {
    /**
     * Check the generic plan (made without the parameters' values), as a named prepared statement
     * gets once PostgreSQL keeps one, and as every statement of a refresh gets (server/refresh/refresh-case.ts).
     */
    generic?: boolean;
  },
): Promise<{ problems: string[]; plan: PlanNode }> {
  let plan: PlanNode;
  let analysed = true;
  const generic = check.generic && s.values.length > 0;
  // EXPLAIN EXECUTE takes no bound parameters: the values go in as literals (their types are the statement's).
  const explained = generic ? `EXECUTE hot_generic(${s.values.map((v) => sqlLiteral(client, v)).join(", ")})` : s.text;
  const values = generic ? [] : s.values;
  if (generic) await client.query(`PREPARE hot_generic AS ${s.text}`);
  await client.query("BEGIN");
  try {
    if (generic) await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
    const res = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${explained}`, values);
    plan = (res.rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
  } catch {
    await client.query("ROLLBACK");
    await client.query("BEGIN");
    if (generic) await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
    const res = await client.query(`EXPLAIN (FORMAT JSON) ${explained}`, values);
    plan = (res.rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
    analysed = false;
  } finally {
    await client.query("ROLLBACK");
    if (generic) await client.query("DEALLOCATE hot_generic");
  }
  const problems: string[] = [];
  walk(plan, (n) => {
    const rows = analysed ? (n["Actual Rows"] ?? 0) * (n["Actual Loops"] ?? 1) : (n["Plan Rows"] ?? 0);
    const rel = n["Relation Name"] ?? n["Index Name"] ?? "";
    if (n["Node Type"] === "Seq Scan" && n["Relation Name"] && check.largeTables.has(n["Relation Name"])) {
      problems.push(`sequential scan of "${n["Relation Name"]}" (${rows} rows)`);
    } else if (SCANS.has(n["Node Type"]) && rows > check.maxRows) {
      problems.push(`${n["Node Type"]} on ${rel} reads ${rows} rows`);
    }
    if (n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort") {
      // A top-N sort under a LIMIT outputs few rows: what it sorted is what its input produced.
      const input = n.Plans?.[0];
      const sorted = input ? (analysed ? (input["Actual Rows"] ?? 0) * (input["Actual Loops"] ?? 1) : (input["Plan Rows"] ?? 0)) : rows;
      if (sorted > check.maxRows) problems.push(`sort of ${sorted} rows by ${(n["Sort Key"] ?? []).join(", ")}`);
    }
  });
  return { problems, plan };
}
