// Server-Sent Events: every alert stored after the client connected (`event: alert`) and every
// change to an alert's status, assignee or notes, whoever made it (`event: alert-updated`, the
// new summary), filterable by rule, key and severity; a comment line every heartbeat keeps
// proxies from closing the connection.
import type { FastifyInstance } from 'fastify';
import type { AlertSummary } from '../../store/alert-store.ts';
import type { RouteContext } from '../context.ts';
import { ALERT_FILTERS } from './alerts.ts';

export function alertStreamRoute(app: FastifyInstance, c: RouteContext, heartbeatMs: number): void {
  app.get<{ Querystring: { rule?: string; key?: string; severity?: string } }>('/api/v1/alerts/stream', {
    preHandler: c.read,
    schema: {
      summary: 'Server-Sent Events: alerts stored after the client connected (`event: alert`) and changes to any alert (`event: alert-updated`), filterable (lists comma-separated). EventSource cannot send headers: pass ?token=',
      querystring: { type: 'object', additionalProperties: false, properties: { rule: ALERT_FILTERS.rule, key: ALERT_FILTERS.key, severity: ALERT_FILTERS.severity, token: { type: 'string' } } },
    },
  }, (req, reply) => {
    const rules = req.query.rule?.split(',');
    const severities = req.query.severity?.split(',');
    const key = req.query.key;
    const wanted = (a: AlertSummary): boolean => (rules === undefined || rules.includes(a.ruleId)) && (key === undefined || a.key === key) && (severities === undefined || severities.includes(a.severity));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const send = (event: string) => (a: AlertSummary): void => {
      if (wanted(a)) res.write(`id: ${a.id}\nevent: ${event}\ndata: ${JSON.stringify(a)}\n\n`);
    };
    const offNew = c.bus.subscribe(send('alert'));
    const offChanged = c.store.watch(send('alert-updated'));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      offNew();
      offChanged();
    });
  });
}
