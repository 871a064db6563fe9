import { describe, expect, it } from "vitest";
import { matchesPattern } from "../../../local/event-pattern.js";

// Examples from the EventBridge user guide ("Event patterns", "Content filtering").
const event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: {
    "instance-id": "i-1234567890abcdef0",
    state: "terminated",
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.123",
    location: "eu-west",
    "file-name": "image.png",
    tags: ["a", "b"],
    nested: { deep: { value: "x" } },
    ipv6: "2001:db8::1",
  },
};

const cases: [string, unknown, boolean][] = [
  ["exact source", { source: ["aws.ec2"] }, true],
  ["exact mismatch", { source: ["aws.s3"] }, false],
  ["one of several values", { detail: { state: ["running", "terminated"] } }, true],
  ["array in event matches any element", { detail: { tags: ["b"] } }, true],
  ["array in event, no element", { detail: { tags: ["z"] } }, false],
  ["nested objects", { detail: { nested: { deep: { value: ["x"] } } } }, true],
  ["prefix", { time: [{ prefix: "2017-12-22" }] }, true],
  ["prefix ignore case", { "detail-type": [{ prefix: { "equals-ignore-case": "ec2 instance" } }] }, true],
  ["suffix", { detail: { "file-name": [{ suffix: ".png" }] } }, true],
  ["suffix ignore case", { detail: { "file-name": [{ suffix: { "equals-ignore-case": ".PNG" } }] } }, true],
  ["suffix mismatch", { detail: { "file-name": [{ suffix: ".jpg" }] } }, false],
  ["equals-ignore-case", { detail: { state: [{ "equals-ignore-case": "TERMINATED" }] } }, true],
  ["wildcard", { detail: { "file-name": [{ wildcard: "im*.p*g" }] } }, true],
  ["wildcard mismatch", { detail: { "file-name": [{ wildcard: "*.jpg" }] } }, false],
  ["anything-but value", { detail: { state: [{ "anything-but": "initializing" }] } }, true],
  ["anything-but value (equal)", { detail: { state: [{ "anything-but": "terminated" }] } }, false],
  ["anything-but list", { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, true],
  ["anything-but numeric list", { detail: { "c-count": [{ "anything-but": [5, 6] }] } }, false],
  ["anything-but prefix", { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, true],
  ["anything-but prefix (has it)", { detail: { state: [{ "anything-but": { prefix: "term" } }] } }, false],
  ["anything-but suffix", { detail: { "file-name": [{ "anything-but": { suffix: ".txt" } }] } }, true],
  ["anything-but wildcard", { detail: { "file-name": [{ "anything-but": { wildcard: "*.png" } }] } }, false],
  ["anything-but ignore case", { detail: { state: [{ "anything-but": { "equals-ignore-case": ["TERMINATED"] } }] } }, false],
  ["numeric range", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, true],
  ["numeric range excluded", { detail: { "d-count": [{ numeric: ["<", 3] }] } }, false],
  ["numeric equals float", { detail: { "x-limit": [{ numeric: ["=", 301.8] }] } }, true],
  ["exists true", { detail: { state: [{ exists: true }] } }, true],
  ["exists false on absent", { detail: { missing: [{ exists: false }] } }, true],
  ["exists false on present", { detail: { state: [{ exists: false }] } }, false],
  ["cidr IPv4", { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }, true],
  ["cidr IPv4 outside", { detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } }, false],
  ["cidr IPv6", { detail: { ipv6: [{ cidr: "2001:db8::/32" }] } }, true],
  ["cidr IPv6 outside", { detail: { ipv6: [{ cidr: "2001:db9::/32" }] } }, false],
  ["$or", { detail: { $or: [{ "c-count": [{ numeric: [">", 10] }] }, { "d-count": [{ numeric: ["<", 5] }] }] } }, true],
  ["$or none", { detail: { $or: [{ "c-count": [{ numeric: [">", 10] }] }, { location: ["us-east"] }] } }, false],
  ["all fields must match (AND)", { source: ["aws.ec2"], detail: { state: ["running"] } }, false],
  ["missing field does not match a value", { detail: { nope: ["x"] } }, false],
];

describe("EventBridge pattern matching (AWS documented examples)", () => {
  it.each(cases)("%s", (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it("rejects malformed patterns loudly", () => {
    expect(() => matchesPattern({ source: "aws.ec2" }, event)).toThrow(/array or an object/);
    expect(() => matchesPattern({ source: [{ "no-such-op": 1 }] }, event)).toThrow(/Unsupported/);
  });
});
