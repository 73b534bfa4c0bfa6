// Four eyes for rule changes (`rules.approvals: 2`): a change one admin proposes applies only
// when a different admin approves it before it expires. Pure: the proposal's life as a state
// machine over (proposal, command, time); the caller applies the change when told to.
//
//   pending ──approve (another admin, before expiresAt)──► approved  (apply the change)
//      │ └───reject (any admin)─────────────────────────► rejected
//      └────(now >= expiresAt)──────────────────────────► expired
import type { ErrorCode } from './errors.ts';

export interface Proposal<T> {
  readonly id: string;
  /** The change to apply once approved. */
  readonly change: T;
  readonly proposer: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  /** Who approved or rejected it. */
  readonly decidedBy: string | null;
}

export type ProposalCommand = { readonly kind: 'approve'; readonly by: string } | { readonly kind: 'reject'; readonly by: string };

export type ProposalOutcome<T> =
  | { readonly ok: true; readonly proposal: Proposal<T>; readonly apply: boolean }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** The proposal as of `now` (pending ones past their expiry are expired). */
export function proposalAt<T>(p: Proposal<T>, now: number): Proposal<T> {
  return p.status === 'pending' && now >= p.expiresAt ? { ...p, status: 'expired' } : p;
}

export function decideProposal<T>(p: Proposal<T>, c: ProposalCommand, now: number): ProposalOutcome<T> {
  const cur = proposalAt(p, now);
  switch (cur.status) {
    case 'expired':
      return { ok: false, code: 'CEP_ERR_PROPOSAL_EXPIRED', message: `proposal ${p.id} expired at ${new Date(p.expiresAt).toISOString()} unapproved; propose the change again` };
    case 'approved':
    case 'rejected':
      return { ok: false, code: 'CEP_ERR_PROPOSAL_CLOSED', message: `proposal ${p.id} was already ${cur.status} by ${cur.decidedBy ?? '?'}` };
    case 'pending':
      break;
    default: {
      const never: never = cur.status;
      throw new Error(`unknown proposal status ${String(never)}`);
    }
  }
  switch (c.kind) {
    case 'approve':
      if (c.by === p.proposer) return { ok: false, code: 'CEP_ERR_APPROVAL_SELF', message: `${c.by} proposed ${p.id} and cannot approve it: four eyes (rules.approvals: 2) needs another admin` };
      return { ok: true, proposal: { ...cur, status: 'approved', decidedBy: c.by }, apply: true };
    case 'reject':
      return { ok: true, proposal: { ...cur, status: 'rejected', decidedBy: c.by }, apply: false };
    default: {
      const never: never = c;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}
