"use client";

import { button } from "../ui/button";
import { download, packageJson, packageMarkdown, type PackageInput } from "./package-export";

/**
 * Handoff of the escalation package: print it (the print stylesheet keeps only the record), or
 * export it as JSON (for tools) or Markdown (for a ticket, a chat or an e-mail).
 */
export function PackageActions({ pkg, onPrint }: { pkg: Omit<PackageInput, "exportedAt">; onPrint: () => void }) {
  const name = `${pkg.caseId}-v${pkg.version}`;
  return (
    <div className="flex flex-wrap justify-end gap-1.5 print:hidden" role="group" aria-label="Hand off the escalation package">
      <button type="button" className={button.small} onClick={onPrint}>
        Print
      </button>
      <button type="button" className={button.small} onClick={() => download(`${name}.json`, "application/json", packageJson({ ...pkg, exportedAt: new Date() }))}>
        Export JSON
      </button>
      <button type="button" className={button.small} onClick={() => download(`${name}.md`, "text/markdown;charset=utf-8", packageMarkdown({ ...pkg, exportedAt: new Date() }))}>
        Export Markdown
      </button>
    </div>
  );
}
