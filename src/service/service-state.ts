// The service's state, one tagged union: what exists only while the instance owns partitions
// (the run: streams, shards, commits) exists only in the states that have one, the recovery
// hold only while recovering. Every transition is a new state object; a transition that
// leaves a run behind retires it, so work still holding the old state or run applies nothing.
//
//   starting ─► standby ◄──────────────┐       (assigned no partitions: ready, holds nothing)
//      │           │                   │
//      └───────────┴──► restoring ─► recovering ─► live      (any assignment or failure: restoring)
//                          any state ─► stopping ─► stopped
import type { TopicPartition } from '../kafka/source.ts';
import type { RecoveryHold } from './intake.ts';
import type { Run } from './run.ts';

export type ServiceState =
  /** Before the group assigned anything. */
  | { readonly status: 'starting' }
  /** Another instance of the group holds every partition. */
  | { readonly status: 'standby' }
  /** Reading the checkpoint and starting the shards; batches wait for `restored`. */
  | { readonly status: 'restoring'; readonly assignment: readonly TopicPartition[]; readonly restored: Promise<void> }
  /** Re-reading up to the committed offsets, outputs suppressed. */
  | { readonly status: 'recovering'; readonly assignment: readonly TopicPartition[]; readonly run: Run; readonly hold: RecoveryHold }
  | { readonly status: 'live'; readonly assignment: readonly TopicPartition[]; readonly run: Run }
  /** No more input. `final`: the run was live, it commits once more (with a checkpoint). */
  | { readonly status: 'stopping'; readonly run: Run | undefined; readonly final: boolean }
  | { readonly status: 'stopped' };

export type Status = ServiceState['status'];

/** The run a state holds, if any. */
export function runOf(s: ServiceState): Run | undefined {
  switch (s.status) {
    case 'recovering':
    case 'live':
    case 'stopping':
      return s.run;
    case 'starting':
    case 'standby':
    case 'restoring':
    case 'stopped':
      return undefined;
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** The run `from` holds that `to` does not: the one a transition retires. */
export function leftBehind(from: ServiceState, to: ServiceState): Run | undefined {
  const run = runOf(from);
  return run !== undefined && runOf(to) !== run ? run : undefined;
}

/** States that take input: the run whose batches are applied. */
export function consuming(s: ServiceState): Extract<ServiceState, { status: 'recovering' | 'live' }> | undefined {
  return s.status === 'recovering' || s.status === 'live' ? s : undefined;
}
