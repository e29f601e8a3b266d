export * from "./types";
export { KafkaRestBus, KafkaRestFlavor, isConsumerGone, type KafkaRestOptions } from "./kafka-rest";
export { UpstashBus, type UpstashOptions } from "./upstash";
export { QueuesBus, handleQueueBatch, type QueueBatchOptions, type QueueBatchOutcome } from "./queues";
export { deadLetterRecord } from "./dead-letter";
export { ConsumerLoop, type ConsumerLoopOptions, type TickResult } from "./consumer-loop";
export { createBus, type Bus, type BusEnv } from "./factory";
