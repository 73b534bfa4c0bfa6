// The console's API client: the token from ?token= (sent as a bearer header; EventSource gets
// it in the query, as it cannot send headers), JSON in and out, errors as Error(code: message).
export const token = new URLSearchParams(location.search).get('token') ?? '';
const headers = { authorization: `Bearer ${token}` };

async function call(method, path, body) {
  const r = await fetch(path, { method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : `${path}: ${r.status}`);
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body ?? {});

/** Server-Sent Events of new (`alert`) and changed (`alert-updated`) alerts. */
export function stream(onNew, onChanged, onState) {
  const es = new EventSource(`/api/v1/alerts/stream?token=${encodeURIComponent(token)}`);
  es.addEventListener('open', () => onState('live'));
  es.addEventListener('error', () => onState('reconnecting…'));
  es.addEventListener('alert', (ev) => onNew(JSON.parse(ev.data)));
  es.addEventListener('alert-updated', (ev) => onChanged(JSON.parse(ev.data)));
  return es;
}
