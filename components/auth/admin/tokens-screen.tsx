"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { Alert, ConfirmButton, errorText, Field, inputClass, ShownOnce } from "./parts";

export function TokensScreen() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const id = useId();
  const { data } = useSuspenseQuery(trpc.adminTokens.list.queryOptions());
  const [name, setName] = useState("");
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.adminTokens.list.queryKey() });
  const create = useMutation(
    trpc.adminTokens.create.mutationOptions({
      onSuccess: (t) => {
        setShown({ name: t.name, token: t.token });
        setName("");
        return refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.adminTokens.revoke.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="space-y-4">
      <p className="max-w-3xl text-sm text-slate-700">
        Tokens let other tools read records through the read API (<code className="font-mono">GET /api/v1/…</code> with{" "}
        <code className="font-mono">Authorization: Bearer …</code>). They can only read; they cannot sign in, claim or change anything.
        {data.envTokenConfigured ? " The API_TOKEN set in the server environment also works and is not listed here." : null}
      </p>
      <form
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-4"
        aria-label="Create a read-API token"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name });
        }}
      >
        <div className="w-72 max-w-full">
          <Field label="Token name" htmlFor={`${id}-name`} hint="Name it after the tool that will use it.">
            <input id={`${id}-name`} required maxLength={100} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
        <button type="submit" className={`${button.primary} mb-5`} disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </form>
      {create.error ? <Alert tone="error">{errorText(create.error)}</Alert> : null}
      {revoke.error ? <Alert tone="error">{errorText(revoke.error)}</Alert> : null}
      {shown ? <ShownOnce title={`Token “${shown.name}”`} value={shown.token} onDone={() => setShown(null)} /> : null}

      {data.tokens.length === 0 ? (
        <EmptyState title="No tokens yet">Create one for each tool that reads records.</EmptyState>
      ) : (
        // Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone.
        <div className="rounded-lg border border-slate-200 bg-white md:overflow-x-auto">
          <table className={stack.table}>
            <caption className="sr-only">Read-API tokens</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 ${stack.thead}`}>
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Name</th>
                <th scope="col" className="px-3 py-2 font-medium">Starts with</th>
                <th scope="col" className="px-3 py-2 font-medium">Created</th>
                <th scope="col" className="px-3 py-2 font-medium">Last used</th>
                <th scope="col" className="px-3 py-2 font-medium">Status</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {data.tokens.map((t) => (
                <tr key={t.id} className={`border-t border-slate-100 ${stack.row}`} data-testid={`token-row-${t.name}`}>
                  <td className={`${stack.cell} font-medium text-slate-900`}>{t.name}</td>
                  <td className={`${stack.cell} text-slate-700`}>
                    <CellLabel>Starts with</CellLabel>
                    <span className="font-mono text-xs">{t.prefix}…</span>
                  </td>
                  <td className={`${stack.cell} text-slate-700`}>
                    <CellLabel>Created</CellLabel>
                    <RelativeTime value={t.createdAt} />
                    {t.createdBy ? <span className="text-xs text-slate-500"> by {t.createdBy.name}</span> : null}
                  </td>
                  <td className={`${stack.cell} text-slate-700`}>
                    <CellLabel>Last used</CellLabel>
                    {t.lastUsedAt ? <RelativeTime value={t.lastUsedAt} /> : "never"}
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Status</CellLabel>
                    {t.revokedAt ? <Badge tone="red">Revoked</Badge> : <Badge tone="green">Active · read only</Badge>}</td>
                  <td className={`${stack.cell} ${stack.end}`}>
                    {t.revokedAt ? null : <ConfirmButton label="Revoke" confirmLabel={`Revoke “${t.name}”`} onConfirm={() => revoke.mutate({ id: t.id })} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
