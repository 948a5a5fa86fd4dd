import type { Metadata } from "next";
import { NotAllowed } from "@/components/auth/not-allowed";
import { getPageUser } from "@/server/auth/page-guard";

export const metadata: Metadata = { title: "Not allowed" };

/**
 * What forbidden() renders, with HTTP status 403: a screen the signed-in role may not use
 * (server/auth/page-guard.ts pageAccess). Every such screen today is an admin screen.
 */
export default async function Forbidden() {
  const user = await getPageUser();
  return <NotAllowed need="admin" role={user?.role ?? "duty_manager"} />;
}
