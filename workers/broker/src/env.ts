import type { BrokerDO } from "./broker-do";

/**
 * Hand-written rather than `wrangler types` output: the generated file merges into the
 * global `Cloudflare.Env`, which would collide with the gateway's Env in the shared tsconfig.
 */
export interface BrokerEnv {
  BROKER: DurableObjectNamespace<BrokerDO>;
  BROKER_PARTITIONS?: string;
  BROKER_TOPICS?: string;
  BROKER_AUTO_CREATE_TOPICS?: string;
  BROKER_SESSION_TIMEOUT_MS?: string;
  BROKER_BASIC_AUTH?: string;
}
