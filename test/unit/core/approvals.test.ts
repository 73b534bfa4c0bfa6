// Four eyes as a state machine: whole outcomes for each command in each state.
import { describe, expect, it } from 'vitest';
import { decideProposal, proposalAt } from '../../../src/core/approvals.ts';
import type { Proposal } from '../../../src/core/approvals.ts';

const p: Proposal<string> = { id: 'p1', change: 'deploy', proposer: 'ana', createdAt: 0, expiresAt: 1000, status: 'pending', decidedBy: null };
const code = (o: ReturnType<typeof decideProposal>): string => (o.ok ? `${o.proposal.status}:${String(o.apply)}` : o.code);

describe('rule change proposals', () => {
  it('apply once another admin approves before expiry; never by the proposer; expire; close once decided', () => {
    expect([
      code(decideProposal(p, { kind: 'approve', by: 'ana' }, 10)),
      code(decideProposal(p, { kind: 'approve', by: 'bo' }, 10)),
      code(decideProposal(p, { kind: 'reject', by: 'ana' }, 10)),
      code(decideProposal(p, { kind: 'approve', by: 'bo' }, 1000)),
      code(decideProposal({ ...p, status: 'approved', decidedBy: 'bo' }, { kind: 'approve', by: 'cy' }, 10)),
      code(decideProposal({ ...p, status: 'rejected', decidedBy: 'bo' }, { kind: 'reject', by: 'cy' }, 10)),
    ]).toEqual(['CEP_ERR_APPROVAL_SELF', 'approved:true', 'rejected:false', 'CEP_ERR_PROPOSAL_EXPIRED', 'CEP_ERR_PROPOSAL_CLOSED', 'CEP_ERR_PROPOSAL_CLOSED']);
    expect(decideProposal(p, { kind: 'approve', by: 'bo' }, 10)).toEqual({ ok: true, apply: true, proposal: { ...p, status: 'approved', decidedBy: 'bo' } });
    expect([proposalAt(p, 999).status, proposalAt(p, 1000).status]).toEqual(['pending', 'expired']);
  });
});
