"use client";

import { QueryErrorResetBoundary } from "@tanstack/react-query";
import { Component, Suspense, useEffect, type ErrorInfo, type ReactNode } from "react";
import { button } from "./button";
import { DatabaseUnavailable } from "./database-unavailable";

export function errorCode(error: unknown): string | null {
  const data = (error as { data?: { code?: unknown } } | null)?.data;
  return typeof data?.code === "string" ? data.code : null;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What went wrong, in words, with a retry; a lapsed session gets a way back in instead. */
export function ErrorState({ error, onRetry, what = "this" }: { error: unknown; onRetry?: () => void; what?: string }) {
  const code = errorCode(error);
  if (code === "UNAUTHORIZED") {
    const next = typeof window === "undefined" ? "/records" : window.location.pathname + window.location.search;
    return (
      <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
        <p className="font-medium">Your session has ended.</p>
        <a className="mt-2 inline-block font-medium text-blue-800 underline" href={`/sign-in?next=${encodeURIComponent(next)}`}>
          Sign in again
        </a>
      </div>
    );
  }
  if (code === "SERVICE_UNAVAILABLE") return <DatabaseUnavailable onRetry={onRetry} />;
  const title = code === "NOT_FOUND" ? `Not found` : code === "FORBIDDEN" ? "Not allowed" : `Could not load ${what}`;
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-950">
      <p className="font-medium">{title}</p>
      <p className="mt-1 break-words text-red-900">{errorMessage(error)}</p>
      {onRetry && code !== "NOT_FOUND" && code !== "FORBIDDEN" ? (
        <button type="button" className={`${button.secondary} mt-3`} onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

interface BoundaryProps {
  onReset: () => void;
  what?: string;
  children: ReactNode;
}

class ErrorBoundary extends Component<BoundaryProps, { error: unknown }> {
  state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    // Kept visible in the browser console for bug reports; the user sees ErrorState.
    console.error("screen failed to render", error, info.componentStack);
  }

  retry = () => {
    this.props.onReset();
    this.setState({ error: null });
  };

  render() {
    if (this.state.error) return <ErrorState error={this.state.error} onRetry={this.retry} what={this.props.what} />;
    return this.props.children;
  }
}

/** Marks the document once a screen is interactive (end-to-end tests wait for it before typing). */
function HydratedMark() {
  useEffect(() => {
    document.body.dataset.hydrated = "true";
  }, []);
  return null;
}

/** Suspense with a skeleton, plus an error boundary whose Retry refetches the failed queries. */
export function QueryBoundary({ fallback, children, what }: { fallback: ReactNode; children: ReactNode; what?: string }) {
  return (
    <QueryErrorResetBoundary>
      {({ reset }) => (
        <ErrorBoundary onReset={reset} what={what}>
          <Suspense fallback={fallback}>
            {children}
            <HydratedMark />
          </Suspense>
        </ErrorBoundary>
      )}
    </QueryErrorResetBoundary>
  );
}
