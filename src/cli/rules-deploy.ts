// `cepheus rules deploy | changes | approve`: the rule lifecycle of a running service, through its
// REST API (admin token for changes, read token to list): what is deployed is the bundle of the
// given files and folders (their sources, never a path), validated by the service before
// anything changes. The token comes from --token or CEPHEUS_API_TOKEN; the changes are
// attributed to the token's name, never to a name given here.
import { Command } from 'commander';
import type { ChangeRecord, RuleRef, RuleSetView } from '../core/control-log.ts';
import type { ProposalView } from '../http/rule-control.ts';
import { CepError, isErrorCode } from '../core/errors.ts';
import { loadConfig } from '../config/config.ts';
import { bundleFromSpecs } from '../rules/bundle.ts';
import { printError } from './common.ts';

export interface ApiOptions {
  config?: string;
  url?: string;
  token?: string;
}

export const apiOptions = (c: Command): Command => c
  .option('--config <file>', 'the service config (its api.host and api.port)')
  .option('--url <url>', 'the service API (default: from --config, else http://127.0.0.1:8080)')
  .option('--token <token>', 'API token (default: CEPHEUS_API_TOKEN)');

export async function call(o: ApiOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const cfg = o.config === undefined ? undefined : loadConfig(o.config);
  const base = o.url ?? (cfg === undefined ? 'http://127.0.0.1:8080' : `http://${cfg.api.host}:${cfg.api.port}`);
  const token = o.token ?? process.env['CEPHEUS_API_TOKEN'];
  if (token === undefined || token === '') throw new CepError('CEP_ERR_CLI_ARG', 'no API token: pass --token or set CEPHEUS_API_TOKEN (an admin token to change rules)');
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    throw new CepError('CEP_ERR_API_UNREACHABLE', `no Cepheus API answers at ${base}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = (await res.json()) as Record<string, unknown>;
  const e = json['error'] as { code: string; message: string } | undefined;
  if (e !== undefined) throw isErrorCode(e.code) ? new CepError(e.code, e.message) : new Error(`${e.code}: ${e.message}`);
  return json;
}

export const at = (ms: number | null): string => (ms === null ? 'the start' : new Date(ms).toISOString());
const refs = (xs: readonly RuleRef[]): string => (xs.length === 0 ? '-' : xs.map((r) => `${r.id}@${r.version}`).join(', '));

/** One line per change, as `cepheus rules changes` prints them. */
export function changeLine(c: ChangeRecord): string {
  const what = c.action === 'deploy' ? `deploy bundle v${c.version} ${(c.bundle ?? '').slice(0, 12)}`
    : c.action === 'shadow' ? `shadow ${c.rule ?? ''} ${(c.bundle ?? '').slice(0, 12)}` : `${c.action} ${c.rule ?? ''}`;
  return `#${c.seq}  ${new Date(c.time).toISOString()}  ${what.padEnd(34)} at ${at(c.at)}  by ${c.actor}${c.approvedBy === null ? '' : ` approved by ${c.approvedBy}`}${c.comment === '' ? '' : `  "${c.comment}"`}`;
}

export function rulesDeployCommand(): Command {
  return apiOptions(new Command('deploy'))
    .description('deploy rule modules (files, folders) to a running service: validated, applied at an event-time boundary, kept in the control topic')
    .argument('<paths...>', 'rule module files and folders: the whole new rule set')
    .option('--comment <text>', 'why (kept in the change and the audit log)', '')
    .action(async (paths: string[], o: ApiOptions & { comment: string }) => {
      try {
        const bundle = bundleFromSpecs(paths);
        const r = await call(o, 'POST', '/api/v1/rule-bundles', { files: bundle.files, comment: o.comment });
        if (r['proposal'] !== undefined) {
          const p = r['proposal'] as { id: string; expiresAt: number };
          console.log(`proposed ${p.id}: bundle ${bundle.hash.slice(0, 12)} (${bundle.bytes} bytes); it applies once another admin approves it (cepheus rules approve ${p.id} with another admin's token) before ${new Date(p.expiresAt).toISOString()}`);
          return;
        }
        const c = r['change'] as ChangeRecord;
        const d = r['diff'] as { added: RuleRef[]; removed: RuleRef[]; changed: { id: string; from: number; to: number }[]; unchanged: RuleRef[] };
        const dry = r['dryRun'] as { events: number; alertsByRule: Record<string, number> };
        console.log(`deployed bundle v${c.version} ${(c.bundle ?? '').slice(0, 12)} (${bundle.bytes} bytes) as change #${c.seq}: applies at event time ${at(c.at)} on every shard`);
        console.log(`  added:     ${refs(d.added)}`);
        console.log(`  changed:   ${d.changed.length === 0 ? '-' : d.changed.map((x) => `${x.id} v${x.from} -> v${x.to} (starts empty)`).join(', ')}`);
        console.log(`  removed:   ${refs(d.removed)}`);
        console.log(`  unchanged: ${d.unchanged.length} rule(s), state kept`);
        console.log(`  dry run:   ${dry.events} events of the bundled fixture, ${Object.values(dry.alertsByRule).reduce((a, b) => a + b, 0)} alerts, no rule error`);
      } catch (err) {
        printError(err);
      }
    });
}

export function rulesChangesCommand(): Command {
  return apiOptions(new Command('changes'))
    .description('the rule set in force and every change of the control log, oldest first')
    .option('--json', 'print JSON')
    .option('--proposals', 'also the proposals waiting for a second admin (rules.approvals: 2)')
    .action(async (o: ApiOptions & { json?: boolean; proposals?: boolean }) => {
      try {
        const r = await call(o, 'GET', '/api/v1/rule-bundles');
        const p = o.proposals === true ? ((await call(o, 'GET', '/api/v1/rule-proposals'))['items'] as ProposalView[]) : [];
        if (o.json) {
          console.log(JSON.stringify(o.proposals === true ? { ...r, proposals: p } : r, null, 2));
          return;
        }
        for (const x of p) console.log(`${x.id}  ${x.status.padEnd(8)} ${x.action} ${x.rule ?? (x.bundle ?? '').slice(0, 12)} by ${x.proposer}${x.decidedBy === null ? '' : `, ${x.status} by ${x.decidedBy}`}, expires ${new Date(x.expiresAt).toISOString()}`);
        const cur = r['current'] as RuleSetView;
        for (const c of r['changes'] as ChangeRecord[]) console.log(changeLine(c));
        const promoted = Object.entries(cur.promoted).map(([id, b]) => `${id}@${cur.rules.find((x) => x.id === id)?.version ?? '?'} from ${b.slice(0, 12)}`);
        const shadows = cur.shadows.map((s) => `${s.rule}@${s.version} since ${at(s.at)}`);
        console.log(`in force: bundle v${cur.version} ${(cur.bundle ?? '').slice(0, 12)}, ${cur.rules.length} rules${cur.disabled.length === 0 ? '' : `, disabled: ${cur.disabled.join(', ')}`}`
          + `${promoted.length === 0 ? '' : `, promoted: ${promoted.join(', ')}`}${shadows.length === 0 ? '' : `, in shadow: ${shadows.join(', ')}`}`);
      } catch (err) {
        printError(err);
      }
    });
}

/** `rules approve <id>` and `rules reject <id>`: four eyes (rules.approvals: 2). */
export function rulesDecideCommand(kind: 'approve' | 'reject'): Command {
  return apiOptions(new Command(kind))
    .description(kind === 'approve' ? 'approve a proposed rule change (an admin other than its proposer): it applies at the next boundary' : 'reject a proposed rule change: nothing changes')
    .argument('<proposal>', 'the proposal id (cepheus rules changes --proposals)')
    .action(async (id: string, o: ApiOptions) => {
      try {
        const r = await call(o, 'POST', `/api/v1/rule-proposals/${encodeURIComponent(id)}/${kind}`);
        if (kind === 'reject') console.log(`rejected ${id}: nothing changed`);
        else console.log(`approved ${id}: ${changeLine(r['change'] as ChangeRecord)}`);
      } catch (err) {
        printError(err);
      }
    });
}
