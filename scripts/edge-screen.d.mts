// Types for scripts/edge-screen.mjs (plain JavaScript, run by scripts/start.mjs without a TypeScript loader).
import type { ServerResponse } from "node:http";

export interface EdgeRefusal {
  status: 400 | 405;
  error: string;
  headers?: Record<string, string>;
}
export function allowedMethods(pathname: string): string[];
export function screenRequest(method: string | undefined, rawUrl: string | undefined): EdgeRefusal | null;
export function writeRefusal(res: ServerResponse, refusal: EdgeRefusal, securityHeaders: Record<string, string>): void;
export const STATIC_SECURITY_HEADERS: Record<string, string>;
export const HSTS: string;
export const API_CSP: string;
export function securityHeadersFor(pathname: string, production: boolean): Record<string, string>;
export function isClientAbort(err: unknown): boolean;
