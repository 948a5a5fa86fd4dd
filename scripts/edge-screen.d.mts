// Types for scripts/edge-screen.mjs (plain JavaScript, run by scripts/start.mjs without a TypeScript loader).
import type { ServerResponse } from "node:http";

export interface EdgeRefusal {
  status: 400 | 405 | 500;
  error: string;
  correlationId?: string;
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
export const UNSTORABLE: RegExp;
export const FORWARDING_HEADERS: string[];
export function rawAnswer(status: number, statusText: string, error: string, production: boolean, extraHeaders?: Record<string, string>): string;
export const CLIENT_ADDRESS_HEADER: string;
export const PUBLIC_ORIGIN_HEADER: string;
export interface TrustedProxies {
  list: import("node:net").BlockList;
  count: number;
}
export function parseTrustedProxies(text: string | undefined): TrustedProxies;
export function isTrustedProxy(addr: string | undefined | null, proxies: TrustedProxies): boolean;
export function clientAddress(socketAddr: string | undefined | null, forwardedFor: string | string[] | undefined, proxies: TrustedProxies): string | null;
export function publicOrigin(headers: Record<string, string | string[] | undefined>, trustedPeer: boolean, appUrl: string | undefined): string;
export function stampClient(req: import("node:http").IncomingMessage, proxies: TrustedProxies, appUrl: string | undefined): void;
