import pino from "pino";

const g = globalThis as unknown as { __errLog?: pino.Logger };

export const log: pino.Logger = (g.__errLog ??= pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "escalation-refresh" },
}));
