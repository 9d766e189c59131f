import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Which other web origins may use the API from a browser: none by default. The node's own pages
 * are on the node's origin and need no CORS. An operator may name origins (`api.corsOrigins` in
 * config.json, e.g. a dashboard at https://ops.example.org) that then get CORS answers.
 *
 * Without a named origin:
 * - no API answer carries `Access-Control-Allow-Origin`, so a page elsewhere cannot read one;
 * - a preflight (OPTIONS) from another origin is refused with 403, so a browser sends no
 *   non-simple request (JSON body, custom headers) there;
 * - a state-changing request (POST and the like) whose `Origin` names another origin is refused
 *   with 403 before the API reads it, so a page elsewhere cannot make a visitor's browser submit
 *   to the node (CSRF), not even with a "simple" form post.
 *
 * Requests with no `Origin` (the CLI, curl, Prometheus) are not from a browser page and pass.
 */

/** The methods and headers a named origin's browser calls may use. */
const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'content-type, trpc-accept';
/** How long a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE_S = '600';

/** What the host does with one API request, as far as its origin goes. */
export type OriginVerdict =
  | { readonly allowed: true; /** The origin to name in Access-Control-Allow-Origin; none when same-origin or not from a browser. */ readonly corsOrigin?: string; readonly preflight: boolean }
  | { readonly allowed: false; readonly code: 'CROSS_ORIGIN_REFUSED'; readonly message: string };

/** An origin as browsers send it: scheme://host[:port], lowercased, with no path. */
export function normalizeOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether `origin` is the node's own: it names the host and port the request was sent to
 * (`Host`), or those a reverse proxy says it was sent to (`X-Forwarded-Host`). A page elsewhere
 * cannot set the latter on a browser request without a preflight, which is refused.
 */
function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  const forwarded = req.headers['x-forwarded-host'];
  const hosts = [req.headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',') : [])];
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  return hosts.some((host) => {
    if (host === undefined || host.trim() === '') return false;
    try {
      // The scheme is left out: behind a TLS proxy the page is https and the node sees http.
      return new URL(`http://${host.trim()}`).host === originHost;
    } catch {
      return false;
    }
  });
}

const isStateChanging = (method: string | undefined) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

/** Judges one API request by its `Origin` header against the node's own origin and `allowed`. */
export function judgeOrigin(req: IncomingMessage, allowed: ReadonlySet<string>): OriginVerdict {
  const raw = req.headers.origin;
  const preflight = req.method === 'OPTIONS';
  if (raw === undefined) {
    if (preflight) return { allowed: false, code: 'CROSS_ORIGIN_REFUSED', message: 'a preflight needs an Origin header' };
    return { allowed: true, preflight };
  }
  const origin = normalizeOrigin(raw);
  if (origin !== undefined && allowed.has(origin)) return { allowed: true, corsOrigin: origin, preflight };
  if (origin !== undefined && isSameOrigin(origin, req)) {
    // The node's own pages never preflight (same-origin); answer one anyway, without CORS headers.
    return { allowed: true, preflight };
  }
  if (preflight || isStateChanging(req.method)) {
    return { allowed: false, code: 'CROSS_ORIGIN_REFUSED', message: `the API does not take ${preflight ? 'preflights' : 'state-changing requests'} from ${origin ?? 'that origin'}` };
  }
  // A cross-origin read goes on, but its answer carries no CORS header: the browser keeps it from the page.
  return { allowed: true, preflight };
}

/** The CORS headers of an answer to an allowed origin (and, for a preflight, what it may send). */
export function applyCorsHeaders(res: ServerResponse, origin: string, preflight: boolean): void {
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  if (!preflight) return;
  res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
  res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
  res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_S);
}

/** The allowed set from config's list (each like https://ops.example.org), normalised as browsers send them. */
export function corsOriginSet(origins: readonly string[] = []): ReadonlySet<string> {
  const set = new Set<string>();
  for (const text of origins) {
    const origin = normalizeOrigin(text);
    if (origin === undefined) throw new RangeError(`"${text}" is not an origin like https://ops.example.org`);
    set.add(origin);
  }
  return set;
}
