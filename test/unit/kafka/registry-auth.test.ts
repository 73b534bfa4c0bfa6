// The schema registry with basic auth: every request the service makes (the client library's
// schema lookups and registrations, and our own compatibility lookup) carries the configured
// user and the password read from passwordFile. Over HTTP here: a registry with basic auth
// over HTTPS is configured the same way (a private CA through NODE_EXTRA_CA_CERTS).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { SchemaResolver, registryClient } from '../../../src/kafka/registry.ts';

describe('schema registry basic auth', () => {
  it('sends the user and the password from passwordFile on every request', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? 'none'}`);
      res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
      if (req.url?.startsWith('/config/')) res.end('{"compatibilityLevel":"BACKWARD","compatibility":"BACKWARD"}');
      else if (req.method === 'POST') res.end('{"id":7}');
      else res.end('{"is_compatible":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'cepheus-reg-'));
      writeFileSync(join(dir, 'pw'), 'reg-s3cret\n');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const c = validateConfig({ kafka: { brokers: ['h:1'] }, registry: { url, username: 'svc', passwordFile: join(dir, 'pw') }, topics: { login: 'l' }, output: { alerts: 'a', deadLetter: 'd', state: 's' } });
      if (c.registry === null) throw new Error('no registry');
      const resolver = new SchemaResolver(registryClient(c.registry), pino({ level: 'silent' }));
      expect(await resolver.register('{"type":"record","name":"A","fields":[]}', 'a-value')).toBe(7);
      const basic = `Basic ${Buffer.from('svc:reg-s3cret').toString('base64')}`;
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.filter((l) => !l.endsWith(basic))).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe('schema registry refusing the credentials', () => {
  it('stops the registration with CEP_ERR_REGISTRY naming the user and what to set', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 401;
      res.end('{"error_code":401,"message":"Unauthorized"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const resolver = new SchemaResolver(registryClient({ url, username: 'svc', password: 'wrong-pw-99' }), pino({ level: 'silent' }));
      const err = await resolver.register('{"type":"record","name":"A","fields":[]}', 'a-value').catch((e: unknown) => e);
      expect(err instanceof Error ? err.message.split('\n') : err).toEqual([
        `CEP_ERR_REGISTRY: schema registry ${url}: GET /config/a-value answered 401: the registry refused user svc`,
        '  - set registry.username and registry.password (or passwordFile, or CEPHEUS_REGISTRY_USERNAME / CEPHEUS_REGISTRY_PASSWORD / _FILE)',
      ]);
    } finally {
      server.close();
    }
  });
});
