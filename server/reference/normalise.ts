export function normaliseAlias(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}
