// Secrets in the config: every password is given inline (`password`, also from a CEPHEUS_*
// variable) or read from a file at start (`passwordFile`: a mounted secret, never the command
// line), and no secret leaves the process in what it logs: every log line is scrubbed of the
// secret values themselves (an error message quoting a password, a URL with credentials)
// before it is written.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const REDACTED = '[redacted]';

/** The two ways to give a password, spread into a settings object. */
export const PASSWORD_FIELDS = { password: z.string().min(1).optional(), passwordFile: z.string().min(1).optional() };

interface PasswordIn {
  readonly password?: string | undefined;
  readonly passwordFile?: string | undefined;
}

/**
 * A transform that resolves `password` / `passwordFile` (read at start) into `password`:
 * exactly one of them when `required`, at most one otherwise.
 */
export function resolvePassword(required: true): <V extends PasswordIn>(v: V, ctx: z.core.$RefinementCtx<V>) => V & { password: string };
export function resolvePassword(required: false): <V extends PasswordIn>(v: V, ctx: z.core.$RefinementCtx<V>) => V;
export function resolvePassword(required: boolean) {
  return <V extends PasswordIn>(v: V, ctx: z.core.$RefinementCtx<V>): V => {
    if (v.password !== undefined && v.passwordFile !== undefined) {
      ctx.issues.push({ code: 'custom', input: v, path: ['password'], message: 'expected one of password or passwordFile, not both' });
      return z.NEVER;
    }
    if (v.passwordFile === undefined) {
      if (required && v.password === undefined) {
        ctx.issues.push({ code: 'custom', input: v, path: ['password'], message: 'expected password or passwordFile (a file holding the password, read at start)' });
        return z.NEVER;
      }
      return v;
    }
    let text: string;
    try {
      text = readFileSync(v.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: v, path: ['passwordFile'], message: `cannot read ${v.passwordFile}: ${err instanceof Error ? err.message : String(err)}` });
      return z.NEVER;
    }
    if (text === '') {
      ctx.issues.push({ code: 'custom', input: v, path: ['passwordFile'], message: `${v.passwordFile} is empty` });
      return z.NEVER;
    }
    return { ...v, password: text };
  };
}

/** Every secret value in a config: passwords anywhere, and the API tokens. */
export function secretsOf(config: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, path: readonly string[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (typeof v === 'object' && v !== null) {
      const tokens = path.length === 2 && path[0] === 'api' && path[1] === 'tokens';
      for (const [k, x] of Object.entries(v)) {
        if (tokens) out.add(k);
        if (k === 'password' && typeof x === 'string') out.add(x);
        else walk(x, [...path, k]);
      }
    }
  };
  walk(config, []);
  // A very short "secret" would blank out ordinary words of every line.
  return [...out].filter((s) => s.length >= 4);
}

/** Replaces every secret (as written, and as it appears inside a JSON string) in a line. */
export function scrubber(secrets: readonly string[]): (line: string) => string {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const f of forms) if (out.includes(f)) out = out.replaceAll(f, REDACTED);
    return out;
  };
}
