import { z } from "zod";
import { OtlpHttpExporter } from "./otlp";
import { Tracer } from "./span";

/** The standard OpenTelemetry variables, as the Workers and sandbox-host read them. */
export const TracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().trim().optional().catch(undefined),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional().catch(undefined),
  OTEL_SERVICE_NAME: z.string().trim().max(200).optional().catch(undefined),
});

export interface TracingConfig {
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` format: `key1=value1,key2=value2`, values percent-decoded
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). Malformed pairs are skipped.
 */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) continue;
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: keep it as written.
    }
    out[key] = value;
  }
  return out;
}

/** null = tracing export is off (no endpoint, or one that is not an http(s) URL). */
export function tracingConfigFromEnv(env: Record<string, unknown>, defaultServiceName: string): TracingConfig | null {
  const parsed = TracingEnv.safeParse(env);
  const vars = parsed.success ? parsed.data : {};
  const endpoint = vars.OTEL_EXPORTER_OTLP_ENDPOINT ?? "";
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return {
    endpoint,
    headers: parseOtlpHeaders(vars.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: vars.OTEL_SERVICE_NAME || defaultServiceName,
  };
}

export interface TracerFromEnvOptions {
  fetch?: typeof fetch;
  warn?: (message: string) => void;
}

/** A tracer that exports to the configured endpoint, or only propagates ids when there is none. */
export function tracerFromEnv(env: Record<string, unknown>, defaultServiceName: string, opts: TracerFromEnvOptions = {}): Tracer {
  const config = tracingConfigFromEnv(env, defaultServiceName);
  if (!config) return new Tracer({ exporter: null });
  return new Tracer({
    exporter: new OtlpHttpExporter({
      endpoint: config.endpoint,
      headers: config.headers,
      resource: { "service.name": config.serviceName },
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    }),
  });
}
