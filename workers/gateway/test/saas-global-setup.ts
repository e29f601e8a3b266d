import type { TestProject } from "vitest/node";
import { generatePrivateJwk } from "../src/auth/test-keys";
import { startTestIssuer } from "./oidc-issuer";

export const SAAS_ORIGIN = "http://proximus.test";
export const SAAS_CLIENT_ID = "proximus-test-client";

declare module "vitest" {
  export interface ProvidedContext {
    issuerUrl: string;
    oidcClientSecret: string;
    gatewayJwk: string;
  }
}

/** SaaS suite: a local OpenID Provider (workerd cannot listen on a port) and a fresh gateway signing key. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const issuer = await startTestIssuer({ clientId: SAAS_CLIENT_ID, redirectUris: [`${SAAS_ORIGIN}/auth/callback`] });
  project.provide("issuerUrl", issuer.url);
  project.provide("oidcClientSecret", issuer.clientSecret);
  project.provide("gatewayJwk", await generatePrivateJwk("gateway-test-1"));
  return () => issuer.stop();
}
