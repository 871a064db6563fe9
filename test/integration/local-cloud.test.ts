import { DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from "@aws-sdk/client-sfn";
import { execFile, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud, type LocalCloud } from "../../local/cloud.js";
import { synth } from "../../local/synth.js";
import { waitFor, waitUntilDefined } from "../support/wait.js";

/**
 * The local cloud's own semantics, on a fixture CDK app (test/fixtures/local-cloud-app) that
 * uses every feature our workflows rely on.
 */
const DAY = 86_400_000;
const here = path.dirname(fileURLToPath(import.meta.url));
let work: string;
let assemblyDir: string;
let cloud: LocalCloud;
let sfn: SFNClient;

const clients = (c: LocalCloud) => {
  const config = { endpoint: c.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } };
  return { sfn: new SFNClient(config), events: new EventBridgeClient(config), dynamo: new DynamoDBClient(config) };
};
const machine = (name: string) => cloud.stateMachineArns[`fixture-${name}`] ?? "";
const admin = async (c: LocalCloud, op: string, body: unknown = {}) => {
  const res = await fetch(c.awsEndpoint, { method: "POST", headers: { "x-amz-target": `OmsLocal.${op}`, "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`OmsLocal.${op} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
};
const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => waitUntilDefined(what, probe, { timeoutMs: ms, intervalMs: 50 });
const finished = (client: SFNClient, executionArn: string) =>
  until<DescribeExecutionCommandOutput>(`${executionArn} to finish`, async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === "RUNNING" ? undefined : d;
  });
/** The token a callback task handed out, read from its TaskScheduled parameters. */
const tokenOf = (client: SFNClient, executionArn: string) =>
  until("the task token", async () => {
    const h = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const submitted = h.events?.some((e) => e.type === "TaskSubmitted");
    const scheduled = h.events?.filter((e) => e.type === "TaskScheduled").at(-1);
    return submitted && scheduled ? (JSON.parse(scheduled.taskScheduledEventDetails?.parameters ?? "{}") as { Payload: { token: string } }).Payload.token : undefined;
  });
const recorded = async (c: LocalCloud, kind: string) => {
  const table = [...c.lambda.functions.values()].find((f) => f.logicalId.startsWith("Recorder"))?.environment.TABLE_NAME ?? "";
  const out = await clients(c).dynamo.send(new QueryCommand({ TableName: table, KeyConditionExpression: "PK = :k", ExpressionAttributeValues: { ":k": { S: kind } } }));
  return (out.Items ?? []).map((i) => JSON.parse(i.body?.S ?? "{}") as Record<string, unknown>);
};
const start = (name: string, input: unknown, execName?: string) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: machine(name), input: JSON.stringify(input), ...(execName ? { name: execName } : {}) }));

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "oms-local-"));
  assemblyDir = synth(path.join(work, "cdk.out"), "npx tsx test/fixtures/local-cloud-app/app.ts");
  cloud = await startLocalCloud({ assemblyDir, dataDir: path.join(work, "data"), faults: "Flaky:error=1" });
  sfn = clients(cloud).sfn;
});

