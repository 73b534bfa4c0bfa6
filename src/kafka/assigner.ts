// Partition assignment for an active / standby group: every partition of every subscribed
// topic goes to ONE member, the one that has been running longest (its start time travels in
// the member metadata); other members stand by with nothing and take over when it leaves.
// A rebalance therefore never moves state between live instances, and the transactional id
// (the same for every member) fences a former active that still thinks it is active.
//
// Scaling out by splitting partitions needs per-partition state and repartition topics for
// rules keyed differently from their topics: not in this release (docs/architecture.md).
import { AssignerProtocol } from 'kafkajs';
import type { GroupMember, GroupMemberAssignment, PartitionAssigner } from 'kafkajs';

export const SINGLE_ACTIVE = 'CepheusSingleActive';

interface MemberInfo {
  readonly startedAt: number;
  readonly instance: string;
}

function infoOf(metadata: Buffer): MemberInfo {
  try {
    const { userData } = AssignerProtocol.MemberMetadata.decode(metadata) ?? { userData: Buffer.alloc(0) };
    const o = JSON.parse(userData.toString('utf8')) as Partial<MemberInfo>;
    return { startedAt: typeof o.startedAt === 'number' ? o.startedAt : Number.MAX_SAFE_INTEGER, instance: typeof o.instance === 'string' ? o.instance : '' };
  } catch {
    return { startedAt: Number.MAX_SAFE_INTEGER, instance: '' };
  }
}

/** Member metadata carrying the member's start time and name. */
export function memberMetadata(topics: readonly string[], startedAt: number, instance: string): Buffer {
  return AssignerProtocol.MemberMetadata.encode({ version: 1, topics: [...topics], userData: Buffer.from(JSON.stringify({ startedAt, instance })) });
}

/** Everything to the longest-running member (ties: lowest member id), nothing to the others. */
export function assignAll(members: readonly GroupMember[], partitions: ReadonlyMap<string, readonly number[]>): GroupMemberAssignment[] {
  const ranked = [...members].sort((a, b) => {
    const x = infoOf(a.memberMetadata);
    const y = infoOf(b.memberMetadata);
    return x.startedAt - y.startedAt || (a.memberId < b.memberId ? -1 : 1);
  });
  const active = ranked[0];
  const assignment: Record<string, number[]> = {};
  for (const [topic, ps] of partitions) assignment[topic] = [...ps].sort((a, b) => a - b);
  return ranked.map((m) => ({
    memberId: m.memberId,
    memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: m === active ? assignment : {}, userData: Buffer.alloc(0) }),
  }));
}

/** The assigner; `startedAt` (wall ms) orders members, `instance` names this one in logs. */
export function singleActiveAssigner(startedAt: number, instance: string): PartitionAssigner {
  return ({ cluster }) => ({
    name: SINGLE_ACTIVE,
    version: 1,
    assign: ({ members, topics }) => Promise.resolve(assignAll(members, new Map(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((p) => p.partitionId)])))),
    protocol: ({ topics }) => ({ name: SINGLE_ACTIVE, metadata: memberMetadata(topics, startedAt, instance) }),
  });
}
