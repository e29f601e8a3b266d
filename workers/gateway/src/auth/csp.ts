/**
 * Content-Security-Policy. API responses are JSON and never render, so they get the tightest
 * policy. The dashboard's static assets are served by Workers static assets without running this
 * Worker, so their policy has to be delivered by a `web/public/_headers` file with the contents of
 * DASHBOARD_HEADERS_FILE below (Vite copies it into web/dist; Workers static assets apply it).
 */
export const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * The dashboard (React + Vite build): only its own scripts; inline style attributes are needed
 * by React Flow's node positioning; `connect-src 'self'` covers fetch and same-origin WebSockets.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The exact `_headers` file for web/public/ (copied into web/dist by Vite). */
export const DASHBOARD_HEADERS_FILE = `/*
  Content-Security-Policy: ${DASHBOARD_CSP}
  X-Content-Type-Options: nosniff
  Referrer-Policy: strict-origin-when-cross-origin
  X-Frame-Options: DENY
  Cross-Origin-Opener-Policy: same-origin
`;
