import { describe, expect, it } from "vitest";
import { InvalidEventPatternError, matchesPattern, validatePattern } from "../../../local/event-pattern.js";

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
    // Arrays of objects: a nested pattern applies to each element (event-ruler's array consistency).
    items: [
      { sku: "MUG", quantity: 2, attrs: { color: "red" } },
      { sku: "TEE", quantity: 1, attrs: { color: "blue" } },
    ],
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
  ["a field inside an array of objects", { detail: { items: { sku: ["TEE"] } } }, true],
  ["a field inside an array of objects, no element has it", { detail: { items: { sku: ["HAT"] } } }, false],
  ["two fields of one array element", { detail: { items: { sku: ["MUG"], quantity: [2] } } }, true],
  ["two fields from different elements do not make a match", { detail: { items: { sku: ["MUG"], quantity: [1] } } }, false],
  ["an object nested in an array element", { detail: { items: { attrs: { color: ["blue"] } } } }, true],
  ["a numeric range inside an array element", { detail: { items: { quantity: [{ numeric: [">=", 2] }] } } }, true],
  ["exact", { detail: { state: [{ exact: "terminated" }] } }, true],
  ["wildcard with an escaped star", { detail: { "file-name": [{ wildcard: "image\\*.png" }] } }, false],
];

/** Patterns EventBridge refuses with InvalidEventPatternException (event-ruler's JsonRuleCompiler checks), whatever the event. */
const invalid: [string, unknown, RegExp][] = [
  ["a leaf that is not an array", { source: "aws.ec2" }, /must be an object or an array/],
  ["a leaf that is not an array, under an object the event lacks", { absent: { state: "x" } }, /must be an object or an array/],
  ["a number as a leaf", { detail: { "c-count": 5 } }, /must be an object or an array/],
  ["an empty array", { source: [] }, /Empty arrays are not allowed/],
  ["an empty object", { detail: {} }, /Empty objects are not allowed/],
  ["a pattern that is not an object", ["aws.ec2"], /Filter is not an object/],
  ["an array inside a value list", { source: [["aws.ec2"]] }, /Match value must be/],
  ["an unknown operator", { source: [{ "no-such-op": 1 }] }, /Unrecognized match type no-such-op/],
  ["two operators in one matcher", { source: [{ prefix: "aws", suffix: "ec2" }] }, /Only one key allowed/],
  ["prefix of a number", { source: [{ prefix: 5 }] }, /prefix match pattern must be a string/],
  ["prefix with an unknown inner operator", { source: [{ prefix: { wildcard: "a*" } }] }, /Unsupported prefix pattern/],
  ["consecutive wildcards", { source: [{ wildcard: "aws**ec2" }] }, /Consecutive wildcard characters/],
  ["a wildcard with a bad escape", { source: [{ wildcard: "aws\\.ec2" }] }, /Invalid escape character/],
  ["anything-but of a boolean", { source: [{ "anything-but": true }] }, /must be an array or single string\/number/],
  ["anything-but of a mixed list", { source: [{ "anything-but": ["a", 1] }] }, /mixed type is not supported/],
  ["anything-but with an unknown inner operator", { source: [{ "anything-but": { numeric: [">", 1] } }] }, /Unsupported anything-but pattern/],
  ["anything-but with an empty prefix", { source: [{ "anything-but": { prefix: "" } }] }, /Null prefix\/suffix not allowed/],
  ["anything-but wildcard with consecutive wildcards", { source: [{ "anything-but": { wildcard: "a**" } }] }, /Consecutive wildcard/],
  ["numeric that is not an array", { detail: { "c-count": [{ numeric: 5 }] } }, /Value of numeric must be an array/],
  ["numeric with an unknown operator", { detail: { "c-count": [{ numeric: ["<>", 5] }] } }, /Unrecognized numeric range operator/],
  ["numeric with a string value", { detail: { "c-count": [{ numeric: [">", "5"] }] } }, /Value of > must be numeric/],
  ["numeric upper bound first", { detail: { "c-count": [{ numeric: ["<", 10, ">", 0] }] } }, /Too many elements/],
  ["numeric range with two lower bounds", { detail: { "c-count": [{ numeric: [">", 0, ">=", 5] }] } }, /Bad numeric range operator/],
  ["numeric range out of order", { detail: { "c-count": [{ numeric: [">", 10, "<", 5] }] } }, /Bottom must be less than top/],
  ["exists that is not a boolean", { detail: { state: [{ exists: "yes" }] } }, /exists match pattern must be either true or false/],
  ["a malformed cidr", { detail: { "source-ip": [{ cidr: "10.0.0.0/33" }] } }, /Malformed CIDR/],
  ["$or with one alternative", { $or: [{ source: ["aws.ec2"] }] }, /at least 2 Objects/],
  ["$or that is not an array", { $or: { source: ["aws.ec2"] } }, /must be an Array followed with \$or/],
  ["$or with a non-object", { $or: [{ source: ["a"] }, ["b"]] }, /Only JSON object is allowed/],
  ["an operator name as a field inside $or", { $or: [{ prefix: ["a"] }, { source: ["b"] }] }, /reserved fieldName/],
];

describe("EventBridge pattern matching (AWS documented examples)", () => {
  it.each(cases)("%s", (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it.each(invalid)("refuses %s, as AWS does, whatever the event", (_name, pattern, reason) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => validatePattern(pattern)).toThrow(reason);
    expect(() => matchesPattern(pattern, {})).toThrow(InvalidEventPatternError);
    expect(() => matchesPattern(pattern, event)).toThrow(InvalidEventPatternError);
  });

  it("accepts the documented operators' valid forms", () => {
    for (const [, pattern] of cases) expect(() => validatePattern(pattern)).not.toThrow();
  });
});
