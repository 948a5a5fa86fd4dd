/**
 * The lineage of one record leaf or list item, as docs/api.md ("Lineage") defines it: which source
 * version a value came from, and how a specialist's approval or override touched it. Shared by the
 * refresh engine, the read API and the reviewer UI. Plain TypeScript: no database, no secrets.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Lineage {
  source: string;
  entityKind: string;
  entityId: string;
  entityVersion: number;
  webhookId: string;
  occurredAt: string;
  receivedAt: string;
  /** Present on fields a specialist's approval made current. */
  approval?: { exceptionId: string; by: string; at: string };
  /** On a manual_override leaf: who set it and why. */
  override?: { by: string; note: string };
  /** On a source leaf whose override lapsed in this version because the source value changed. */
  overrideLapsed?: { exceptionId: string; by: string; value: Json };
}

