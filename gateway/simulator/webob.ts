/**
 * WebOb's own error pages (webob.exc.WSGIHTTPException.generate_response, WebOb 1.8), used
 * where a webob exception is returned as-is rather than wrapped in a Nova Fault: the router
 * 404, the sizelimit 413, and Glance's errors. The body format follows the Accept header:
 * text/html or application/json when acceptable (html preferred), else text/plain.
 */
import { defaultFaultMessage } from '../nova/fault';
import { pythonJsonDumps } from '../nova/pythonJson';
import { reply, type HeaderList, type Reply } from './reply';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
};

export function webobError(status: number, accept: string | undefined, explanation?: string, extra: HeaderList = []): Reply {
  const title = TITLES[status] ?? 'Error';
  const statusLine = `${status} ${title}`;
  const text = explanation ?? defaultFaultMessage(status) ?? '';
  const body = `${text}<br /><br />\n\n`;
  switch (preferredErrorType(accept)) {
    case 'text/html':
      return reply(status, [['Content-Type', 'text/html; charset=UTF-8'], ...extra], htmlPage(statusLine, escapeHtml(text)));
    case 'application/json':
      return reply(
        status,
        [['Content-Type', 'application/json'], ...extra],
        pythonJsonDumps({ message: body, code: statusLine, title }),
      );
    default:
      return reply(status, [['Content-Type', 'text/plain; charset=UTF-8'], ...extra], `${statusLine}\n\n${stripTags(body)}`);
  }
}

function htmlPage(statusLine: string, explanation: string): string {
  return (
    `<html>\n <head>\n  <title>${statusLine}</title>\n </head>\n <body>\n` +
    `  <h1>${statusLine}</h1>\n  ${explanation}<br /><br />\n\n\n </body>\n</html>`
  );
}

/** webob.exc.strip_tags */
function stripTags(value: string): string {
  return value
    .replace(/\n/g, ' ')
    .replace(/\r/g, '')
    .replace(/<br.*?>/gis, '\n')
    .replace(/<!--|-->/g, '')
    .replace(/<.*?>/gs, '');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(value: string): MediaRange[] | undefined {
  const ranges: MediaRange[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const [range, ...params] = item.split(';').map((p) => p.trim());
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(range);
    if (!m) return undefined;
    let q = 1;
    for (const p of params) {
      const qm = /^q=([01](?:\.\d{0,3})?)$/i.exec(p);
      if (qm) q = Number(qm[1]);
    }
    ranges.push({ type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), q });
  }
  return ranges;
}

/** Accept.acceptable_offers(['text/html', 'application/json'])[0], or undefined. */
function preferredErrorType(accept: string | undefined): string | undefined {
  const offers = ['text/html', 'application/json'];
  const ranges = parseAccept(accept ?? '');
  if (ranges === undefined) return offers[0];
  let best: { offer: string; q: number } | undefined;
  for (const offer of offers) {
    const q = qualityFor(offer, ranges);
    if (q > 0 && (!best || q > best.q)) best = { offer, q };
  }
  return best?.offer;
}

function qualityFor(offer: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = offer.split('/');
  let specificity = -1;
  let q = 0;
  for (const r of ranges) {
    let s = -1;
    if (r.type === type && r.subtype === subtype) s = 2;
    else if (r.type === type && r.subtype === '*') s = 1;
    else if (r.type === '*' && r.subtype === '*') s = 0;
    if (s > specificity) {
      specificity = s;
      q = r.q;
    }
  }
  return q;
}