afterAll(async () => {
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("Step Functions semantics", () => {
  it("runs nested .sync:2 executions, Map, Parallel with a SecondsPath wait, and intrinsics", async () => {
    const { executionArn } = await start("parent", { n: 21, items: [{ a: 1 }, { b: 2 }], pause: 1 });
    const d = await finished(sfn, executionArn!);
    expect(d.status).toBe("SUCCEEDED");
    expect(JSON.parse(d.output ?? "{}")).toEqual({ summary: "n=21 doubled=42", mapped: [{ a: 1 }, { b: 2 }], parallel: ["a", "b"] });
    const children = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine("child") }));
    expect(children.executions?.length).toBe(1);
  });

  it("names Lambda errors by errorType, retries, catches, times out slow functions and tasks, and injects faults", async () => {
    const { executionArn } = await start("errors", {});
    const d = await finished(sfn, executionArn!);
    expect(d.status).toBe("SUCCEEDED");
    const out = JSON.parse(d.output ?? "{}") as Record<string, { Error: string; Cause: string }>;
    expect(out.caught?.Error).toBe("CustomError");
    expect(JSON.parse(out.caught?.Cause ?? "{}")).toMatchObject({ errorType: "CustomError", errorMessage: "boom" });
    expect(out.timedOut?.Error).toBe("Sandbox.Timedout");
    // The timed-out function's log holds the line Lambda writes, with its request id, after its START.
    const slow = [...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Slow"))!;
    const logOf = (name: string) => Promise.resolve(readFileSync(path.join(work, "data", "logs", `${name}.log`), "utf8"));
    const timeoutLine = /^\S+Z ([0-9a-f-]{36}) Task timed out after (\d+\.\d\d) seconds$/m;
    const log = await waitFor("the timeout line in the function's log", () => logOf(slow.name), (l) => timeoutLine.test(l));
    const timedOut = timeoutLine.exec(log);
    expect(log).toContain(`START RequestId: ${timedOut![1]} Version: $LATEST`);
    expect(Number(timedOut![2])).toBeGreaterThanOrEqual(slow.timeoutSeconds);
    // Answered invocations end with Lambda's REPORT line: the handler's own duration, and the init duration on a cold start.
    const echo = [...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Echo"))!;
    expect(await logOf(echo.name)).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tInit Duration: \d+\.\d\d ms$/m);
    expect(out.taskTimeout?.Error).toBe("States.Timeout");
    expect(out.wrong).toBeUndefined();
    expect(out.injected?.Error).toBe("Local.InjectedFault");
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events?.map((e) => e.type) ?? [];
    expect(types.filter((t) => t === "TaskFailed").length).toBeGreaterThanOrEqual(3);
    expect(types).toContain("TaskTimedOut");
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events?.map((e) => e.type)).toEqual(["ExecutionSucceeded", "SucceedStateExited"]);
    const next = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2, nextToken: reversed.nextToken }));
    const all = history.events ?? [];
    expect(next.events?.map((e) => e.id)).toEqual([all.length - 2, all.length - 3]);
  });

  it("StartExecution: same name and input while running is the same execution; other input or a closed one is ExecutionAlreadyExists", async () => {
    const first = await start("callback", { orderId: "dup" }, "dup-1");
    const again = await start("callback", { orderId: "dup" }, "dup-1");
    expect(again.executionArn).toBe(first.executionArn);
    await expect(start("callback", { orderId: "other" }, "dup-1")).rejects.toMatchObject({ name: "ExecutionAlreadyExists" });
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: "Test", cause: "stopping" }));
    const d = await finished(sfn, first.executionArn!);
    expect(d).toMatchObject({ status: "ABORTED", error: "Test" });
    await expect(start("callback", { orderId: "dup" }, "dup-1")).rejects.toMatchObject({ name: "ExecutionAlreadyExists" });
  });

  it("task tokens: success resumes the workflow, then a 30-day wait passes on the controllable clock in milliseconds", async () => {
    const { executionArn } = await start("callback", { orderId: "ok" });
    const token = await tokenOf(sfn, executionArn!);
    expect((await recorded(cloud, "callback")).some((r) => r.token === token)).toBe(true);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    await until("the return window to start", async () => ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events?.some((e) => e.type === "WaitStateEntered") ? true : undefined));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await admin(cloud, "AdvanceClock", { milliseconds: 29 * DAY });
    // The clock fired what fell due before AdvanceClock answered: once the cloud is idle again, a woken step has run.
    await admin(cloud, "WaitForIdle");
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await admin(cloud, "AdvanceClock", { milliseconds: DAY });
    const d = await finished(sfn, executionArn!);
    expect(d.status).toBe("SUCCEEDED");
    expect(JSON.parse(d.output ?? "{}")).toMatchObject({ approval: { approved: true } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }))).rejects.toMatchObject({ name: "TaskTimedOut" });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: "not-a-token", output: "{}" }))).rejects.toMatchObject({ name: "InvalidToken" });
  });

  it("task tokens: failure surfaces the caller's error name; bad output is InvalidOutput", async () => {
    const { executionArn } = await start("callback", { orderId: "no" });
    const token = await tokenOf(sfn, executionArn!);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{not json" }))).rejects.toMatchObject({ name: "InvalidOutput" });
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "Rejected", cause: "out of budget" }));
    expect(await finished(sfn, executionArn!)).toMatchObject({ status: "FAILED", error: "RejectedByApprover" });
  });

  it("HeartbeatSeconds: heartbeats keep a task alive; silence fails it with States.HeartbeatTimeout", async () => {
    const { executionArn } = await start("callback", { orderId: "hb" });
    const token = await tokenOf(sfn, executionArn!);
    await admin(cloud, "AdvanceClock", { milliseconds: 3000 * 1000 });
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await admin(cloud, "AdvanceClock", { milliseconds: 3000 * 1000 });
    // The clock fired what fell due before AdvanceClock answered: once the cloud is idle again, a woken step has run.
    await admin(cloud, "WaitForIdle");
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await admin(cloud, "AdvanceClock", { milliseconds: 700 * 1000 });
    expect(await finished(sfn, executionArn!)).toMatchObject({ status: "FAILED", error: "HeartbeatLost" });
  });

  it("TimeoutSeconds: a callback that never comes times out with States.Timeout despite heartbeats", async () => {
    const { executionArn } = await start("callback", { orderId: "to" });
    const token = await tokenOf(sfn, executionArn!);
    for (let i = 0; i < 29; i++) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await admin(cloud, "AdvanceClock", { milliseconds: 3000 * 1000 });
    }
    expect(await finished(sfn, executionArn!)).toMatchObject({ status: "FAILED", error: "TimedOut" });
  });

  it("events:putEvents.waitForTaskToken: the token travels in an event and the answer resumes the task", async () => {
    const { executionArn } = await start("eventcallback", { orderId: "ev-1" });
    const request = await until("the approval event", async () => (await recorded(cloud, "approve-request"))[0]);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: String(request.token), output: JSON.stringify({ ok: 1 }) }));
    const d = await finished(sfn, executionArn!);
    expect(d).toMatchObject({ status: "SUCCEEDED" });
    expect(JSON.parse(d.output ?? "{}")).toEqual({ ok: 1 });
  });

  it("lists executions by status with pagination", async () => {
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine("callback"), maxResults: 2 }));
    expect(page1.executions?.length).toBe(2);
    const page2 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine("callback"), maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.executions?.[0]?.executionArn).not.toBe(page1.executions?.[0]?.executionArn);
    const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine("callback"), statusFilter: "FAILED" }));
    expect(failed.executions?.every((e) => e.status === "FAILED")).toBe(true);
    expect(failed.executions?.length).toBe(3);
  });
});

