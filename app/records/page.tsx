export const dynamic = "force-dynamic";
export default function RecordsPage() {
  return <main className="p-6">Records</main>;
}
