// `cepheus explain <events>`: the timeline of one rule at one key (each event in processing
// order and what it did), or with --expect, why the given events raised no alert.
import { Command } from 'commander';
import { CepError } from '../core/errors.ts';
import { explainFile, explainOutput } from '../explain/run-explain.ts';
import { collect, parseNonNegative, parsePositiveInt, printError } from './common.ts';

interface ExplainCliOptions {
  rules: string[];
  rule: string;
  key: string;
  from?: number;
  to?: number;
  expect: string[];
  json?: boolean;
  flush: boolean;
  outOfOrderMs: number;
  allowedLatenessMs: number;
  maxPartialMatches?: number;
}

/** Epoch milliseconds or an ISO-8601 time. */
export function parseTime(name: string): (value: string) => number {
  return (value: string) => {
    const n = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(n)) throw new CepError('CEP_ERR_CLI_ARG', `${name} must be epoch milliseconds or an ISO-8601 time (got '${value}')`);
    return n;
  };
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('why a rule fired, or did not, at one key: each event in processing order and what it did (opened, advanced or skipped a partial match and why, with the values its predicates read; late; window decisions; skip strategy and cap drops; expiries)')
    .argument('<events>', 'event file: .avro (Avro object container) or .jsonl')
    .requiredOption('--rule <id>', 'the rule to explain')
    .requiredOption('--key <key>', "the key to follow (the rule's key space: account, IP, instrument...)")
    .option('--rules <spec>', 'bundled rule id, rule module or folder; repeatable or comma-separated (default: all bundled rules)', collect, [])
    .option('--from <time>', 'show the timeline from this event time (epoch ms or ISO-8601)', parseTime('--from'))
    .option('--to <time>', 'end the input at this event time: the timeline and the state are as of then', parseTime('--to'))
    .option('--expect <ids>', 'event ids that should have raised an alert: say where that candidate failed, in one sentence, with the evidence', collect, [])
    .option('--json', 'print JSON (the explanation, and the verdict for --expect)')
    .option('--no-flush', 'at the end of the input keep buffered events and pending deadlines, as a live engine would (the state then matches the service\'s)')
    .option('--out-of-order-ms <ms>', 'watermark lag behind the largest event time (as replay)', parseNonNegative('--out-of-order-ms'), 5000)
    .option('--allowed-lateness-ms <ms>', 'how far behind the watermark an event is still processed', parseNonNegative('--allowed-lateness-ms'), 0)
    .option('--max-partial-matches <n>', 'bound on partial matches per (rule, key)', parsePositiveInt('--max-partial-matches'))
    .addHelpText('after', `
Examples:
  cepheus explain fixtures/default.avro --rule account-takeover --key AC0621164
  cepheus explain fixtures/default.avro --rule brute-force --key AC2202673 --expect ev-1,ev-2,ev-3`)
    .action(async (file: string, opts: ExplainCliOptions) => {
      try {
        const run = await explainFile(file, {
          rules: opts.rules, rule: opts.rule, key: opts.key, expect: opts.expect, end: opts.flush ? 'flush' : 'hold',
          ...(opts.from === undefined ? {} : { from: opts.from }), ...(opts.to === undefined ? {} : { to: opts.to }),
          engine: {
            outOfOrdernessMs: opts.outOfOrderMs, allowedLatenessMs: opts.allowedLatenessMs,
            ...(opts.maxPartialMatches === undefined ? {} : { maxPartialMatches: opts.maxPartialMatches }),
          },
        });
        if (run.inputErrors > 0) console.error(`${run.inputErrors} unreadable record(s) skipped (cepheus replay lists them)`);
        process.stdout.write(explainOutput(run, opts.json === true));
      } catch (err) {
        printError(err);
      }
    });
}
