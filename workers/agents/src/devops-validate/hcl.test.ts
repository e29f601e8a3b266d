import { describe, expect, it } from "vitest";
import { HclError, parseHcl } from "./hcl";
import { validateTerraform } from "./terraform";

const GOOD = `# comment
terraform {
  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.0"
    }
  }
}

variable "account_id" {
  type = string
}

/* block
   comment */
resource "cloudflare_workers_script" "app" {
  account_id = var.account_id // trailing comment
  content    = file("\${path.module}/src/index.js")
  count      = var.enabled ? 1 : 0
  tags       = ["a", "b",]
  size       = length(var.list) * 2 + 1
  first      = var.list[0].name
  policy     = <<EOT
{"Version": "2012-10-17"}
EOT
  lifecycle { create_before_destroy = true }
  bindings = [
    {
      name = "DB"
      id   = cloudflare_d1_database.db.id
    },
  ]
}
`;

describe("HCL parser", () => {
  it("parses blocks, labels, attributes and expressions", () => {
    const body = parseHcl(GOOD);
    expect(body.blocks.map((b) => [b.type, ...b.labels])).toEqual([["terraform"], ["variable", "account_id"], ["resource", "cloudflare_workers_script", "app"]]);
    const res = body.blocks[2]!.body;
    expect(res.attributes.account_id).toEqual({ kind: "ref", name: "var", path: ["account_id"] });
    expect(res.attributes.content).toMatchObject({ kind: "call", name: "file", args: [{ kind: "template" }] });
    expect(res.attributes.count).toMatchObject({ kind: "op", op: "?:" });
    expect(res.attributes.tags).toEqual({ kind: "tuple", items: [{ kind: "literal", value: "a" }, { kind: "literal", value: "b" }] });
    expect(res.attributes.size).toMatchObject({ kind: "op", op: "+", args: [{ kind: "op", op: "*" }, { kind: "literal", value: 1 }] });
    expect(res.attributes.policy).toEqual({ kind: "literal", value: '{"Version": "2012-10-17"}\n' });
    expect(res.blocks.map((b) => b.type)).toEqual(["lifecycle"]);
    expect(res.attributes.bindings).toMatchObject({ kind: "tuple", items: [{ kind: "object", items: [{ key: "name" }, { key: "id" }] }] });
  });

  it.each([
    ["unbalanced braces", 'resource "a" "b" {\n  x = 1\n'],
    ["missing value", 'resource "a" "b" {\n  x =\n}\n'],
    ["unterminated string", 'resource "a" "b" {\n  x = "abc\n}\n'],
    ["two attributes on one line", 'resource "a" "b" {\n  x = 1 y = 2\n}\n'],
    ["stray closing brace", "}\n"],
    ["unclosed list", 'resource "a" "b" {\n  x = [1, 2\n}\n'],
    ["bad object separator", 'resource "a" "b" {\n  x = { a = 1 b = 2 }\n}\n'],
    ["unclosed heredoc", 'resource "a" "b" {\n  x = <<EOT\nabc\n}\n'],
    ["unclosed comment", "/* forever\n"],
    ["duplicate attribute", 'resource "a" "b" {\n  x = 1\n  x = 2\n}\n'],
    ["illegal character", 'resource "a" "b" {\n  x = @\n}\n'],
  ])("rejects %s with a position", (_name, src) => {
    expect(() => parseHcl(src)).toThrow(HclError);
    try {
      parseHcl(src);
    } catch (e) {
      expect((e as HclError).line).toBeGreaterThan(0);
    }
  });
});

describe("validateTerraform", () => {
  it("accepts a well-formed config", () => {
    expect(validateTerraform(GOOD)).toEqual([]);
  });
  it("reports parse errors with the file name", () => {
    expect(validateTerraform("resource {")[0]).toMatch(/^main.tf: \d+:\d+:/);
  });
  it("checks Terraform's block structure", () => {
    expect(validateTerraform('resource "only_one_label" {\n}\n')).toEqual(expect.arrayContaining([expect.stringContaining("take 2 label(s), got 1")]));
    expect(validateTerraform('resourse "a" "b" {\n}\n')[0]).toContain("unknown top-level block type 'resourse'");
    expect(validateTerraform('x = 1\nresource "a" "b" {\n}\n')[0]).toContain("top-level attributes");
    expect(validateTerraform('variable "v" {\n}\n')).toEqual(["main.tf: declares no resources"]);
    expect(validateTerraform('resource "a" "b" {\n}\nresource "a" "b" {\n}\n')[0]).toContain("duplicate resource.a.b");
  });
});
