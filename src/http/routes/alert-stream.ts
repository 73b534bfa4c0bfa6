// Server-Sent Events: every alert stored after the client connected, filterable by rule, key
// and severity; a comment line every heartbeat keeps proxies from closing the connection.
import type { FastifyInstance } from 'fastify';
import type { Severity } from '../../core/rule-types.ts';
import type { AlertSummary } from '../../store/alert-store.ts';
import type { RouteContext } from '../context.ts';
import { ALERT_FILTERS } from './alerts.ts';

export function alertStreamRoute(app: FastifyInstance, c: RouteContext, heartbeatMs: number): void {
  app.get<{ Querystring: { rule?: string; key?: string; severity?: Severity } }>('/api/v1/alerts/stream', {
    preHandler: c.read,
    schema: {
      summary: 'Server-Sent Events: alerts stored after the client connected (`event: alert`), filterable. EventSource cannot send headers: pass ?token=',
      querystring: { type: 'object', additionalProperties: false, properties: { rule: ALERT_FILTERS.rule, key: ALERT_FILTERS.key, severity: ALERT_FILTERS.severity, token: { type: 'string' } } },
    },
  }, (req, reply) => {
    const q = req.query;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const unsubscribe = c.bus.subscribe((a: AlertSummary) => {
      if ((q.rule !== undefined && a.ruleId !== q.rule) || (q.key !== undefined && a.key !== q.key) || (q.severity !== undefined && a.severity !== q.severity)) return;
      res.write(`id: ${a.id}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
