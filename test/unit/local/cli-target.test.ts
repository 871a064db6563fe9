import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stageTarget } from "../../../local/cli-target.js";

const cfn = mockClient(CloudFormationClient);
const credentials = () => Promise.resolve({ accessKeyId: "AKIDTEST", secretAccessKey: "secret" });
let server: Server;
let apiUrl: string;
const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  cfn.reset();
  seen.length = 0;
});

const outputs = (o: Record<string, string>) => ({ Stacks: [{ StackName: "s", CreationTime: new Date(), StackStatus: "CREATE_COMPLETE" as const, Outputs: Object.entries(o).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });

describe("a deployed stage as the CLI's target", () => {
  it("finds the stage's resources in its stacks' outputs and signs operator calls with SigV4 for execute-api", async () => {
    cfn.on(DescribeStacksCommand, { StackName: "Oms-prod-Stateful" }).resolves(outputs({ TableName: "oms-prod-table", ChannelSecretsArn: "arn:secret", EventBusName: "oms-prod" }));
    cfn.on(DescribeStacksCommand, { StackName: "Oms-prod-Stateless" }).resolves(outputs({ ApiUrl: `${apiUrl}/`, OrderWorkflowArn: "arn:aws:states:eu-central-1:1:stateMachine:oms-prod-order-fulfillment" }));
    const target = await stageTarget("prod", { region: "eu-central-1", cloudFormation: new CloudFormationClient({ region: "eu-central-1" }), credentials });
    expect(target).toMatchObject({ kind: "stage", name: "prod", tableName: "oms-prod-table", orderWorkflowArn: expect.stringContaining("order-fulfillment") as unknown });
    expect(target.adminEndpoint).toBeUndefined();

    expect(await target.api("/orders?status=CONFIRMED&limit=5")).toEqual({ status: 200, body: { ok: true } });
    await target.api("/routing/rules/web", { method: "PUT", body: '{"a":1}' });
    const [get, put] = seen;
    expect(get?.url).toBe("/orders?status=CONFIRMED&limit=5");
    expect(get?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-central-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(put).toMatchObject({ method: "PUT", body: '{"a":1}' });
    expect(put?.headers.authorization).toContain("SignedHeaders=content-type;host;");
  });

  it("says what is missing: an undeployed stack, an output of an older deployment, a region", async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error("Stack with id Oms-qa-Stateful does not exist"), { name: "ValidationError" }));
    await expect(stageTarget("qa", { region: "eu-west-1", cloudFormation: new CloudFormationClient({ region: "eu-west-1" }), credentials })).rejects.toThrow(
      "Stage qa: cannot read stack Oms-qa-Stateful in eu-west-1 (ValidationError: Stack with id Oms-qa-Stateful does not exist); is it deployed?",
    );
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves(outputs({ ApiUrl: apiUrl, OrderWorkflowArn: "arn" }));
    await expect(stageTarget("qa", { region: "eu-west-1", cloudFormation: new CloudFormationClient({ region: "eu-west-1" }), credentials })).rejects.toThrow("Stage qa: the stacks have no output TableName");
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(stageTarget("qa", { credentials })).rejects.toThrow("Set AWS_REGION");
    } finally {
      if (saved.r) process.env.AWS_REGION = saved.r;
      if (saved.d) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });
});
