import type { TestProject } from "vitest/node";
import { FakeQdrant } from "./fake-qdrant";

declare module "vitest" {
  export interface ProvidedContext {
    qdrantUrl: string;
  }
}

/** Starts the Qdrant-speaking test server in Node so tests running in workerd can reach it over HTTP. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const qdrant = new FakeQdrant();
  project.provide("qdrantUrl", await qdrant.start());
  return () => qdrant.stop();
}
