import { AdminNav } from "@/components/auth/admin/admin-nav";
import { getPageUser } from "@/server/auth/page-guard";

/** Admin screens share a sub-navigation, shown to admins only; each page checks the role itself (pageAccess). */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await getPageUser();
  return (
    <div className="mx-auto max-w-[1600px] space-y-4 px-4 py-4">
      {user?.role === "admin" ? <AdminNav /> : null}
      {children}
    </div>
  );
}
