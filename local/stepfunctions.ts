import "./polyfills.js";
import * as DynamoDB from "@aws-sdk/client-dynamodb";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StateMachine as Runner } from "aws-local-stepfunctions";

/** The part of the runner's event log entries we read (the package does not export the type). */
interface EventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
}
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { EventBridgeLocal, PutEventsEntry } from "./eventbridge.js";
import type { Resolver } from "./intrinsics.js";
import type { LambdaRuntime } from "./lambda-runtime.js";

type Json = unknown;
type StateDef = Record<string, unknown> & { Type: string };
type Definition = { StartAt: string; States: Record<string, StateDef>; Comment?: string; QueryLanguage?: string };

export interface LocalStateMachine {
  /** Built (and schema-validated) once at start: validation costs ~200 ms, far too much per execution. */
  runner: Runner;
  name: string;
  arn: string;
  definition: Definition;
  definitionString: string;
  roleArn: string;
  type: string;
  creationDate: string;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Billable state transitions (entered states plus retries), as AWS counts them. */
  transitions: number;
}

const NAME_PATTERN = /^[0-9A-Za-z_-]{1,80}$/;
const DYNAMODB_ACTIONS = new Set(["getItem", "putItem", "updateItem", "deleteItem"]);

/** Task resources the local cloud can run, or a reason it cannot. */
function unsupported(state: StateDef): string | undefined {
  const r = text(state.Resource);
  if (/\.(waitForTaskToken|sync(:2)?)$/.test(r)) return `integration pattern of ${r} is not supported by the local cloud yet`;
  if (r === "arn:aws:states:::lambda:invoke" || /^arn:aws:lambda:/.test(r)) return undefined;
  if (r === "arn:aws:states:::events:putEvents") return undefined;
  const ddb = /^arn:aws:states:::dynamodb:(\w+)$/.exec(r);
  if (ddb && DYNAMODB_ACTIONS.has(ddb[1] ?? "")) return undefined;
  if (/^arn:aws:states:::aws-sdk:dynamodb:\w+$/.test(r)) return undefined;
  return `resource ${r} is not supported by the local cloud`;
}

function walkStates(states: Record<string, StateDef>, visit: (name: string, s: StateDef) => void): void {
  for (const [name, s] of Object.entries(states)) {
    visit(name, s);
    const iterator = (s.ItemProcessor ?? s.Iterator) as Definition | undefined;
    if (iterator) walkStates(iterator.States, visit);
    for (const branch of (s.Branches as Definition[] | undefined) ?? []) walkStates(branch.States, visit);
  }
}

/** Rejects at start, with the state name, anything in an ASL definition the local runner cannot do faithfully. */
export function checkDefinition(machine: string, definition: Definition): void {
  const problems: string[] = [];
  if (definition.QueryLanguage === "JSONata") problems.push(`${machine}: JSONata is not supported locally; use JSONPath`);
  walkStates(definition.States, (name, s) => {
    if (s.QueryLanguage === "JSONata") problems.push(`"${name}": JSONata is not supported locally`);
    if ("Assign" in s) problems.push(`"${name}": Assign (variables) is not supported locally`);
    if (s.ResultPath === "$") problems.push(`"${name}": an explicit ResultPath "$" is mis-handled by the local runner; omit it`);
    if (s.Type === "Task") {
      const why = unsupported(s);
      if (why) problems.push(`"${name}": ${why}`);
    }
  });
  if (problems.length) throw new Error(`State machine ${machine} cannot run locally:\n  ${problems.join("\n  ")}`);
}

