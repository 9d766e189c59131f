import type { ServerResponse } from 'node:http';

/**
 * The security headers of every answer the node's HTTP host gives: pages, the API, /healthz and
 * /metrics. Pages get a Content-Security-Policy the web app runs under; every other answer is
 * data that no browser should run, style or frame, and gets a policy that allows nothing.
 *
 * Why `'unsafe-inline'` for scripts: Next.js bootstraps each page with inline scripts
 * (`self.__next_f.push(…)`). Per-request nonces would need every page rendered per request, and
 * the app's pages are prerendered at build time (static HTML cannot carry a fresh nonce). The
 * policy still stops scripts from every other origin, `eval`, plugins, framing, `<base>` hijacks,
 * form posts elsewhere and requests to other origins (`connect-src 'self'`), so an injected
 * script could not send a key anywhere. Next's dev server also needs `'unsafe-eval'` (React's
 * development build evaluates code for its debugging aids); production never gets it.
 */

/** What kind of answer the headers go on. */
export type AnswerKind = 'page' | 'data';

/** The policy of the web app's pages; `dev`: Next's dev server (`lendnet start --dev`). */
export function pagePolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers the dev server's hot-reload websocket on the same host and port.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of every answer that is not a page: JSON, metrics text, errors. */
export const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers that go on every answer, whatever its kind. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // No page's address (an account, a transaction) is told to another site.
  'referrer-policy': 'no-referrer',
  // The older browsers' form of frame-ancestors 'none': no page of the node is shown in a frame.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // Other sites cannot embed the node's answers (scripts, images, JSON) in their own pages.
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** The headers of an answer of `kind`. */
export function securityHeaders(kind: AnswerKind, dev = false): Readonly<Record<string, string>> {
  return { ...COMMON_HEADERS, 'content-security-policy': kind === 'page' ? pagePolicy(dev) : DATA_POLICY };
}

/** Sets the headers of an answer of `kind` on `res`, before anything is written. */
export function applySecurityHeaders(res: ServerResponse, kind: AnswerKind, dev = false): void {
  for (const [name, value] of Object.entries(securityHeaders(kind, dev))) res.setHeader(name, value);
}
