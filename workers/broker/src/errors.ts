/**
 * A broker failure in REST Proxy terms. Both dialects render it: the Confluent
 * routes as `{error_code, message}`, the Upstash routes as `{error, status}`.
 */
export class BrokerError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = "BrokerError";
  }
}

export const topicNotFound = (topic: string): BrokerError => new BrokerError(404, 40401, `Topic ${topic} not found.`);
export const partitionNotFound = (topic: string, partition: number): BrokerError =>
  new BrokerError(404, 40402, `Partition ${partition} of topic ${topic} not found.`);
export const consumerNotFound = (): BrokerError => new BrokerError(404, 40403, "Consumer instance not found.");
export const consumerExists = (): BrokerError =>
  new BrokerError(409, 40902, "Consumer with specified consumer ID already exists in the specified consumer group.");
export const unprocessable = (message: string): BrokerError => new BrokerError(422, 42201, message);

/** RPC across the DO boundary loses Error subclasses, so results travel as plain data. */
export type BrokerResult<T> = { ok: true; value: T } | { ok: false; status: number; errorCode: number; message: string };

export function toResult<T>(fn: () => T): BrokerResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof BrokerError) return { ok: false, status: e.status, errorCode: e.errorCode, message: e.message };
    throw e;
  }
}
