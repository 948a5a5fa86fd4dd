import { deliveryIdInput, deliveryLogInput, createEndpointInput, endpointIdInput, setEnabledInput, updateEndpointInput } from "../../notify/endpoint-input";
import { listDeliveries, redeliver, sendTestEvent } from "../../notify/delivery-log";
import { createEndpoint, deleteEndpoint, dismissNotice, getEndpoint, listEndpoints, outboundNotices, rotateEndpointSecret, setEndpointEnabled, updateEndpoint } from "../../notify/manage-endpoints";
import type { Runtime } from "../../runtime";
import { adminProcedure, createTRPCRouter } from "../init";

/** Outbound notification endpoints (docs/change-feed.md, "Outbound notifications"): admins only. */
const notify = (rt: Runtime) => ({ db: rt.db, key: rt.secrets.key });

export const adminOutboundRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listEndpoints(notify(ctx.rt), ctx.actor)),
  get: adminProcedure.input(endpointIdInput).query(({ ctx, input }) => getEndpoint(notify(ctx.rt), ctx.actor, input)),
  deliveries: adminProcedure.input(deliveryLogInput).query(({ ctx, input }) => listDeliveries(ctx.rt.db, ctx.actor, input)),
  /** Endpoints disabled automatically, for the notice on admin screens. */
  notices: adminProcedure.query(({ ctx }) => outboundNotices(ctx.rt.db, ctx.actor)),
  /** The only answer that contains the new secret. */
  create: adminProcedure.input(createEndpointInput).mutation(async ({ ctx, input }) => {
    const made = await createEndpoint(notify(ctx.rt), ctx.actor, input);
    ctx.rt.outbound?.wake();
    return made;
  }),
  update: adminProcedure.input(updateEndpointInput).mutation(async ({ ctx, input }) => {
    await updateEndpoint(notify(ctx.rt), ctx.actor, input);
    return { ok: true };
  }),
  setEnabled: adminProcedure.input(setEnabledInput).mutation(async ({ ctx, input }) => {
    await setEndpointEnabled(notify(ctx.rt), ctx.actor, input);
    ctx.rt.outbound?.wake();
    return { ok: true };
  }),
  delete: adminProcedure.input(endpointIdInput).mutation(async ({ ctx, input }) => {
    await deleteEndpoint(notify(ctx.rt), ctx.actor, input);
    return { ok: true };
  }),
  /** The only answer that contains the rotated secret. */
  rotateSecret: adminProcedure.input(endpointIdInput).mutation(({ ctx, input }) => rotateEndpointSecret(notify(ctx.rt), ctx.actor, input)),
  sendTest: adminProcedure.input(endpointIdInput).mutation(({ ctx, input }) => sendTestEvent(notify(ctx.rt), ctx.actor, input)),
  redeliver: adminProcedure.input(deliveryIdInput).mutation(async ({ ctx, input }) => {
    const out = await redeliver(notify(ctx.rt), ctx.actor, input);
    if (out.queued) ctx.rt.outbound?.wake();
    return out;
  }),
  dismissNotice: adminProcedure.input(endpointIdInput).mutation(async ({ ctx, input }) => {
    await dismissNotice(notify(ctx.rt), ctx.actor, input);
    return { ok: true };
  }),
});
