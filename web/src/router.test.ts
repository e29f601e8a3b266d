import { describe, expect, it } from "vitest";
import { matchRoute } from "./router";

describe("matchRoute", () => {
  it("maps paths to pages and decodes project ids", () => {
    expect(matchRoute("/")).toEqual({ name: "projects" });
    expect(matchRoute("/projects/")).toEqual({ name: "projects" });
    expect(matchRoute("/projects/a%2Fb")).toEqual({ name: "project", id: "a/b" });
    expect(matchRoute("/settings")).toEqual({ name: "settings" });
    expect(matchRoute("/projects/x/y")).toEqual({ name: "not-found" });
  });
});
