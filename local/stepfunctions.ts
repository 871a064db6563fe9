import "./polyfills.js";
import { randomBytes, randomUUID } from "node:crypto";
import { JSONPath } from "jsonpath-plus";
import { StateMachine as Runner } from "aws-local-stepfunctions";
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { LocalClock } from "./clock.js";
import type { EventBridgeLocal } from "./eventbridge.js";
import type { Resolver } from "./intrinsics.js";
import type { IamLocal } from "./iam.js";
import type { LambdaRuntime } from "./lambda-runtime.js";
import { LOCAL_START_TIME, loadStateMachines, NAME_PATTERN, TIMEOUT_PARAMETER } from "./sfn/definitions.js";
import { captureTimeoutErrorClass, namedError } from "./sfn/errors.js";
import { ServiceIntegrations } from "./sfn/integrations.js";
import { ExecutionStore } from "./sfn/store.js";
import { decodeToken, encodeToken } from "./sfn/tokens.js";
import type { EventLog, ExecutionStatus, HistoryEvent, Json, LocalExecution, LocalStateMachine, PendingTaskState, StateDef } from "./sfn/types.js";

// The local Step Functions: executions and their runs, task tokens, task timeouts and heartbeats,
// Wait states on the local clock. Its parts live in sfn/: definitions (loading and checking the
// ASL), integrations (what a Task calls), store (durability), tokens, errors, types.
export { checkDefinition } from "./sfn/definitions.js";
export type { ExecutionStatus, HistoryEvent, LocalExecution, LocalStateMachine, PendingTaskState } from "./sfn/types.js";

interface LiveTask {
  resolve: (output: Json) => void;
  reject: (error: Error) => void;
  heartbeat: () => void;
}

interface Live {
  abort: (error?: string, cause?: string) => void;
  /** Stops the runner itself (no further states run). */
  halt: () => void;
  done: Promise<void>;
  tasks: Map<string, LiveTask>;
  /** Token handed out by the last read of $$.Task.Token, for the task handler that follows it. */
  /** Tokens handed to Parameters ($$.Task.Token) not yet claimed by their task (Map branches ask at once). */
  unclaimed: Set<string>;
  /** Tokens of callback tasks a resumed run hands out again (the callers hold them) instead of new ones. */
  resumeTokens: { token: string; stateName: string }[];
  /** History events of a task handler, held until the runner's StateEntered for it is recorded. */
  held: Map<string, HistoryEvent[]>;
  entered: Set<string>;
  controller: AbortController;
}


/**
 * The Step Functions of the assembly. aws-local-stepfunctions interprets the ASL; around it this
 * class keeps AWS's execution semantics: names unique per state machine, an AWS-shaped history,
 * task tokens (SendTaskSuccess/Failure/Heartbeat), HeartbeatSeconds and TimeoutSeconds, Wait
 * states of any length on the local clock, nested executions, and durability: executions,
 * pending tokens and timers live under the data dir, and a restarted local cloud resumes each
 * running execution at the state it was in.
 */
