"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { ROLE_DESCRIPTION, ROLE_LABEL, ROLES, type Role } from "@/shared/roles";
import { Alert, ConfirmButton, errorText, Field, inputClass } from "./parts";

export function UsersScreen({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { data: users } = useSuspenseQuery(trpc.adminUsers.list.queryOptions());
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.adminUsers.list.queryKey() });
  const opts = (ok: string) => ({
    onSuccess: () => {
      setMessage({ tone: "success", text: ok });
      return refresh();
    },
    onError: (err: unknown) => setMessage({ tone: "error", text: errorText(err) }),
  });
  const update = useMutation(trpc.adminUsers.update.mutationOptions(opts("Role changed.")));
  const disable = useMutation(trpc.adminUsers.setDisabled.mutationOptions(opts("Account updated.")));
  const revoke = useMutation(trpc.adminUsers.revokeSessions.mutationOptions(opts("Sessions ended.")));

  return (
    <div className="space-y-4">
      <CreateUser onDone={(text) => setMessage({ tone: "success", text })} />
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {/* Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone. */}
      <div className="rounded-lg border border-slate-200 bg-white md:overflow-x-auto">
        <table className={stack.table}>
          <caption className="sr-only">Users</caption>
          <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 ${stack.thead}`}>
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">User</th>
              <th scope="col" className="px-3 py-2 font-medium">Role</th>
              <th scope="col" className="px-3 py-2 font-medium">Status</th>
              <th scope="col" className="px-3 py-2 font-medium">Sessions</th>
              <th scope="col" className="px-3 py-2 font-medium">Actions</th>
            </tr>
          </thead>
          <tbody className={stack.tbody}>
            {users.map((u) => {
              const self = u.id === currentUserId;
              return (
                <tr key={u.id} className={`border-t border-slate-100 align-top ${stack.row}`} data-testid={`user-row-${u.email}`}>
                  <td className={stack.cell}>
                    <div className="font-medium text-slate-900">
                      <bdi dir="auto">{u.name}</bdi> {self ? <span className="text-xs font-normal text-slate-500">(you)</span> : null}
                    </div>
                    <div className="text-xs text-slate-600">
                      <bdi dir="auto">{u.email}</bdi>
                    </div>
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Role</CellLabel>
                    <label className="sr-only" htmlFor={`role-${u.id}`}>
                      Role of {u.name}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      disabled={update.isPending}
                      onChange={(e) => update.mutate({ id: u.id, role: e.target.value as Role })}
                      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABEL[r]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Status</CellLabel>
                    {u.disabledAt ? <Badge tone="red">Disabled</Badge> : u.locked ? <Badge tone="amber">Locked after failed sign-ins</Badge> : <Badge tone="green">Active</Badge>}
                  </td>
                  <td className={`${stack.cell} text-slate-700`}>
                    <CellLabel>Sessions</CellLabel>
                    <span className="tabular-nums">{u.liveSessions}</span> live
                    {u.lastSignInAt ? (
                      <div className="text-xs text-slate-500">
                        last sign-in <RelativeTime value={u.lastSignInAt} />
                      </div>
                    ) : null}
                  </td>
                  <td className={stack.cell}>
                    <div className="flex flex-wrap gap-1">
                      <ResetPassword userId={u.id} name={u.name} onDone={(t) => setMessage({ tone: "success", text: t })} onError={(t) => setMessage({ tone: "error", text: t })} />
                      <ConfirmButton label="End sessions" confirmLabel={`End ${u.name}'s sessions`} disabled={!u.liveSessions} disabledReason="No live sessions." onConfirm={() => revoke.mutate({ id: u.id })} />
                      {u.disabledAt ? (
                        <button type="button" className={button.small} onClick={() => disable.mutate({ id: u.id, disabled: false })}>
                          Enable
                        </button>
                      ) : (
                        <ConfirmButton label="Disable" confirmLabel={`Disable ${u.name}`} disabled={self} disabledReason="You cannot disable your own account." onConfirm={() => disable.mutate({ id: u.id, disabled: true })} />
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <dl className="grid gap-2 text-xs text-slate-600 sm:grid-cols-3">
        {ROLES.map((r) => (
          <div key={r}>
            <dt className="font-medium text-slate-800">{ROLE_LABEL[r]}</dt>
            <dd>{ROLE_DESCRIPTION[r]}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function CreateUser({ onDone }: { onDone: (text: string) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ name: "", email: "", role: "duty_manager" as Role, password: "" });
  const create = useMutation(
    trpc.adminUsers.create.mutationOptions({
      onSuccess: async (u) => {
        setForm({ name: "", email: "", role: "duty_manager", password: "" });
        setOpen(false);
        onDone(`${u.name} can now sign in as ${ROLE_LABEL[u.role].toLowerCase()}. Tell them their password over a separate channel.`);
        await qc.invalidateQueries({ queryKey: trpc.adminUsers.list.queryKey() });
      },
    }),
  );
  if (!open) {
    return (
      <button type="button" className={button.primary} onClick={() => setOpen(true)}>
        Add user
      </button>
    );
  }
  return (
    <form
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-label="Add user"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(form);
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Name" htmlFor={`${id}-name`}>
          <input id={`${id}-name`} required className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Email" htmlFor={`${id}-email`}>
          <input id={`${id}-email`} type="email" required className={inputClass} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field label="Role" htmlFor={`${id}-role`}>
          <select id={`${id}-role`} className={inputClass} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Initial password" htmlFor={`${id}-password`} hint="At least 12 characters.">
          <input id={`${id}-password`} type="password" autoComplete="new-password" required minLength={12} className={inputClass} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
      </div>
      {create.error ? <Alert tone="error">{errorText(create.error)}</Alert> : null}
      <div className="flex gap-2">
        <button type="submit" className={button.primary} disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add user"}
        </button>
        <button type="button" className={button.secondary} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ResetPassword({ userId, name, onDone, onError }: { userId: string; name: string; onDone: (t: string) => void; onError: (t: string) => void }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const reset = useMutation(
    trpc.adminUsers.resetPassword.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        setPassword("");
        onDone(`${name}'s password was replaced and their sessions ended.`);
      },
      onError: (err) => onError(errorText(err)),
    }),
  );
  if (!open) {
    return (
      <button type="button" className={button.small} onClick={() => setOpen(true)}>
        Reset password
      </button>
    );
  }
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate({ id: userId, password });
      }}
    >
      <label className="sr-only" htmlFor={`pw-${userId}`}>
        New password for {name}
      </label>
      <input id={`pw-${userId}`} type="password" autoComplete="new-password" minLength={12} required placeholder="New password" className="w-40 min-w-0 rounded border border-slate-300 px-2 py-1 text-xs" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" className={button.small} disabled={reset.isPending}>
        Set
      </button>
      <button type="button" className={button.small} onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