function taskError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** The Step Functions of the assembly: executions run by aws-local-stepfunctions, tasks by the local services. */
export class StepFunctionsLocal {
  readonly machines = new Map<string, LocalStateMachine>();
  readonly executions = new Map<string, LocalExecution>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private readonly dir: string;

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly services: { lambda: LambdaRuntime; events: EventBridgeLocal; dynamodb: DynamoDB.DynamoDBClient },
    dataDir: string,
  ) {
    this.dir = path.join(dataDir, "executions");
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::StepFunctions::StateMachine")) {
      const p = resource.Properties ?? {};
      let definitionText: string;
      if (p.DefinitionS3Location) {
        const key = resolver.str(stack, (p.DefinitionS3Location as { Key: unknown }).Key);
        definitionText = readFileSync(assembly.assetPath(key), "utf8");
      } else if (p.DefinitionString !== undefined) definitionText = resolver.str(stack, p.DefinitionString);
      else if (p.Definition !== undefined) definitionText = JSON.stringify(resolver.resolve(stack, p.Definition));
      else throw new Error(`State machine ${logicalId} has no definition`);
      const subs = (resolver.resolve(stack, p.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
      definitionText = definitionText.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, k: string) => (k in subs ? String(subs[k]) : m));
      const physical = resolver.physicalOf(stack, logicalId);
      const name = physical.attributes.Name ?? logicalId;
      const definition = JSON.parse(definitionText) as Definition;
      checkDefinition(name, definition);
      this.machines.set(physical.ref, {
        runner: new Runner(definition as never, { validationOptions: { checkPaths: true, checkArn: true } }),
        name,
        arn: physical.ref,
        definition,
        definitionString: definitionText,
        roleArn: p.RoleArn ? resolver.str(stack, p.RoleArn) : `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
        type: text(p.StateMachineType, "STANDARD"),
        creationDate: new Date().toISOString(),
      });
    }
    this.load();
  }

  machine(arn: string): LocalStateMachine {
    const m = this.machines.get(arn);
    if (!m) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  execution(arn: string): LocalExecution {
    const e = this.executions.get(arn);
    if (!e) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  /** StartExecution with AWS's idempotency: same name + same input while running returns the same execution. */
  startExecution(stateMachineArn: string, name: string | undefined, input: string | undefined): LocalExecution {
    const machine = this.machine(stateMachineArn);
    const execName = name ?? crypto.randomUUID();
    if (!NAME_PATTERN.test(execName)) throw new AwsError("InvalidName", `Invalid Name: '${execName}'`);
    const inputText = input ?? "{}";
    let parsed: Json;
    try {
      parsed = JSON.parse(inputText);
    } catch {
      throw new AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'Unexpected token'");
    }
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine.name}:${execName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === "RUNNING" && existing.input === inputText) return existing;
      throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn,
      name: execName,
      status: "RUNNING",
      startDate: new Date().toISOString(),
      input: inputText,
      history: [],
      transitions: 0,
    };
    this.executions.set(executionArn, execution);
    this.run(machine, execution, parsed);
    return execution;
  }

  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution {
    const e = this.execution(executionArn);
    if (e.status !== "RUNNING") return e;
    e.error = error;
    e.cause = cause;
    this.running.get(executionArn)?.abort();
    return e;
  }

  isIdle(): boolean {
    return this.running.size === 0;
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private push(e: LocalExecution, type: string, details: Record<string, unknown> = {}, at = Date.now()): void {
    const id = e.history.length + 1;
    e.history.push({ id, previousEventId: id - 1, timestamp: new Date(at).toISOString(), type, ...details });
  }

  private run(machine: LocalStateMachine, execution: LocalExecution, input: Json): void {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const stateTypes = new Map<string, StateDef>();
    walkStates(machine.definition.States, (name, s) => {
      stateTypes.set(name, s);
      if (s.Type === "Task") handlers[name] = (i) => this.runTask(String(s.Resource), i);
    });
    const { result, eventLogs, abort } = machine.runner.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: machine.roleArn, StartTime: execution.startDate },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    this.push(execution, "ExecutionStarted", {
      executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false }, roleArn: machine.roleArn },
    });
    this.save(execution);
    const consume = (async () => {
      for await (const ev of eventLogs) this.record(execution, ev, stateTypes);
    })();
    const done = (async () => {
      try {
        const output = await result;
        if (execution.status === "RUNNING") {
          if (output === null && execution.error !== undefined) this.finish(execution, "ABORTED");
          else {
            execution.output = JSON.stringify(output);
            this.finish(execution, "SUCCEEDED");
          }
        }
      } catch (error) {
        const e = error as Error & { cause?: unknown };
        const caught = e.cause as { name?: string; message?: string } | undefined;
        execution.error = caught?.name ?? e.name;
        execution.cause = caught?.message ?? e.message;
        this.finish(execution, e.name === "ExecutionTimeoutError" ? "TIMED_OUT" : e.name === "ExecutionAbortedError" ? "ABORTED" : "FAILED");
      } finally {
        await consume.catch(() => undefined);
        this.finalHistory(execution);
        this.save(execution);
        this.running.delete(execution.executionArn);
      }
    })();
    this.running.set(execution.executionArn, {
      abort: () => {
        execution.error ??= "";
        abort();
      },
      done,
    });
  }

  private finish(e: LocalExecution, status: ExecutionStatus): void {
    e.status = status;
    e.stopDate = new Date().toISOString();
  }

  private finalHistory(e: LocalExecution): void {
    if (e.status === "SUCCEEDED") this.push(e, "ExecutionSucceeded", { executionSucceededEventDetails: { output: e.output, outputDetails: { truncated: false } } });
    else if (e.status === "FAILED") this.push(e, "ExecutionFailed", { executionFailedEventDetails: { error: e.error, cause: e.cause } });
    else if (e.status === "TIMED_OUT") this.push(e, "ExecutionTimedOut", { executionTimedOutEventDetails: { error: "States.Timeout" } });
    else if (e.status === "ABORTED") this.push(e, "ExecutionAborted", { executionAbortedEventDetails: { error: e.error, cause: e.cause } });
  }

  /** Maps the runner's event log onto AWS history event types. */
  private record(e: LocalExecution, ev: EventLog, states: Map<string, StateDef>): void {
    if (!ev.state) return;
    const { name, type } = ev.state;
    const json = (v: unknown) => JSON.stringify(v ?? null);
    switch (ev.type) {
      case "StateEntered":
        e.transitions++;
        this.push(e, `${type}StateEntered`, { stateEnteredEventDetails: { name, input: json(ev.state.input), inputDetails: { truncated: false } } }, ev.timestamp);
        break;
      case "StateExited":
        this.push(e, `${type}StateExited`, { stateExitedEventDetails: { name, output: json(ev.state.output), outputDetails: { truncated: false } } }, ev.timestamp);
        break;
      case "StateRetried":
        e.transitions++;
        break;
      case "StateFailed":
        if (type === "Task")
          this.push(e, "TaskFailed", {
            taskFailedEventDetails: { resourceType: "states", resource: text(states.get(name)?.Resource), error: ev.Error, cause: text(ev.Cause) },
          }, ev.timestamp);
        break;
    }
  }

  private async runTask(resource: string, input: Json): Promise<Json> {
    if (resource === "arn:aws:states:::lambda:invoke" || resource.startsWith("arn:aws:lambda:")) {
      const direct = resource.startsWith("arn:aws:lambda:");
      const params = (direct ? { FunctionName: resource, Payload: input } : input) as { FunctionName: string; Payload?: Json };
      const out = await this.services.lambda.invoke(params.FunctionName, params.Payload ?? {});
      if (!out.ok) {
        if (out.errorType === "ResourceNotFoundException") throw taskError("Lambda.ResourceNotFoundException", out.errorMessage);
        throw taskError(out.errorType, JSON.stringify({ errorType: out.errorType, errorMessage: out.errorMessage, trace: out.trace ?? [] }));
      }
      if (direct) return out.result;
      return { ExecutedVersion: "$LATEST", Payload: out.result, StatusCode: 200, SdkHttpMetadata: { httpStatusCode: 200 }, SdkResponseMetadata: {} };
    }
    if (resource === "arn:aws:states:::events:putEvents") {
      try {
        return this.services.events.putEvents((input as { Entries: PutEventsEntry[] }).Entries);
      } catch (e) {
        throw taskError(`EventBridge.${(e as Error).name}`, (e as Error).message);
      }
    }
    const action = /^arn:aws:states:::(?:aws-sdk:)?dynamodb:(\w+)$/.exec(resource)?.[1];
    if (action) {
      const commandName = `${action[0]?.toUpperCase()}${action.slice(1)}Command`;
      const Command = (DynamoDB as unknown as Record<string, new (i: unknown) => never>)[commandName];
      if (!Command) throw taskError("States.Runtime", `Unknown DynamoDB action ${action}`);
      try {
        const { $metadata: _m, ...rest } = (await this.services.dynamodb.send(new Command(input))) as unknown as Record<string, unknown>;
        return rest;
      } catch (e) {
        throw taskError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
      }
    }
    throw taskError("States.Runtime", `Unsupported resource ${resource}`);
  }

  private file(arn: string): string {
    return path.join(this.dir, `${encodeURIComponent(arn)}.json`);
  }

  private save(e: LocalExecution): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file(e.executionArn), JSON.stringify(e));
  }

  /**
   * Executions kept from earlier runs. One that was running when the local cloud stopped is
   * started again from its first state with its original input (every step of our workflows is
   * idempotent, so a re-run converges); resuming mid-way is not implemented yet.
   */
  private load(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) {
      const e = JSON.parse(readFileSync(path.join(this.dir, f), "utf8")) as LocalExecution;
      const machine = this.machines.get(e.stateMachineArn);
      if (!machine) continue;
      this.executions.set(e.executionArn, e);
      if (e.status === "RUNNING") {
        e.history = [];
        this.run(machine, e, JSON.parse(e.input));
      }
    }
  }
}
