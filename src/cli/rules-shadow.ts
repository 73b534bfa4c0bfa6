// `cepheus rules shadow | shadow-diff | promote | discard`: shadow mode of a running service,
// through its REST API (admin token for changes, read token for the diff). A candidate version
// of one rule runs beside the live one from an event-time boundary, its alerts kept apart; the
// diff pairs its alerts with the live version's by key and matched event ids.
import { Command } from 'commander';
import type { ChangeRecord, RuleRef } from '../core/control-log.ts';
import type { DiffAlert } from '../core/shadow.ts';
import type { ShadowReport, ShadowResult } from '../http/rule-control.ts';
import { bundleFromSpecs } from '../rules/bundle.ts';
import { printError } from './common.ts';
import { apiOptions, at, call, changeLine } from './rules-deploy.ts';
import type { ApiOptions } from './rules-deploy.ts';

const ref = (r: RuleRef | null): string => (r === null ? '(no live rule)' : `${r.id}@${r.version}`);
const line = (a: DiffAlert): string => `${a.id}  ${a.key.padEnd(14)} detected ${new Date(a.detectedAtEventTime).toISOString()}  events ${a.events.join(',')}`;

export function rulesShadowCommand(): Command {
  return apiOptions(new Command('shadow'))
    .description('run a candidate version of one rule in shadow beside the live one, from an event-time boundary: validated like a deploy, alerts to the shadow topic only')
    .argument('<paths...>', 'rule module files and folders: exactly one rule in them differs (in version) from the live rule set')
    .option('--comment <text>', 'why (kept in the change and the audit log)', '')
    .action(async (paths: string[], o: ApiOptions & { comment: string }) => {
      try {
        const bundle = bundleFromSpecs(paths);
        const r = await call(o, 'POST', '/api/v1/rule-shadows', { files: bundle.files, comment: o.comment });
        if (r['proposal'] !== undefined) {
          const p = r['proposal'] as { id: string; expiresAt: number };
          console.log(`proposed ${p.id}: shadow of bundle ${bundle.hash.slice(0, 12)}; it applies once another admin approves it (cepheus rules approve ${p.id}) before ${new Date(p.expiresAt).toISOString()}`);
          return;
        }
        const s = r as unknown as ShadowResult;
        console.log(`shadow ${ref(s.candidate)} beside ${ref(s.live)} as change #${s.change.seq}: runs from event time ${at(s.change.at)} on every shard, alerts to the shadow topic`);
        console.log(`  dry run: ${s.dryRun.events} events of the bundled fixture, ${Object.values(s.dryRun.alertsByRule).reduce((a, b) => a + b, 0)} alerts, no rule error`);
      } catch (err) {
        printError(err);
      }
    });
}

export function rulesShadowDiffCommand(): Command {
  return apiOptions(new Command('shadow-diff'))
    .description("a rule's candidate in shadow against its live version from the shadow's boundary on: alerts only in live, only in shadow, and in both (paired by key and matched event ids)")
    .argument('<ruleId>', 'the rule')
    .option('--json', 'print JSON')
    .action(async (id: string, o: ApiOptions & { json?: boolean }) => {
      try {
        const r = (await call(o, 'GET', `/api/v1/rules/${encodeURIComponent(id)}/shadow`)) as unknown as ShadowReport;
        if (o.json) {
          console.log(JSON.stringify(r, null, 2));
          return;
        }
        const sh = r.shadow;
        console.log(`${id}: candidate v${sh.version} (bundle ${sh.bundle.slice(0, 12)}, change #${sh.seq} by ${sh.actor}) beside ${ref(r.live)} since event time ${at(sh.at)}`);
        if (r.state !== null) console.log(`  candidate state: ${r.state.stateKeys} keys, ${r.state.held} partial matches, ${r.state.stats.eventsSeen} events seen`);
        console.log(`  alerts: ${r.counts.live} live, ${r.counts.shadow} shadow; ${r.counts.both} in both, ${r.counts.onlyLive} only live, ${r.counts.onlyShadow} only shadow`);
        console.log(`only live (${r.onlyLive.length}):`);
        for (const a of r.onlyLive) console.log(`  ${line(a)}`);
        console.log(`only shadow (${r.onlyShadow.length}):`);
        for (const a of r.onlyShadow) console.log(`  ${line(a)}`);
        console.log(`both (${r.both.length}): live id -> shadow id`);
        for (const p of r.both) console.log(`  ${p.live.id} -> ${p.shadow.id}  ${p.live.key}`);
      } catch (err) {
        printError(err);
      }
    });
}

/** `rules promote <ruleId>` and `rules discard <ruleId>`. */
export function rulesEndShadowCommand(kind: 'promote' | 'discard'): Command {
  return apiOptions(new Command(kind))
    .description(kind === 'promote'
      ? "the rule's candidate in shadow replaces its live version at the next event-time boundary, keeping the candidate's state"
      : "drop the rule's candidate in shadow, and its state, at the next event-time boundary")
    .argument('<ruleId>', 'the rule')
    .option('--comment <text>', 'why (kept in the change and the audit log)', '')
    .action(async (id: string, o: ApiOptions & { comment: string }) => {
      try {
        const r = await call(o, 'POST', `/api/v1/rules/${encodeURIComponent(id)}/shadow/${kind}`, { comment: o.comment });
        if (r['proposal'] !== undefined) {
          const p = r['proposal'] as { id: string; expiresAt: number };
          console.log(`proposed ${p.id}: ${kind} ${id}; it applies once another admin approves it (cepheus rules approve ${p.id}) before ${new Date(p.expiresAt).toISOString()}`);
          return;
        }
        console.log(`${kind === 'promote' ? 'promoted' : 'discarded'}: ${changeLine(r['change'] as ChangeRecord)}`);
      } catch (err) {
        printError(err);
      }
    });
}
