import { describe, expect, it } from "vitest";
import { EnvError, isWebhookSecret, parseEnv } from "./env";

const secret = "whsec_" + Buffer.alloc(32, 1).toString("base64");

describe("environment parsing", () => {
  it("applies docs/api.md's defaults", () => {
    const e = parseEnv({});
    expect(e.PORT).toBe(3000);
    expect(e.DATA_DIR).toBe("./.data");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.API_TOKEN).toBeUndefined();
  });

  it("reads WEBHOOK_SECRET_<SOURCE> lists, with - written _", () => {
    const e = parseEnv({ WEBHOOK_SECRET_TICKETING: `${secret}  ${secret}`, WEBHOOK_SECRET_TICKETING_EMEA: secret });
    expect(e.webhookSecrets.ticketing).toEqual([secret, secret]);
    expect(e.webhookSecrets["ticketing-emea"]).toEqual([secret]);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL: expected a postgres:// or postgresql:// connection string"],
    [{ WEBHOOK_SECRET_INCIDENT: "plain" }, "WEBHOOK_SECRET_INCIDENT: expected whsec_ followed by base64 of 24 to 64 bytes"],
    [{ WEBHOOK_SECRET_INCIDENT: "whsec_" + Buffer.alloc(8).toString("base64") }, "WEBHOOK_SECRET_INCIDENT"],
    [{ API_TOKEN: "short" }, "API_TOKEN: expected at least 16 characters"],
  ])("refuses %o naming the variable", (input, message) => {
    expect(() => parseEnv(input)).toThrow(EnvError);
    expect(() => parseEnv(input)).toThrow(message);
  });

  it("accepts only whsec_ secrets of 24 to 64 bytes", () => {
    expect(isWebhookSecret(secret)).toBe(true);
    expect(isWebhookSecret("whsec_" + Buffer.alloc(24).toString("base64"))).toBe(true);
    expect(isWebhookSecret("whsec_" + Buffer.alloc(23).toString("base64"))).toBe(false);
    expect(isWebhookSecret("whsec_" + Buffer.alloc(65).toString("base64"))).toBe(false);
    expect(isWebhookSecret("whsec_not base64!")).toBe(false);
  });
});
