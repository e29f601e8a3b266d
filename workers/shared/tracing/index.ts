export * from "./traceparent";
export * from "./span";
export * from "./otlp";
export * from "./config";
