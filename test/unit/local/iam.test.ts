import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CloudAssembly } from "../../../local/assembly.js";
import { dynamoAccess, IamLocal } from "../../../local/iam.js";
import { Resolver } from "../../../local/intrinsics.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A one-stack cloud assembly holding the given resources, with its resolver. */
function assemblyOf(resources: Record<string, unknown>): { asm: CloudAssembly; resolver: Resolver; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "oms-iam-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ version: "55.0.0", artifacts: { S: { type: "aws:cloudformation:stack", properties: { templateFile: "S.template.json" } } } }));
  writeFileSync(path.join(dir, "S.template.json"), JSON.stringify({ Resources: resources }));
  const asm = new CloudAssembly(dir);
  return { asm, resolver: new Resolver(asm), dir };
}

function iamOf(resources: Record<string, unknown>): IamLocal {
  const { asm, resolver } = assemblyOf(resources);
  return new IamLocal(asm, resolver);
}

const TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/T";
const role = (managed = true) => ({ Type: "AWS::IAM::Role", Properties: { RoleName: "FnRole", ...(managed ? { ManagedPolicyArns: [{ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]] }] } : {}) } });
const policy = (statements: unknown[]) => ({ Type: "AWS::IAM::Policy", Properties: { PolicyName: "P", Roles: [{ Ref: "Role" }], PolicyDocument: { Version: "2012-10-17", Statement: statements } } });
const Table = { Type: "AWS::DynamoDB::Table", Properties: { TableName: "T" } };

