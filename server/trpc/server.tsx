import "server-only";
import { dehydrate, HydrationBoundary, type FetchQueryOptions, type InferDataFromTag, type QueryKey } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { makeQueryClient } from "@/components/trpc/query-client";
import { createTRPCContext } from "./init";
import { appRouter } from "./routers/_app";

/** RSC side: prefetch through the router in-process, then hydrate the client cache. */
export const getQueryClient = cache(makeQueryClient);
const createContext = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export const getServerContext = createContext;

/** For server components that render around an outage (components/shell/app-shell.tsx): the one door from components/ to server values. */
export { isDatabaseUnavailable } from "../lib/db-errors";

/**
 * Prefetches the query a detail page is about and returns its data; an id that does not exist
 * (the procedure's NOT_FOUND) renders the route's not-found page (404) instead. Without it the page
 * rendered 200 and its client component ran the failed query again during the server render.
 */
export async function prefetchOrNotFound<TQueryKey extends QueryKey>(options: { queryKey: TQueryKey }): Promise<InferDataFromTag<unknown, TQueryKey> | undefined> {
  const qc = getQueryClient();
  // tRPC's query options (trpc.x.queryOptions) are what prefetchQuery takes; their staleTime's
  // query-key type is narrower than FetchQueryOptions' own, hence the widening here.
  await qc.prefetchQuery(options as FetchQueryOptions);
  const data = qc.getQueryData(options.queryKey);
  if (!data && (qc.getQueryState(options.queryKey)?.error as { code?: string } | null | undefined)?.code === "NOT_FOUND") notFound();
  return data;
}

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
