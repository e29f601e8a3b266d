import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./http";

const encoder = new TextEncoder();

function sameBytes(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}

/**
 * HTTP Basic auth, enforced only when BROKER_BASIC_AUTH ("user:password") is set —
 * the same scheme REST Proxy and Upstash use, so the adapters' credentials are exercised.
 */
export function basicAuth(render: (status: number, code: number, message: string) => Response): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.env.BROKER_BASIC_AUTH ?? "";
    if (expected === "") return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Basic\s+(.+)$/i.exec(header);
    let given = "";
    try {
      given = match ? atob(match[1]!.trim()) : "";
    } catch {
      given = "";
    }
    if (!sameBytes(given, expected)) {
      const res = render(401, 40101, "Authentication failed.");
      res.headers.set("WWW-Authenticate", 'Basic realm="proximus-dev-broker"');
      return res;
    }
    return next();
  };
}
