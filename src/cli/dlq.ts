// `cepheus dlq list | show | redrive`: the dead-letter (and late) topic of a config, read
// back. `list` selects by time, code and source topic; `show` prints one dead letter whole;
// `redrive` produces the selected records' original key and value into their source topics
// (after a fix, a rule change or a watermark reset), so the service reads them again.
import { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { kafkaClient } from '../kafka/client.ts';
import { deadLetterOf, redrive, selects } from '../kafka/dead-letters.ts';
import type { DeadLetter, Selection } from '../kafka/dead-letters.ts';
import { readTopic } from '../kafka/topic-reader.ts';
import { collect, printError } from './common.ts';

interface SelectOptions {
  config?: string;
  since?: string;
  code: string[];
  sourceTopic: string[];
  json?: boolean;
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO time, or a duration back from `now` (`90s`, `30m`, `2h`, `7d`). */
export function parseSince(value: string, now: number): number {
  const d = /^(\d+)([smhd])$/.exec(value);
  if (d !== null) return now - Number(d[1]) * (UNITS[d[2] as string] as number);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CepError('CEP_ERR_CLI_ARG', `--since must be an ISO time (2026-12-01T09:00:00Z) or a duration (90s, 30m, 2h, 7d); got '${value}'`);
  return t;
}

export function selectionOf(o: SelectOptions, now: number): Selection {
  return { ...(o.since === undefined ? {} : { since: parseSince(o.since, now) }), codes: o.code, sourceTopics: o.sourceTopic };
}

/** The topics dead letters go to: the dead-letter topic, and the late topic when it is another. */
export const deadLetterTopics = (c: Config): string[] => [...new Set([c.output.deadLetter, c.output.late ?? c.output.deadLetter])];

/** One line per dead letter: where, when, code, source, size, message. */
export function formatLine(d: DeadLetter): string {
  const src = d.source === null ? '-' : `${d.source.topic}/${d.source.partition}@${d.source.offset}`;
  const size = d.value === null ? 'null' : `${d.value.length} B${d.truncated ? ' (truncated)' : ''}`;
  return `${d.id}  ${new Date(d.at).toISOString()}  ${d.code}  ${src}  ${size}  ${d.message}`;
}

/** A dead letter as JSON: bytes as base64, plus the value as text when it is printable. */
export function toJson(d: DeadLetter): Record<string, unknown> {
  const text = d.value === null ? null : d.value.toString('utf8');
  return {
    id: d.id, at: new Date(d.at).toISOString(), code: d.code, message: d.message, source: d.source, truncated: d.truncated,
    key: d.key?.toString('base64') ?? null, value: d.value?.toString('base64') ?? null,
    valueText: text !== null && /^[\t\n\r\x20-\x7e]*$/.test(text) ? text : null, headers: d.headers,
  };
}

async function readDeadLetters(c: Config, sel: Selection): Promise<DeadLetter[]> {
  const kafka = kafkaClient(c.kafka, pino({ level: 'warn' }), `${c.kafka.clientId}-dlq`);
  const out: DeadLetter[] = [];
  for (const topic of deadLetterTopics(c)) {
    await readTopic(kafka, topic, { group: `${c.kafka.groupId}.dlq` }, (r) => {
      const d = deadLetterOf(topic, r);
      if (selects(sel, d)) out.push(d);
    });
  }
  return out;
}

const selectOptions = (cmd: Command): Command => cmd
  .option('--config <file>', 'the service config (kafka, output.deadLetter, output.late); CEPHEUS_* variables override it')
  .option('--since <time>', 'only dead letters written since: an ISO time or a duration back from now (30m, 2h, 7d)')
  .option('--code <codes>', 'only these codes (repeatable, comma-separated), e.g. CEP_ERR_LATE_EVENT', collect, [])
  .option('--source-topic <topics>', 'only dead letters of these input topics (repeatable, comma-separated)', collect, []);

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('read the dead-letter topic back: list, show, and redrive records into their source topics');
  dlq.addCommand(selectOptions(new Command('list'))
    .description('list dead letters (one line each, or --json)')
    .option('--json', 'print a JSON array')
    .action(async (o: SelectOptions) => {
      try {
        const c = loadConfig(o.config);
        const letters = await readDeadLetters(c, selectionOf(o, Date.now()));
        if (o.json === true) console.log(JSON.stringify(letters.map(toJson), null, 2));
        else {
          for (const d of letters) console.log(formatLine(d));
          const codes = new Map<string, number>();
          for (const d of letters) codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
          console.log(`${letters.length} dead letter(s) in ${deadLetterTopics(c).join(', ')}${codes.size === 0 ? '' : `: ${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')}`}`);
        }
      } catch (err) {
        printError(err);
      }
    }));
  dlq.addCommand(new Command('show')
    .description('print one dead letter whole (headers, key, value) as JSON')
    .argument('<id>', 'as list prints it: <topic>/<partition>/<offset>')
    .option('--config <file>', 'the service config; CEPHEUS_* variables override it')
    .action(async (id: string, o: { config?: string }) => {
      try {
        const c = loadConfig(o.config);
        const found = (await readDeadLetters(c, {})).find((d) => d.id === id);
        if (found === undefined) throw new CepError('CEP_ERR_CLI_ARG', `no dead letter ${id} in ${deadLetterTopics(c).join(', ')}; ids are <topic>/<partition>/<offset> as \`cepheus dlq list\` prints them`);
        console.log(JSON.stringify(toJson(found), null, 2));
      } catch (err) {
        printError(err);
      }
    }));
  dlq.addCommand(selectOptions(new Command('redrive'))
    .description('produce the selected dead letters\' original key and value back into their source topics')
    .option('--dry-run', 'say what would be redriven, produce nothing')
    .action(async (o: SelectOptions & { dryRun?: boolean }) => {
      try {
        const c = loadConfig(o.config);
        const sel = selectionOf(o, Date.now());
        if (sel.since === undefined && (sel.codes ?? []).length === 0 && (sel.sourceTopics ?? []).length === 0) {
          throw new CepError('CEP_ERR_CLI_ARG', 'redrive needs a selection: --since, --code or --source-topic (redriving everything is rarely meant)');
        }
        const letters = await readDeadLetters(c, sel);
        const kafka = kafkaClient(c.kafka, pino({ level: 'warn' }), `${c.kafka.clientId}-redrive`);
        const r = await redrive(kafka, letters, o.dryRun === true);
        console.log(JSON.stringify({ selected: letters.length, dryRun: o.dryRun === true, ...r }, null, 2));
      } catch (err) {
        printError(err);
      }
    }));
  return dlq;
}
