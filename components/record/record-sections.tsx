"use client";

import { fieldLabel, formatScalar, isPlainObject, joinPath, pathPhrase, sectionLabel } from "../../shared/format";
import { RelativeTime } from "../ui/relative-time";
import type { Lineage } from "@/shared/lineage";
import { lineageAt } from "./delta-view";
import { ValueView } from "./value-view";

const ORDER = ["case", "entitlement", "incidents", "environment", "reproduction", "artifacts", "approvedLogs", "notes"];
const EMPTY: Record<string, string> = {
  incidents: "No linked incidents.",
  artifacts: "No diagnostic bundles.",
  approvedLogs: "No customer-approved logs.",
  notes: "No ticket notes.",
  entitlement: "No entitlement received for this account yet.",
  environment: "No environment snapshot received yet.",
};

type OnField = (path: string) => void;

/** The record in readable sections; every value opens its lineage. */
export function RecordSections({ record, lineage, onField }: { record: Record<string, unknown>; lineage: Record<string, Lineage>; onField: OnField }) {
  const sections = [...ORDER, ...Object.keys(record).filter((k) => !ORDER.includes(k))];
  return (
    <div className="grid gap-3 xl:grid-cols-2" data-testid="record-sections">
      {sections.map((s) => (
        <Section key={s} name={s} value={record[s]} lineage={lineage} onField={onField} />
      ))}
    </div>
  );
}

function SourceLine({ lin }: { lin: Lineage | null }) {
  if (!lin) return null;
  return (
    <span className="text-xs font-normal text-slate-600">
      {lin.source === "manual_override" ? "manual override" : lin.source} · <span className="font-mono">{lin.entityId}</span> v{lin.entityVersion} · received <RelativeTime value={lin.receivedAt} />
    </span>
  );
}

function Section({ name, value, lineage, onField }: { name: string; value: unknown; lineage: Record<string, Lineage>; onField: OnField }) {
  const path = joinPath([name]);
  const wide = name === "notes" || name === "artifacts" || name === "incidents" || name === "approvedLogs";
  const firstLeaf = Object.keys(lineage).find((k) => k === path || k.startsWith(`${path}/`));
  const lin = firstLeaf ? lineageAt(lineage, firstLeaf) : null;
  const list = Array.isArray(value) ? value : null;
  return (
    <section aria-labelledby={`sec-${name}`} className={`rounded-lg border border-slate-200 bg-white ${wide ? "xl:col-span-2" : ""}`} data-section={name}>
      <h3 id={`sec-${name}`} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 border-b border-slate-200 px-3 py-2 text-sm font-semibold text-slate-900">
        <span>
          {sectionLabel(name)}
          {list ? <span className="ml-1.5 font-normal text-slate-600">({list.length})</span> : null}
        </span>
        {!list ? <SourceLine lin={lin} /> : null}
      </h3>
      <div className="px-3 py-2">
        {value === undefined || value === null || (list && !list.length) ? (
          <p className="py-1 text-sm text-slate-600">{EMPTY[name] ?? "Nothing yet."}</p>
        ) : list ? (
          name === "notes" ? (
            <Notes notes={list} lineage={lineage} onField={onField} />
          ) : (
            <ol className="space-y-2">
              {list.map((item, i) => (
                <ListItem key={i} section={name} index={i} item={item} lineage={lineage} onField={onField} />
              ))}
            </ol>
          )
        ) : isPlainObject(value) ? (
          <Fields base={[name]} value={value} onField={onField} />
        ) : (
          <ValueView value={value} />
        )}
      </div>
    </section>
  );
}

/** The order a reviewer reads a section in; fields not listed follow in stored order. */
const FIELD_ORDER: Record<string, string[]> = {
  case: ["id", "subject", "customerName", "accountId", "severity", "status", "productName", "product", "productArea", "declaredTier"],
  entitlement: ["tierName", "tier", "status", "slaMinutes", "contractId", "validUntil", "accountId", "corrected", "correctionReason"],
  environment: ["id", "productVersion", "deployment", "os", "region", "capturedAt", "components"],
  reproduction: ["status", "steps"],
  incidents: ["severity", "status", "classification", "affectedAccounts", "caseIds"],
  artifacts: ["approval", "integrity", "sizeBytes", "sha256", "supersedes", "logs"],
  approvedLogs: ["sizeBytes", "sha256", "uri"],
};

function ordered(section: string, value: Record<string, unknown>): [string, unknown][] {
  const order = FIELD_ORDER[section] ?? [];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
}