describe("EventBridge and Scheduler", () => {
  it("matches patterns, applies InputTransformer, and ignores events the pattern excludes", async () => {
    const { events } = clients(cloud);
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: "fixture-bus", Source: "fixture", DetailType: "Ping", Detail: JSON.stringify({ id: "p-1", priority: 7 }) },
          { EventBusName: "fixture-bus", Source: "fixture", DetailType: "Ping", Detail: JSON.stringify({ id: "p-2", priority: 1 }) },
          { EventBusName: "no-such-bus", Source: "fixture", DetailType: "Ping", Detail: "{}" },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[2]?.ErrorCode).toBe("InvalidArgument");
    await cloud.idle();
    const got = await recorded(cloud, "transformed");
    expect(got).toEqual([{ kind: "transformed", id: "p-1", source: "fixture" }]);
  });

  it("retries a failing target and then dead-letters the event, never dropping it", async () => {
    const { events } = clients(cloud);
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: "fixture-bus", Source: "fixture", DetailType: "Boom", Detail: JSON.stringify({ n: 1 }) }] }));
    await cloud.idle();
    const letters = (await admin(cloud, "ListDeadLetters", { queue: dlqName(cloud) })).deadLetters as { attempts: number; event: { detail: unknown } }[];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ attempts: 3, event: { detail: { n: 1 } } });
  });

  it("DynamoDB stream sources: filter criteria, order, ReportBatchItemFailures, bisection that dead-letters only the bad records", async () => {
    const { dynamo } = clients(cloud);
    const mapping = cloud.streams.mappings[0]!;
    const put = (pk: string, extra: Record<string, { S: string }> = {}) =>
      dynamo.send(new PutItemCommand({ TableName: mapping.tableName, Item: { PK: { S: pk }, kind: { S: "watched" }, ...extra } }));
    for (const pk of ["w1", "w2", "w3", "w4"]) await put(pk);
    await put("ignored", { kind: { S: "other" } });
    await put("p1", { mode: { S: "poison" } });
    await put("w5");
    await put("t1", { mode: { S: "throw" } });
    await put("w6");
    await cloud.idle();

    const seen = (await recorded(cloud, "stream")) as { pk: string; eventName: string; source: string }[];
    // At least once: a batch that fails as a whole is re-delivered, so repeats are allowed; order and completeness are not negotiable.
    expect([...new Set(seen.map((r) => r.pk))]).toEqual(["w1", "w2", "w3", "w4", "w5", "w6"]);
    expect(seen[0]).toMatchObject({ eventName: "INSERT", source: "aws:dynamodb" });
    expect(cloud.streams.stats.filteredOut).toBeGreaterThanOrEqual(1);
    const letters = (await admin(cloud, "ListDeadLetters", { queue: mapping.onFailureQueue })).deadLetters as { attempts: number; errorType: string; event: { DDBStreamBatchInfo: { batchSize: number; startSequenceNumber: string } } }[];
    expect(letters.map((l) => [l.attempts, l.event.DDBStreamBatchInfo.batchSize])).toEqual([
      [3, 1],
      [3, 1],
    ]);
    expect(letters.map((l) => l.errorType).sort()).toEqual(["Error", "ReportBatchItemFailures"]);
  });

  it("fires rate() and time-zoned cron schedules on the local clock, and on demand", async () => {
    const list = (await admin(cloud, "ListSchedules")).schedules as { name: string; expression: string; nextFireAt: string }[];
    const noon = list.find((s) => s.name === "fixture-noon-berlin");
    expect(noon?.expression).toBe("cron(0 12 ? * MON-FRI *)");
    expect(new Date(noon?.nextFireAt ?? 0).getUTCHours()).toBe(11);
    const before = (await recorded(cloud, "hourly")).length;
    await admin(cloud, "AdvanceClock", { milliseconds: 3_600_000 + 1000 });
    await until("the hourly schedule", async () => ((await recorded(cloud, "hourly")).length > before ? true : undefined));
    await admin(cloud, "FireSchedule", { name: "fixture-noon-berlin" });
    expect((await recorded(cloud, "noon")).length).toBeGreaterThanOrEqual(1);
  });
});

