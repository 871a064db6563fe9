import { describe, expect, it } from "vitest";
import { readGenericWebhook } from "../../../functions/adapters/channels/generic.js";
import { signWebhook, verifyWebhookSignature } from "../../../functions/adapters/channels/signature.js";
import { MalformedBodyError, UnauthorizedError, ValidationError } from "../../../functions/domain/errors.js";
import { genericOrderBody } from "../../fixtures/orders.js";

const secret = "s3cr3t";
const now = 1_800_000_000;

describe("webhook signatures", () => {
  it("accepts a fresh signature over the exact raw body", () => {
    const body = '{"a":1}';
    expect(() => verifyWebhookSignature(signWebhook(secret, body, now), body, secret, now + 10)).not.toThrow();
  });

  it.each([
    ["a missing header", undefined],
    ["a malformed header", "v1=abc"],
    ["another secret", signWebhook("other", '{"a":1}', now)],
    ["another body", signWebhook(secret, '{"a":2}', now)],
    ["a replay older than 300 s", signWebhook(secret, '{"a":1}', now - 301)],
    ["a timestamp far in the future", signWebhook(secret, '{"a":1}', now + 301)],
    ["non-hex signature", `t=${now},v1=zz`],
  ])("rejects %s", (_label, header) => {
    expect(() => verifyWebhookSignature(header, '{"a":1}', secret, now)).toThrow(UnauthorizedError);
  });

  it("accepts either of two v1 signatures while a secret is rolled", () => {
    const body = "{}";
    const header = `${signWebhook("old", body, now)},v1=${signWebhook(secret, body, now).split("v1=")[1]}`;
    expect(() => verifyWebhookSignature(header, body, secret, now)).not.toThrow();
  });

  it("checks the signature before parsing, then JSON, then the schema", () => {
    const t = now;
    expect(() => readGenericWebhook("{not json", signWebhook("wrong", "{not json", t), secret, t)).toThrow(UnauthorizedError);
    expect(() => readGenericWebhook("{not json", signWebhook(secret, "{not json", t), secret, t)).toThrow(MalformedBodyError);
    const bad = JSON.stringify({ ...genericOrderBody(), currency: "nope" });
    expect(() => readGenericWebhook(bad, signWebhook(secret, bad, t), secret, t)).toThrow(ValidationError);
    const good = JSON.stringify(genericOrderBody({ externalOrderId: "G-1" }));
    expect(readGenericWebhook(good, signWebhook(secret, good, t), secret, t)).toMatchObject({ channel: "generic", externalOrderId: "G-1" });
  });
});