function Fields({ base, value, onField }: { base: (string | number)[]; value: Record<string, unknown>; onField: OnField }) {
  return (
    <dl className="grid grid-cols-[minmax(7rem,34%)_1fr] gap-x-3 text-sm">
      {ordered(String(base[0]), value).map(([k, v]) => {
        const path = joinPath([...base, k]);
        const scalar = !isPlainObject(v) && !Array.isArray(v);
        const long = typeof v === "string" && (v.length > 80 || v.includes("\n"));
        return (
          <div key={k} className="contents">
            <dt className="border-t border-slate-100 py-1.5 text-slate-600 first-of-type:border-0">{fieldLabel(k)}</dt>
            <dd className="min-w-0 border-t border-slate-100 py-1.5">
              {scalar && !long ? (
                <button
                  type="button"
                  onClick={() => onField(path)}
                  data-path={path}
                  title="Show lineage"
                  className={`rounded text-left text-slate-900 decoration-slate-300 decoration-dotted underline-offset-4 hover:underline ${k === "sha256" || k === "uri" ? "break-all font-mono text-xs" : "break-words"}`}
                >
                  {formatScalar(v, k)}
                </button>
              ) : (
                <div className="flex items-start gap-2">
                  <div className="min-w-0 flex-1">
                    <ValueView value={v} fieldKey={k} />
                  </div>
                  <LineageButton path={path} label={fieldLabel(k)} onField={onField} />
                </div>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function LineageButton({ path, label, onField }: { path: string; label: string; onField: OnField }) {
  return (
    <button type="button" onClick={() => onField(path)} data-path={path} className="shrink-0 rounded px-1.5 py-0.5 text-xs text-blue-800 hover:bg-blue-50" aria-label={`Lineage of ${label}`}>
      lineage
    </button>
  );
}

const TITLE_KEYS: Record<string, [string, string?]> = {
  incidents: ["id", "title"],
  artifacts: ["bundleId", "uri"],
  approvedLogs: ["name", "bundleId"],
};

function ListItem({ section, index, item, lineage, onField }: { section: string; index: number; item: unknown; lineage: Record<string, Lineage>; onField: OnField }) {
  const path = joinPath([section, index]);
  const lin = lineageAt(lineage, path);
  if (!isPlainObject(item)) {
    return (
      <li className="flex items-start gap-2 rounded border border-slate-200 px-2 py-1.5 text-sm">
        <ValueView value={item} />
        {/* Named as the tables name it: "linked case CASE-1002", never the raw section key. */}
        <LineageButton path={path} label={pathPhrase(path, { [section]: Object.assign([] as unknown[], { [index]: item }) })} onField={onField} />
      </li>
    );
  }
  const [titleKey, subKey] = TITLE_KEYS[section] ?? [];
  const title = titleKey ? item[titleKey] : undefined;
  const rest = Object.fromEntries(Object.entries(item).filter(([k]) => k !== titleKey && k !== subKey));
  return (
    <li className="rounded border border-slate-200">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 border-b border-slate-100 bg-slate-50 px-2.5 py-1.5">
        <button type="button" onClick={() => onField(path)} data-path={path} className="rounded text-left text-sm font-medium text-slate-900 hover:underline">
          {title !== undefined ? <span className="font-mono">{formatScalar(title)}</span> : `Item ${index + 1}`}
          {subKey && item[subKey] !== undefined ? <span className="ml-2 font-normal text-slate-700">{formatScalar(item[subKey])}</span> : null}
        </button>
        <SourceLine lin={lin} />
      </div>
      <div className="px-2.5 py-1">
        <Fields base={[section, index]} value={rest} onField={onField} />
      </div>
    </li>
  );
}

function Notes({ notes, lineage, onField }: { notes: unknown[]; lineage: Record<string, Lineage>; onField: OnField }) {
  const lin = lineageAt(lineage, "/notes/0");
  return (
    <div>
      <p className="mb-2 text-xs text-slate-600">
        Carried forward from the ticket as written. <SourceLine lin={lin} />
      </p>
      <ol className="space-y-2">
        {notes.map((n, i) => {
          const note = isPlainObject(n) ? n : { body: n };
          return (
            <li key={i} className="rounded border border-slate-200 px-3 py-2 text-sm">
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-slate-600">
                <span className="font-medium text-slate-800">{formatScalar(note.author)}</span>
                <span>
                  {typeof note.at === "string" ? <RelativeTime value={note.at} /> : null}
                  <button type="button" className="ml-2 rounded px-1 text-blue-800 hover:bg-blue-50" onClick={() => onField(joinPath(["notes", i]))} data-path={joinPath(["notes", i])} aria-label={`Lineage of note ${i + 1}`}>
                    lineage
                  </button>
                </span>
              </div>
              <p dir="auto" data-user-text className="mt-1 whitespace-pre-wrap break-words text-slate-900">
                {formatScalar(note.body)}
              </p>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