function dlqName(c: LocalCloud, rule = "Booms"): string {
  return c.events.rules.filter((r) => r.name.includes(rule)).flatMap((r) => r.targets).find((t) => t.deadLetterQueue)?.deadLetterQueue ?? "";
}

describe("Lambda shim", () => {
  it("resolves the template environment and gives a realistic context", async () => {
    const out = await cloud.lambda.invoke([...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Echo"))!.name, { hello: 1 });
    expect(out).toMatchObject({ ok: true, result: { echoed: { hello: 1 }, flag: "from-template", functionName: expect.stringMatching(/^LocalCloudFixture-Echo/) as unknown } });
    expect((out as { result: { remainingMs: number } }).result.remainingMs).toBeGreaterThan(3000);
  });
});

describe("IAM, as the template grants it", () => {
  it("a function whose grant was removed is refused with AWS's AccessDeniedException; the same code with the grant writes", async () => {
    const ungranted = [...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Ungranted"))!;
    const table = ungranted.environment.TABLE_NAME;
    const denied = await cloud.lambda.invoke(ungranted.name, { kind: "iam-probe" });
    expect(denied).toMatchObject({ ok: false, errorType: "AccessDeniedException" });
    const role = ungranted.roleArn.split("/").pop();
    expect(denied.ok ? "" : denied.errorMessage).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/${role}/${ungranted.name} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${table} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(await recorded(cloud, "iam-probe")).toEqual([]);
    const recorder = [...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Recorder"))!;
    expect(await cloud.lambda.invoke(recorder.name, { kind: "iam-probe" })).toMatchObject({ ok: true });
    expect(await recorded(cloud, "iam-probe")).toHaveLength(1);
  });

  it("EventBridge invokes a function only where a Lambda permission lets it: without one, the event is dead-lettered at once with NO_PERMISSIONS", async () => {
    await clients(cloud).events.send(new PutEventsCommand({ Entries: [{ EventBusName: "fixture-bus", Source: "fixture", DetailType: "Unpermitted", Detail: JSON.stringify({ kind: "unpermitted" }) }] }));
    await cloud.idle();
    const letters = (await admin(cloud, "ListDeadLetters", { queue: dlqName(cloud, "Unpermitted") })).deadLetters as { attempts: number; errorType: string; errorMessage: string }[];
    expect(letters).toEqual([expect.objectContaining({ attempts: 1, errorType: "NO_PERMISSIONS", errorMessage: expect.stringMatching(/lets events\.amazonaws\.com invoke .*Recorder/) as unknown })]);
    expect(await recorded(cloud, "Unpermitted")).toEqual([]);
  });

  it("a state machine whose role may not invoke its function fails the task as AWS does (Lambda.AWSLambdaException)", async () => {
    const { executionArn } = await start("denied", {});
    const d = await finished(sfn, executionArn!);
    expect(d.status).toBe("FAILED");
    expect(d.error).toBe("Lambda.AWSLambdaException");
    expect(d.cause).toMatch(/^User: arn:aws:sts::000000000000:assumed-role\/[^/]+\/[^ ]+ is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:\S*Echo\S* because no identity-based policy allows the lambda:InvokeFunction action/);
  });
});

describe("Lambda shim concurrency", () => {
  it("honours reserved concurrency: one instance, so one cold start, however many calls at once", async () => {
    const fn = [...cloud.lambda.functions.values()].find((f) => f.logicalId.startsWith("Single"))!;
    expect(fn.reservedConcurrency).toBe(1);
    const results = await Promise.all([1, 2, 3].map(() => cloud.lambda.invoke(fn.name, { sleepMs: 100 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(cloud.lambda.stats.coldStarts[fn.name]).toBe(1);
  });
});

describe("durability", () => {
  it("survives a killed process: an execution waiting on a callback resumes in a new process and finishes", async () => {
    const data = path.join(work, "killed");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "run-local-cloud.ts"), assemblyDir, data], { stdio: ["ignore", "pipe", "inherit"] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        const m = /AWS_ENDPOINT=(\S+)/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`local cloud process exited early (${code})`)));
    });
    const remote = clients({ awsEndpoint: endpoint } as LocalCloud).sfn;
    const { executionArn } = await remote.send(new StartExecutionCommand({ stateMachineArn: machine("callback"), input: JSON.stringify({ orderId: "killed" }) }));
    const token = await tokenOf(remote, executionArn!);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // DynamoDB Local (a grandchild) outlives the SIGKILL, as it would after a crash: stop it so its port and files are free.
    spawnSync("pkill", ["-f", `dbPath ${path.join(data, "dynamodb")}`]);

    const again = await startLocalCloud({ assemblyDir, dataDir: data });
    try {
      const client = clients(again).sfn;
      expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
      await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: "after kill" }) }));
      await until("the return window", async () => ((await client.send(new GetExecutionHistoryCommand({ executionArn }))).events?.some((e) => e.type === "WaitStateEntered") ? true : undefined));
      await admin(again, "AdvanceClock", { milliseconds: 30 * DAY });
      expect(await finished(client, executionArn!)).toMatchObject({ status: "SUCCEEDED" });
    } finally {
      await again.stop();
    }
  });


  it("resumes a waiting execution after a restart: its token still works, and a timer that fell due while stopped fires", async () => {
    const { executionArn } = await start("callback", { orderId: "restart" });
    const token = await tokenOf(sfn, executionArn!);
    const before = (await recorded(cloud, "callback")).length;
    await cloud.idle();
    const streamed = (await recorded(cloud, "stream")).length;
    await cloud.stop();

    cloud = await startLocalCloud({ assemblyDir, dataDir: path.join(work, "data"), faults: "Flaky:error=1" });
    sfn = clients(cloud).sfn;
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: "after restart" }) }));
    await until("the return window", async () => ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events?.some((e) => e.type === "WaitStateEntered") ? true : undefined));
    // The callback request went out once, not again on resume.
    expect((await recorded(cloud, "callback")).length).toBe(before);
    // The stream consumer resumed at its checkpoint: nothing it had handled came again, and new changes flow.
    await clients(cloud).dynamo.send(new PutItemCommand({ TableName: cloud.streams.mappings[0]!.tableName, Item: { PK: { S: "after-restart" }, kind: { S: "watched" } } }));
    await cloud.idle();
    expect((await recorded(cloud, "stream")).map((r) => r.pk).slice(streamed)).toEqual(["after-restart"]);

    const { now } = (await admin(cloud, "GetClock")) as { now: string };
    await cloud.stop();
    // While stopped, 31 days pass (the clock is kept on disk; OMS_LOCAL_CLOCK moves it forward at start).
    process.env.OMS_LOCAL_CLOCK = new Date(Date.parse(now) + 31 * DAY).toISOString();
    try {
      cloud = await startLocalCloud({ assemblyDir, dataDir: path.join(work, "data"), faults: "Flaky:error=1" });
    } finally {
      delete process.env.OMS_LOCAL_CLOCK;
    }
    sfn = clients(cloud).sfn;
    const d = await finished(sfn, executionArn!);
    expect(d.status).toBe("SUCCEEDED");
    expect(JSON.parse(d.output ?? "{}")).toMatchObject({ approval: { approved: "after restart" } });
    const entered = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events?.filter((e) => e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(["Ask for approval", "Return window", "Done"]);
  });
});

