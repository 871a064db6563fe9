import type { StateMachine as Runner } from "aws-local-stepfunctions";

// The shapes the local Step Functions keeps: definitions, state machines, executions and their history.

export type Json = unknown;
export type StateDef = Record<string, unknown> & { Type: string };
export type Definition = { StartAt: string; States: Record<string, StateDef>; Comment?: string; QueryLanguage?: string; TimeoutSeconds?: number };

/** The part of the runner's event log entries we read (the package does not export the type). */
export interface EventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
}

export interface LocalStateMachine {
  /** Built (and schema-validated) once at start: validation costs ~200 ms, far too much per execution. */
  runner: Runner;
  /** What the runner runs: Wait states become clock-driven tasks, task timeouts move to our clock. */
  runnable: Definition;
  name: string;
  arn: string;
  definition: Definition;
  definitionString: string;
  roleArn: string;
  type: string;
  creationDate: string;
  /** Every state by name (nested ones too), as written in the ASL. */
  states: Map<string, StateDef>;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

/** A task waiting for SendTaskSuccess/Failure, as persisted. */
export interface PendingTaskState {
  token: string;
  stateName: string;
  /** The request carrying the token has gone out (so a resumed execution does not send it twice). */
  dispatched: boolean;
  heartbeatSeconds?: number;
  lastHeartbeatAt: number;
  timeoutAt?: number;
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
  /** Callback tasks waiting on a token. */
  pending: PendingTaskState[];
  /** Due times (local clock, ms) of running Wait states and task timeouts, by state name. */
  timers: Record<string, number>;
  /** The execution that started this one (states:startExecution), if any. */
  parentExecutionArn?: string;
}

