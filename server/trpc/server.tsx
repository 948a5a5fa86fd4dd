import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
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

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
