// The schema registry over HTTPS with basic auth and a private CA: trusted through
// NODE_EXTRA_CA_CERTS (Node's trust store, read when the process starts: hence a child
// process per case), the registration is sent with the credentials; without the CA the start
// fails at once with CEP_ERR_REGISTRY naming the certificate problem. The CA and the server
// certificate are made with openssl for this test only.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cepheus-reg-tls-'));
const seen: string[] = [];
let server: Server | undefined;
let url = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** Registers a schema from a fresh process (NODE_EXTRA_CA_CERTS as given); its stdout and stderr. */
async function register(extraCa: string | undefined): Promise<{ out: string; err: string }> {
  // In the repository, where its packages resolve.
  mkdirSync('.run', { recursive: true });
  const script = join(mkdtempSync(join(resolve('.run'), 'reg-tls-')), 'register.ts');
  writeFileSync(script, [
    `import { pino } from 'pino';`,
    `import { SchemaResolver, registryClient } from ${JSON.stringify(pathToFileURL(resolve('src/kafka/registry.ts')).href)};`,
    `const r = new SchemaResolver(registryClient({ url: ${JSON.stringify(url)}, username: 'svc', password: 'reg-pw-123' }), pino({ level: 'silent' }));`,
    `try { console.log('id', await r.register('{"type":"record","name":"A","fields":[]}', 'a-value')); } catch (e) { console.error(e.message); }`,
  ].join('\n'));
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  if (extraCa !== undefined) env['NODE_EXTRA_CA_CERTS'] = extraCa;
  // Not spawnSync: the server in this process must answer meanwhile.
  return new Promise((done) => {
    execFile(process.execPath, [script], { cwd: resolve('.'), env, encoding: 'utf8', timeout: 30_000 }, (_e, stdout, stderr) => done({ out: stdout.trim(), err: stderr.trim() }));
  });
}

describe('schema registry over HTTPS', () => {
  beforeAll(async () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
    writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'ext', '-out', 'server.pem');
    server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? 'none'}`);
      res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
      res.end(req.url?.startsWith('/config/') ? '{"compatibilityLevel":"BACKWARD","compatibility":"BACKWARD"}' : req.method === 'POST' ? '{"id":9}' : '{"is_compatible":true}');
    });
    const s = server;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(() => server?.close());

  it('with the CA in NODE_EXTRA_CA_CERTS: registered, every request with the credentials', async () => {
    expect(await register(join(dir, 'ca.pem'))).toEqual({ out: 'id 9', err: '' });
    const basic = `Basic ${Buffer.from('svc:reg-pw-123').toString('base64')}`;
    expect([seen.length > 0, seen.filter((l) => !l.endsWith(basic))]).toEqual([true, []]);
  }, 40_000);

  it('without it: CEP_ERR_REGISTRY naming the certificate problem and what to set', async () => {
    const r = await register(undefined);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      `CEP_ERR_REGISTRY: the TLS handshake with the schema registry ${url} failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca`,
      "  - for a private CA start the service with NODE_EXTRA_CA_CERTS=<ca.pem> (Node's trust store, used for every HTTPS request)",
    ]);
  }, 40_000);
});