describe("local IAM", () => {
  const iam = iamOf({
    Table,
    Role: role(),
    Policy: policy([
      { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [{ "Fn::GetAtt": ["Table", "Arn"] }, { "Fn::Join": ["", [{ "Fn::GetAtt": ["Table", "Arn"] }, "/index/*"]] }] },
      { Effect: "Allow", Action: "DynamoDB:Put*", Resource: "*" },
      { Effect: "Deny", Action: "dynamodb:PutItem", Resource: `${TABLE.replace(/T$/, "Locked")}` },
      { Effect: "Allow", NotAction: ["dynamodb:*", "states:*"], Resource: "*" },
    ]),
  });
  const session = iam.session("arn:aws:iam::000000000000:role/FnRole", "fn-name");

  it("allows what a statement allows: exact ARNs from the template, wildcards in resources, actions in any case", () => {
    expect(iam.allows(session, "dynamodb:GetItem", TABLE)).toBe(true);
    expect(iam.allows(session, "dynamodb:Query", `${TABLE}/index/GSI1`)).toBe(true);
    expect(iam.allows(session, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Other")).toBe(true);
    expect(iam.allows(session, "secretsmanager:GetSecretValue", "arn:x")).toBe(true);
    expect(iam.allows(session, "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:x")).toBe(true);
  });

  it("denies what nothing allows, and whatever a Deny names, with AWS's AccessDeniedException message", () => {
    expect(iam.allows(session, "dynamodb:DeleteItem", TABLE)).toBe(false);
    expect(iam.allows(session, "dynamodb:Query", `${TABLE}2/index/GSI1`)).toBe(false);
    expect(iam.allows(session, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Locked")).toBe(false);
    expect(iam.allows(session, "states:StartExecution", "arn:aws:states:us-east-1:000000000000:stateMachine:M")).toBe(false);
    let denial: unknown;
    try {
      iam.authorize(session, "dynamodb:DeleteItem", [TABLE]);
    } catch (error) {
      denial = error;
    }
    expect(denial).toMatchObject({
      code: "AccessDeniedException",
      message: `User: arn:aws:sts::000000000000:assumed-role/FnRole/fn-name is not authorized to perform: dynamodb:DeleteItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:DeleteItem action`,
    });
    // The operator (credentials the local cloud did not issue) is the account's administrator.
    expect(() => iam.authorize(undefined, "dynamodb:DeleteItem", [TABLE])).not.toThrow();
  });

  it("issues each role session its own credentials and knows the session from a SigV4 header", () => {
    const creds = iam.credentialsFor("arn:aws:iam::000000000000:role/FnRole", "fn-name");
    expect(creds.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(iam.sessionOf(`AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20261202/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x`)).toEqual(session);
    expect(iam.sessionOf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/dynamodb/aws4_request")).toBeUndefined();
  });

  it("lets a service invoke a function only as its Lambda permissions say, down to the source ARN", () => {
    const withPermission = iamOf({
      Fn: { Type: "AWS::Lambda::Function", Properties: { FunctionName: "F" } },
      Rule: { Type: "AWS::Events::Rule", Properties: { Name: "R" } },
      Allow: { Type: "AWS::Lambda::Permission", Properties: { Action: "lambda:InvokeFunction", FunctionName: { "Fn::GetAtt": ["Fn", "Arn"] }, Principal: "events.amazonaws.com", SourceArn: { "Fn::GetAtt": ["Rule", "Arn"] } } },
    });
    const fn = "arn:aws:lambda:us-east-1:000000000000:function:F";
    expect(withPermission.functionAllows(fn, "events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/R")).toBe(true);
    expect(withPermission.functionAllows(fn, "events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/Other")).toBe(false);
    expect(withPermission.functionAllows(fn, "apigateway.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/R")).toBe(false);
    expect(withPermission.functionAllows("arn:aws:lambda:us-east-1:000000000000:function:G", "events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/R")).toBe(false);
  });

  it("refuses to start on a policy it cannot evaluate: an unknown managed policy, a condition on an identity policy", () => {
    expect(() => iamOf({ Role: { Type: "AWS::IAM::Role", Properties: { RoleName: "R", ManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] } } })).toThrow(/managed policy arn:aws:iam::aws:policy\/AdministratorAccess is not known/);
    expect(() => iamOf({ Role: role(false), Policy: policy([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }]) })).toThrow(/conditions on identity policies are not evaluated locally/);
  });

  it("asks for what AWS asks for per DynamoDB call: each transaction item's own action, the index a query names, every table of a batch", () => {
    expect(dynamoAccess("TransactWriteItems", { TransactItems: [{ Put: { TableName: "T" } }, { Update: { TableName: "T" } }, { ConditionCheck: { TableName: "U" } }] })).toEqual([
      ["dynamodb:PutItem", [TABLE]],
      ["dynamodb:UpdateItem", [TABLE]],
      ["dynamodb:ConditionCheckItem", ["arn:aws:dynamodb:us-east-1:000000000000:table/U"]],
    ]);
    expect(dynamoAccess("Query", { TableName: "T", IndexName: "GSI1" })).toEqual([["dynamodb:Query", [`${TABLE}/index/GSI1`]]]);
    expect(dynamoAccess("BatchGetItem", { RequestItems: { T: {}, U: {} } })).toEqual([["dynamodb:BatchGetItem", [TABLE, "arn:aws:dynamodb:us-east-1:000000000000:table/U"]]]);
  });
});

describe("local IAM at the HTTP API", () => {
  it("asks Lambda to invoke as API Gateway from the route (its path template): a refusal is a 500, as API Gateway answers", async () => {
    const { HttpApiLocal } = await import("../../../local/http-api.js");
    const { freePorts } = await import("../../../local/ports.js");
    const fn = { Type: "AWS::Lambda::Function", Properties: { FunctionName: "F" } };
    const integration = { Type: "AWS::ApiGatewayV2::Integration", Properties: { ApiId: { Ref: "Api" }, IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0", IntegrationUri: { "Fn::GetAtt": ["Fn", "Arn"] } } };
    const route = (key: string) => ({ Type: "AWS::ApiGatewayV2::Route", Properties: { ApiId: { Ref: "Api" }, RouteKey: key, AuthorizationType: "NONE", Target: { "Fn::Join": ["", ["integrations/", { Ref: "Integration" }]] } } });
    const resources = {
      Api: { Type: "AWS::ApiGatewayV2::Api", Properties: {} },
      Fn: fn,
      Integration: integration,
      Permitted: route("GET /orders/{orderId}"),
      Unpermitted: route("POST /secret"),
      // As CDK writes it: the route's path template under any stage and method.
      Permission: { Type: "AWS::Lambda::Permission", Properties: { Action: "lambda:InvokeFunction", FunctionName: { "Fn::GetAtt": ["Fn", "Arn"] }, Principal: "apigateway.amazonaws.com", SourceArn: { "Fn::Join": ["", ["arn:aws:execute-api:us-east-1:000000000000:", { Ref: "Api" }, "/*/*/orders/{orderId}"]] } } },
    };
    const { asm, resolver } = assemblyOf(resources);
    const iam = new IamLocal(asm, resolver);
    // The Lambda runtime's check (LambdaRuntime.invoke with a caller), on the template's permissions.
    const invoked: string[] = [];
    const lambda = {
      invoke: (arn: string, event: { routeKey: string }, options: { caller: { service: string; sourceArn: string } }) => {
        if (!iam.functionAllows(arn, options.caller.service, options.caller.sourceArn)) return Promise.resolve({ ok: false, errorType: "AccessDeniedException", errorMessage: "denied", denied: true });
        invoked.push(`${event.routeKey} from ${options.caller.sourceArn}`);
        return Promise.resolve({ ok: true, result: { statusCode: 200, body: "ok" } });
      },
    };
    const api = new HttpApiLocal(asm, resolver, lambda as never, "token");
    const [port] = await freePorts(1);
    await api.listen(port!, "127.0.0.1");
    try {
      expect((await fetch(`http://127.0.0.1:${port}/orders/123`)).status).toBe(200);
      const denied = await fetch(`http://127.0.0.1:${port}/secret`, { method: "POST" });
      expect(denied.status).toBe(500);
      expect(await denied.json()).toEqual({ message: "Internal Server Error" });
      expect(invoked).toEqual(["GET /orders/{orderId} from arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/orders/{orderId}"]);
    } finally {
      await api.stop();
    }
  });
});

describe("local IAM at a stream's event source mapping", () => {
  it("refuses at start a mapping whose function's role cannot read the stream, as CreateEventSourceMapping does", async () => {
    const { DynamoStreamsLocal } = await import("../../../local/streams.js");
    const streamGrant = { Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], Resource: { "Fn::GetAtt": ["Table", "StreamArn"] } };
    const make = (statements: unknown[]) => {
      const { asm, resolver, dir } = assemblyOf({
        Table,
        Role: role(),
        Policy: policy(statements),
        Fn: { Type: "AWS::Lambda::Function", Properties: { FunctionName: "F", Role: { "Fn::GetAtt": ["Role", "Arn"] } } },
        Mapping: { Type: "AWS::Lambda::EventSourceMapping", Properties: { FunctionName: { Ref: "Fn" }, EventSourceArn: { "Fn::GetAtt": ["Table", "StreamArn"] }, StartingPosition: "TRIM_HORIZON" } },
      });
      const lambda = { find: () => ({ name: "F", arn: "arn:aws:lambda:us-east-1:000000000000:function:F", roleArn: "arn:aws:iam::000000000000:role/FnRole" }) };
      return () => new DynamoStreamsLocal(asm, resolver, lambda as never, {} as never, "http://127.0.0.1:1", {} as never, dir, new IamLocal(asm, resolver));
    };
    expect(make([streamGrant])).toThrow(/Cannot access stream arn:aws:dynamodb:us-east-1:000000000000:table\/T\/stream\/local\. Please ensure the role can perform .* \(missing: dynamodb:ListStreams\)/);
    expect(make([streamGrant, { Effect: "Allow", Action: "dynamodb:ListStreams", Resource: "*" }])).not.toThrow();
  });
});
