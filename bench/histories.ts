// P2c: what a job costs in Temporal, counted from its history and its billing
// child's. "Actions" follow Temporal Cloud's billing rules as far as a history
// shows them: a workflow started (a child counts once, as the parent's start
// command), each activity attempt, timers, signals received, search attribute
// and memo upserts, side effects, and local activities once per workflow task.
// Heartbeats and queries are actions too but leave no event; they are not here.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

export interface HistoryCosts {
  events: number;
  workflowTasks: number;
  activities: number;
  actions: number;
  /** Actions by kind, for the table. */
  byKind: Record<string, number>;
}

const attributesOf = (e: Event) => Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]) ?? '';

function count(events: Event[], isChild: boolean, into: HistoryCosts): void {
  const add = (kind: string, n = 1) => {
    into.byKind[kind] = (into.byKind[kind] ?? 0) + n;
    into.actions += n;
  };
  const localActivityTasks = new Set<string>();
  into.events += events.length;
  for (const e of events) {
    const kind = attributesOf(e).replace(/EventAttributes$/, '');
    switch (kind) {
      case 'workflowExecutionStarted':
        if (!isChild) add('workflow started');
        break;
      case 'startChildWorkflowExecutionInitiated':
        add('workflow started');
        break;
      case 'workflowTaskCompleted':
        into.workflowTasks += 1;
        break;
      case 'activityTaskScheduled':
        into.activities += 1;
        add('activity');
        break;
      case 'activityTaskStarted':
        add('activity retry', Math.max(0, (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1));
        break;
      case 'timerStarted':
        add('timer');
        break;
      case 'workflowExecutionSignaled':
        add('signal');
        break;
      case 'upsertWorkflowSearchAttributes':
        add('search attributes');
        break;
      case 'workflowPropertiesModified':
        add('memo');
        break;
      case 'markerRecorded': {
        const name = e.markerRecordedEventAttributes?.markerName ?? '';
        if (name === 'core_local_activity') localActivityTasks.add(String(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? e.eventId));
        else if (name === 'core_side_effect' || name === 'core_mutable_side_effect') add('side effect');
        break;
      }
    }
  }
  if (localActivityTasks.size) add('local activities', localActivityTasks.size);
}

/** The costs of a job's workflow and of the workflows it started (its billing child). */
export async function historyCosts(client: Client, workflowId: string): Promise<HistoryCosts> {
  const costs: HistoryCosts = { events: 0, workflowTasks: 0, activities: 0, actions: 0, byKind: {} };
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  count(events, false, costs);
  for (const e of events) {
    const childId = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (childId) {
      await client.workflow.getHandle(childId).result().catch(() => undefined);
      count((await client.workflow.getHandle(childId).fetchHistory()).events ?? [], true, costs);
    }
  }
  return costs;
}

export const describeCosts = (c: HistoryCosts) =>
  `${c.actions} actions, ${c.workflowTasks} workflow tasks, ${c.activities} activities, ${c.events} events (${Object.entries(c.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`;
