import { describeWorkspaceContract } from "./testing/workspace-contract";
import { MemoryWorkspace } from "./workspace";

describeWorkspaceContract("MemoryWorkspace", async (initial) => new MemoryWorkspace(initial ?? {}));
describeWorkspaceContract("MemoryWorkspace after a JSON round trip", async (initial) =>
  MemoryWorkspace.fromJSON(JSON.parse(JSON.stringify(new MemoryWorkspace(initial ?? {}).toJSON()))),
);
