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
  BROKER_INSTANCE_TIMEOUT_MS?: string;
  /** Old name of BROKER_INSTANCE_TIMEOUT_MS. */
  BROKER_SESSION_TIMEOUT_MS?: string;
  BROKER_MAX_POLL_RECORDS?: string;
  BROKER_NODES?: string;
  BROKER_BASIC_AUTH?: string;
}