describe("the AWS CLI against the endpoint", () => {
  const aws = spawnSync("aws", ["--version"], { encoding: "utf8" });
  it.runIf(aws.status === 0)("lists executions, reads a history and tests an event pattern", async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
    // Asynchronously: the endpoint the CLI calls lives in this very process.
    const cli = async (...args: string[]) =>
      JSON.parse((await promisify(execFile)("aws", ["--endpoint-url", cloud.awsEndpoint, "--output", "json", ...args], { env, encoding: "utf8" })).stdout) as Record<string, unknown>;
    const machines = (await cli("stepfunctions", "list-state-machines")) as { stateMachines: { name: string }[] };
    expect(machines.stateMachines.map((m) => m.name)).toContain("fixture-callback");
    const rules = (await cli("events", "list-rules", "--event-bus-name", "fixture-bus")) as { Rules: { Name: string; EventPattern: string }[] };
    const pings = rules.Rules.find((r) => (JSON.parse(r.EventPattern) as { source?: string[] }).source?.[0] === "fixture" && r.Name.includes("Pings"));
    expect(pings).toBeDefined();
    expect(await cli("events", "describe-rule", "--name", pings!.Name, "--event-bus-name", "fixture-bus")).toMatchObject({ Name: pings!.Name, State: "ENABLED" });
    const list = (await cli("stepfunctions", "list-executions", "--state-machine-arn", machine("callback"))) as { executions: { executionArn: string; status: string }[] };
    expect(list.executions.length).toBeGreaterThan(0);
    const history = await cli("stepfunctions", "get-execution-history", "--execution-arn", list.executions[0]!.executionArn) as { events: { type: string }[] };
    expect(history.events[0]?.type).toBe("ExecutionStarted");
    const test = await cli("events", "test-event-pattern", "--event-pattern", JSON.stringify({ source: [{ prefix: "oms." }] }), "--event", JSON.stringify({ id: "1", source: "oms.orders", "detail-type": "x", account: "1", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [], detail: {} }));
    expect(test).toEqual({ Result: true });
  });
});
