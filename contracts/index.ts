export * from "./json";
export * from "./roles";
export * from "./llm";
export * from "./task";
export * from "./events";
export * from "./errors";
export * from "./api";
export * from "./scorecard";