export class StepFunctionsLocal {
  readonly machines: Map<string, LocalStateMachine>;
  readonly executions = new Map<string, LocalExecution>();
  private readonly live = new Map<string, Live>();
  private readonly store: ExecutionStore;
  private readonly integrations: ServiceIntegrations;
  private timeoutErrorClass?: new () => Error;

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly services: { lambda: LambdaRuntime; events: EventBridgeLocal; dynamodb: DynamoDB.DynamoDBClient; clock: LocalClock; iam: IamLocal },
    dataDir: string,
  ) {
    this.machines = loadStateMachines(assembly, resolver);
    this.store = new ExecutionStore(dataDir);
    this.integrations = new ServiceIntegrations(services, {
      start: (arn, name, input, parent) => this.startExecution(arn, name, input, parent),
      finished: (arn) => this.live.get(arn)?.done,
    });
  }

  /** Loads kept executions and resumes the running ones where they were. */
  async start(): Promise<void> {
    this.timeoutErrorClass = await captureTimeoutErrorClass();
    for (const e of this.store.load()) if (this.machines.has(e.stateMachineArn)) this.executions.set(e.executionArn, e);
    for (const e of this.executions.values()) if (e.status === "RUNNING") this.resume(e);
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
  startExecution(stateMachineArn: string, name: string | undefined, input: string | undefined, parentExecutionArn?: string): LocalExecution {
    const machine = this.machine(stateMachineArn);
    const execName = name ?? randomUUID();
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
      startDate: new Date(this.services.clock.now()).toISOString(),
      input: inputText,
      history: [],
      transitions: 0,
      pending: [],
      timers: {},
      ...(parentExecutionArn ? { parentExecutionArn } : {}),
    };
    this.executions.set(executionArn, execution);
    this.push(execution, "ExecutionStarted", {
      executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false }, roleArn: machine.roleArn },
    });
    this.run(machine, execution, machine.runner, parsed, undefined);
    return execution;
  }

  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution {
    const e = this.execution(executionArn);
    if (e.status !== "RUNNING") return e;
    this.live.get(executionArn)?.abort(error, cause);
    return e;
  }

  /** The state machine's role, as the session its execution calls its integrations with. */
  private roleOf(e: LocalExecution) {
    return this.services.iam.session(this.machine(e.stateMachineArn).roleArn, e.name.slice(0, 64));
  }

  /** The state machine a task token belongs to (what IAM checks states:SendTask* against); "*" for a token that names none. */
  machineOfToken(token: string): string {
    const e = this.executions.get(decodeToken(token)?.e ?? "");
    return e?.stateMachineArn ?? "*";
  }

  /** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, with AWS's errors for unknown and finished tokens. */
  sendTask(kind: "success" | "failure" | "heartbeat", token: string, payload: { output?: string; error?: string; cause?: string } = {}): void {
    const decoded = decodeToken(token);
    if (!decoded) throw new AwsError("InvalidToken", "Invalid token");
    const execution = this.executions.get(decoded.e);
    const pending = execution?.pending.find((p) => p.token === token);
    const task = this.live.get(decoded.e)?.tasks.get(token);
    if (!execution) throw new AwsError("TaskDoesNotExist", "Task does not exist");
    if (!pending || !task) throw new AwsError("TaskTimedOut", "Task Timed Out");
    if (kind === "heartbeat") {
      pending.lastHeartbeatAt = this.services.clock.now();
      task.heartbeat();
      this.store.save(execution);
      return;
    }
    if (kind === "success") {
      let output: Json;
      try {
        output = JSON.parse(payload.output ?? "");
      } catch {
        throw new AwsError("InvalidOutput", "Invalid Output: the output must be valid JSON");
      }
      task.resolve(output);
    } else task.reject(namedError(payload.error ?? "", payload.cause ?? ""));
  }

  /** Running executions, and how many of them are stepping (not parked on a callback or timer). */
  activity(): { running: number; stepping: number } {
    const arns = [...this.live.keys()];
    return { running: arns.length, stepping: arns.filter((arn) => !this.isWaiting(arn)).length };
  }

  isIdle(): boolean {
    return this.live.size === 0 || [...this.live.keys()].every((arn) => this.isWaiting(arn));
  }

  /** Resolves when every running execution has finished or is waiting on a callback or timer. */
  async idle(): Promise<void> {
    while (!this.isIdle()) await new Promise((r) => setTimeout(r, 10));
  }

  /** Stops all runs without recording anything: the process is ending and executions resume on the next start. */
  shutdown(): void {
    this.flush();
    // Halt the runner before settling its handlers, so no Catch runs compensation on the way out.
    for (const l of this.live.values()) {
      l.halt();
      l.controller.abort(namedError("Local.Shutdown", "local cloud stopping"));
    }
    this.live.clear();
  }

  /** Parked on a dispatched callback or a Wait state: nothing will happen until a call or the clock moves. */
  private isWaiting(arn: string): boolean {
    const e = this.executions.get(arn);
    return !!e && (e.pending.some((p) => p.dispatched) || Object.keys(e.timers).some((k) => !k.includes("#timeout")));
  }

  private resume(e: LocalExecution): void {
    const machine = this.machine(e.stateMachineArn);
    const topLevel = new Set(Object.keys(machine.definition.States));
    // A Map restarts its branches from the beginning, and their tasks dispatch again with new
    // tokens (the steps re-park them); only top-level waits are resumed as they were.
    e.pending = e.pending.filter((p) => topLevel.has(p.stateName));
    let at: { name: string; input: string } | undefined;
    for (const h of e.history) {
      const entered = h.stateEnteredEventDetails as { name: string; input: string } | undefined;
      const exited = h.stateExitedEventDetails as { name: string } | undefined;
      if (entered && topLevel.has(entered.name)) at = { name: entered.name, input: entered.input };
      if (exited && at?.name === exited.name && topLevel.has(exited.name)) at = undefined;
    }
    if (!at) {
      // Started but no state recorded yet: run from the beginning.
      this.run(machine, e, machine.runner, JSON.parse(e.input), undefined);
      return;
    }
    const runner = new Runner({ ...machine.runnable, StartAt: at.name } as never, { validationOptions: { noValidate: true } });
    this.run(machine, e, runner, JSON.parse(at.input), at.name);
  }

  private push(e: LocalExecution, type: string, details: Record<string, unknown> = {}, at = this.services.clock.now()): void {
    const id = e.history.length + 1;
    e.history.push({ id, previousEventId: id - 1, timestamp: new Date(at).toISOString(), type, ...details });
  }

  /** Adds a handler's history event in order: after the runner's StateEntered for that state. */
  private pushTaskEvent(e: LocalExecution, live: Live, stateName: string, type: string, details: Record<string, unknown>): void {
    if (live.entered.has(stateName)) this.push(e, type, details);
    else live.held.set(stateName, [...(live.held.get(stateName) ?? []), { id: 0, previousEventId: 0, timestamp: this.services.clock.iso(), type, ...details }]);
  }

  private run(machine: LocalStateMachine, execution: LocalExecution, runner: Runner, input: Json, resumedAt: string | undefined): void {
    const controller = new AbortController();
    const live: Live = {
      abort: () => undefined,
      halt: () => undefined,
      done: Promise.resolve(),
      tasks: new Map(),
      resumeTokens: execution.pending.filter((p) => p.dispatched).map((p) => ({ token: p.token, stateName: p.stateName })),
      unclaimed: new Set(),
      held: new Map(),
      entered: new Set(resumedAt ? [resumedAt] : []),
      controller,
    };
    this.live.set(execution.executionArn, live);
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [name, s] of machine.states) {
      if (s.Type === "Task") handlers[name] = (i) => this.runTask(execution, live, name, s, i);
      if (s.Type === "Wait") handlers[name] = (i) => this.runWait(execution, live, name, s, i);
    }
    const issue = () => this.issueToken(execution, live);
    const { result, eventLogs, abort } = runner.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: machine.roleArn, StartTime: execution.startDate, [LOCAL_START_TIME]: execution.startDate },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: {
          get Token() {
            return issue();
          },
        },
      },
    });
    let skipFirstEntered = resumedAt;
    const consume = (async () => {
      for await (const ev of eventLogs) {
        const log = ev as EventLog;
        if (skipFirstEntered && log.type === "StateEntered" && log.state?.name === skipFirstEntered) {
          skipFirstEntered = undefined;
          continue;
        }
        this.record(execution, live, machine, log);
      }
    })();
    live.halt = abort;
    live.abort = (error?: string, cause?: string) => {
      execution.error = error ?? "";
      execution.cause = cause ?? "";
      controller.abort(namedError("Local.Aborted", "execution stopped"));
      abort();
    };
    live.done = (async () => {
      let output: Json = null;
      let failure: Error | undefined;
      try {
        output = await result;
      } catch (error) {
        failure = error as Error;
      }
      await consume.catch(() => undefined);
      if (controller.signal.aborted && (controller.signal.reason as Error | undefined)?.name === "Local.Shutdown") return;
      if (execution.status === "RUNNING") {
        if (controller.signal.aborted) this.finish(execution, "ABORTED");
        else if (failure) {
          const caught = (failure as Error & { cause?: { name?: string; message?: string } }).cause;
          execution.error = caught?.name ?? failure.name;
          execution.cause = caught?.message ?? failure.message;
          this.finish(execution, failure.name === "ExecutionTimeoutError" ? "TIMED_OUT" : "FAILED");
        } else {
          execution.output = JSON.stringify(output);
          this.finish(execution, "SUCCEEDED");
        }
      }
      execution.pending = [];
      execution.timers = {};
      this.finalHistory(execution);
      this.store.save(execution);
      this.live.delete(execution.executionArn);
    })();
    this.store.save(execution);
  }

  /** The runner reads $$.Task.Token while building the Parameters of the task it is about to run. */
  private issueToken(execution: LocalExecution, live: Live): string {
    const token = encodeToken(execution.executionArn);
    live.unclaimed.add(token);
    return token;
  }

  private finish(e: LocalExecution, status: ExecutionStatus): void {
    e.status = status;
    e.stopDate = new Date(this.services.clock.now()).toISOString();
  }

  private finalHistory(e: LocalExecution): void {
    if (e.status === "SUCCEEDED") this.push(e, "ExecutionSucceeded", { executionSucceededEventDetails: { output: e.output, outputDetails: { truncated: false } } });
    else if (e.status === "FAILED") this.push(e, "ExecutionFailed", { executionFailedEventDetails: { error: e.error, cause: e.cause } });
    else if (e.status === "TIMED_OUT") this.push(e, "ExecutionTimedOut", { executionTimedOutEventDetails: { error: "States.Timeout" } });
    else if (e.status === "ABORTED") this.push(e, "ExecutionAborted", { executionAbortedEventDetails: { error: e.error, cause: e.cause } });
  }

  /** Maps the runner's event log onto AWS history event types. */
  private record(e: LocalExecution, live: Live, machine: LocalStateMachine, ev: EventLog): void {
    if (!ev.state) return;
    const { name } = ev.state;
    const type = machine.states.get(name)?.Type ?? ev.state.type;
    const json = (v: unknown) => JSON.stringify(v ?? null);
    const at = Math.max(ev.timestamp + (this.services.clock.now() - Date.now()), 0);
    switch (ev.type) {
      case "StateEntered":
        e.transitions++;
        this.push(e, `${type}StateEntered`, { stateEnteredEventDetails: { name, input: json(ev.state.input), inputDetails: { truncated: false } } }, at);
        live.entered.add(name);
        for (const held of live.held.get(name) ?? []) {
          const { id: _i, previousEventId: _p, timestamp, type: t, ...details } = held;
          this.push(e, t, details, Date.parse(timestamp));
        }
        live.held.delete(name);
        this.store.save(e);
        break;
      case "StateExited":
        live.entered.delete(name);
        this.push(e, `${type}StateExited`, { stateExitedEventDetails: { name, output: json(ev.state.output), outputDetails: { truncated: false } } }, at);
        this.store.save(e);
        break;
      case "StateRetried":
        e.transitions++;
        break;
    }
  }

  /** A Task: its resource, raced against TimeoutSeconds and HeartbeatSeconds on the local clock. */
  private async runTask(e: LocalExecution, live: Live, stateName: string, state: StateDef, rawInput: Json): Promise<Json> {
    let input = rawInput;
    let timeoutFromPath: number | undefined;
    if (typeof state.TimeoutSecondsPath === "string" && input && typeof input === "object" && !Array.isArray(input)) {
      const { [TIMEOUT_PARAMETER]: value, ...rest } = input as Record<string, Json>;
      if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw namedError("States.Runtime", `"${stateName}": TimeoutSecondsPath ${state.TimeoutSecondsPath} must select a positive integer, got ${JSON.stringify(value)}`);
      timeoutFromPath = value;
      input = rest;
    }
    const resource = text(state.Resource);
    const callback = resource.endsWith(".waitForTaskToken");
    const base = resource.replace(/\.waitForTaskToken$/, "");
    const token = callback ? this.claimToken(e, live, stateName, input) : undefined;
    const details = { resourceType: base.split(":")[5] ?? "states", resource: base.split(":").slice(6).join(":") || base, region: LOCAL_REGION };
    this.pushTaskEvent(e, live, stateName, "TaskScheduled", { taskScheduledEventDetails: { ...details, parameters: JSON.stringify(input), ...((timeoutFromPath ?? state.TimeoutSeconds) ? { timeoutInSeconds: timeoutFromPath ?? state.TimeoutSeconds } : {}), ...(state.HeartbeatSeconds ? { heartbeatInSeconds: state.HeartbeatSeconds } : {}) } });
    const clock = this.services.clock;
    const abort = new AbortController();
    const onStop = () => abort.abort(live.controller.signal.reason);
    live.controller.signal.addEventListener("abort", onStop, { once: true });
    const races: Promise<Json>[] = [];
    const timeoutSeconds = timeoutFromPath ?? (typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : undefined);
    // Per token: branches of a Map run the same state at once, each with its own deadline.
    const timerKey = token ? `${stateName}#timeout#${token}` : `${stateName}#timeout#${randomBytes(6).toString("hex")}`;
    if (timeoutSeconds) {
      const dueAt = e.timers[timerKey] ?? clock.now() + timeoutSeconds * 1000;
      e.timers[timerKey] = dueAt;
      races.push(clock.until(dueAt, abort.signal).then(() => Promise.reject(this.timeoutError())));
    }
    try {
      let work: Promise<Json>;
      if (callback) {
        if (!token) throw namedError("States.Runtime", `"${stateName}" waits for a task token but its Parameters do not pass $$.Task.Token`);
        work = this.awaitCallback(e, live, stateName, state, base, input, token, abort.signal);
      } else work = this.integrations.invoke(e, base, resource, input, this.roleOf(e));
      races.push(work);
      const out = await Promise.race(races);
      this.pushTaskEvent(e, live, stateName, "TaskSucceeded", { taskSucceededEventDetails: { ...details, output: JSON.stringify(out ?? null) } });
      return out;
    } catch (error) {
      const err = error as Error;
      const type = err.name === "States.Timeout" || err.name === "States.HeartbeatTimeout" ? "TaskTimedOut" : "TaskFailed";
      const key = type === "TaskTimedOut" ? "taskTimedOutEventDetails" : "taskFailedEventDetails";
      if (!live.controller.signal.aborted) this.pushTaskEvent(e, live, stateName, type, { [key]: { ...details, error: err.name, cause: err.message } });
      throw err;
    } finally {
      live.controller.signal.removeEventListener("abort", onStop);
      abort.abort(namedError("Local.Done", "task settled"));
      delete e.timers[timerKey];
      e.pending = e.pending.filter((p) => p.token !== token);
      if (token) live.tasks.delete(token);
    }
  }

  /**
   * The token this callback task put in its Parameters: the one issued token its input carries
   * (Map branches build their Parameters concurrently). A resumed execution hands the callers'
   * token back to a top-level task that was already waiting, instead of dispatching again.
   */
  private claimToken(e: LocalExecution, live: Live, stateName: string, input: Json): string | undefined {
    const text = JSON.stringify(input);
    const fresh = [...live.unclaimed].find((t) => text.includes(t));
    if (fresh) live.unclaimed.delete(fresh);
    const resumed = live.resumeTokens.findIndex((r) => r.stateName === stateName);
    if (resumed >= 0 && this.machine(e.stateMachineArn).definition.States[stateName]) return live.resumeTokens.splice(resumed, 1)[0]!.token;
    return fresh;
  }

  private async awaitCallback(e: LocalExecution, live: Live, stateName: string, state: StateDef, base: string, input: Json, token: string, signal: AbortSignal): Promise<Json> {
    const clock = this.services.clock;
    const resumed = e.pending.find((p) => p.token === token && p.dispatched);
    const pending: PendingTaskState = resumed ?? { token, stateName, dispatched: false, lastHeartbeatAt: clock.now(), ...(typeof state.HeartbeatSeconds === "number" ? { heartbeatSeconds: state.HeartbeatSeconds } : {}) };
    e.pending = [...e.pending.filter((p) => p.token !== token), pending];
    let heartbeatChanged: () => void = () => undefined;
    const result = new Promise<Json>((resolve, reject) => {
      live.tasks.set(token, { resolve, reject, heartbeat: () => heartbeatChanged() });
    });
    // The step may answer its own token while it is being invoked (a failure too), before the race below listens.
    result.catch(() => undefined);
    if (!pending.dispatched) {
      // The request that carries the token goes out once; a resumed execution only waits again.
      await this.integrations.invoke(e, base, base, input, this.roleOf(e));
      pending.dispatched = true;
      this.pushTaskEvent(e, live, stateName, "TaskSubmitted", { taskSubmittedEventDetails: { resourceType: base.split(":")[5], resource: base.split(":").slice(6).join(":"), output: "{}" } });
    }
    this.store.save(e);
    const races: Promise<Json>[] = [result];
    if (pending.heartbeatSeconds) {
      const hb = pending.heartbeatSeconds * 1000;
      races.push(
        (async () => {
          for (;;) {
            const beat = pending.lastHeartbeatAt;
            await Promise.race([clock.until(beat + hb, signal), new Promise<void>((r) => (heartbeatChanged = r))]);
            if (pending.lastHeartbeatAt === beat && clock.now() >= beat + hb) throw namedError("States.HeartbeatTimeout", `No heartbeat for ${pending.heartbeatSeconds} s`);
          }
        })(),
      );
    }
    races.push(new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true })));
    return Promise.race(races);
  }

  /** A Wait state on the local clock: exact for any length, and its due time survives a restart. */
  private async runWait(e: LocalExecution, live: Live, stateName: string, state: StateDef, input: Json): Promise<Json> {
    const clock = this.services.clock;
    let dueAt = e.timers[stateName];
    if (dueAt === undefined) {
      const at = (p: string) => JSONPath<unknown>({ path: p, json: input as object, wrap: false });
      if (typeof state.Seconds === "number") dueAt = clock.now() + state.Seconds * 1000;
      else if (typeof state.Timestamp === "string") dueAt = Date.parse(state.Timestamp);
      else if (typeof state.SecondsPath === "string") dueAt = clock.now() + Number(at(state.SecondsPath)) * 1000;
      else if (typeof state.TimestampPath === "string") dueAt = Date.parse(text(at(state.TimestampPath)));
      if (dueAt === undefined || Number.isNaN(dueAt)) throw namedError("States.Runtime", `"${stateName}": cannot work out how long to wait`);
      e.timers[stateName] = dueAt;
      this.store.save(e);
    }
    try {
      await clock.until(dueAt, live.controller.signal);
    } finally {
      delete e.timers[stateName];
    }
    return input;
  }

  private timeoutError(): Error {
    return this.timeoutErrorClass ? new this.timeoutErrorClass() : namedError("States.Timeout", "States.Timeout");
  }

  /** Writes every changed execution now (the store otherwise writes once per event-loop turn). */
  flush(): void {
    this.store.flush();
  }
}
