import { describe, expect, it } from "vitest";
import { diagnosticsOf, validateTerraformFile } from "./hcl";

/** Valid Terraform the old home-made parser rejected: for expressions, computed keys, multi-line ternaries, provider functions. */
const MODERN = `terraform {
  required_providers {
    cloudflare = { source = "cloudflare/cloudflare", version = "~> 5.0" }
  }
}

variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

variable "k" {
  type    = string
  default = "env"
}

locals {
  upper_names = [for n in var.names : upper(n) if n != ""]
  by_name     = { for i, n in var.names : n => i }
  tags        = { (var.k) = "prod" }
  tier = (
    length(var.names) > 1
    ? "multi"
    : "single"
  )
  arn = provider::aws::arn_parse("arn:aws:iam::123456789012:role/app")
}

resource "cloudflare_d1_database" "db" {
  account_id = "0123"
  name       = "app-\${local.tier}"
}

output "names" {
  value = local.upper_names
}
`;

describe("validateTerraformFile (HashiCorp HCL via @cdktn/hcl2json)", () => {
  it("accepts for expressions, (var.k) keys, a multi-line ternary and provider:: functions", async () => {
    expect(await validateTerraformFile("main.tf", MODERN)).toMatchObject({ path: "main.tf", ok: true, errors: [] });
  });

  it.each([
    ["[for …]", "locals {\n  a = [for s in var.l : lower(s)]\n}\n"],
    ["{for …}", "locals {\n  a = { for k, v in var.m : k => v }\n}\n"],
    ["(var.k) = …", "locals {\n  a = { (var.k) = 1 }\n}\n"],
    ["multi-line ternary", "locals {\n  a = (\n    var.x\n    ? 1\n    : 2\n  )\n}\n"],
    ["provider:: call", 'locals {\n  a = provider::time::rfc3339_parse("2025-01-01T00:00:00Z")\n}\n'],
  ])("accepts %s", async (_name, src) => {
    expect((await validateTerraformFile("main.tf", src)).errors).toEqual([]);
  });

  it("reports syntax errors with the line and column HCL gives", async () => {
    const r = await validateTerraformFile("main.tf", 'resource "a" "b" {\n  name = "x"\n  size =\n}\n');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { line: 3, column: 9, message: expect.stringMatching(/^Invalid expression; Expected the start of an expression/) },
    ]);
  });

  it("reports an unclosed block where it opens", async () => {
    const r = await validateTerraformFile("infra/main.tf", 'locals {\n  a = 1\n\nresource "x" "y" {\n}\n');
    expect(r.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^Unclosed configuration block/) });
  });

  it("reports Terraform's structure rules with lines", async () => {
    const r = await validateTerraformFile("main.tf", 'resource "only_one" {\n}\n\nwidget "x" {\n}\n');
    expect(r.errors).toEqual([
      { line: 1, message: "'resource' blocks take 2 label(s), got 1" },
      { line: 4, message: expect.stringMatching(/^unknown top-level block type or argument 'widget'/) },
    ]);
  });

  it("reports a duplicate resource at its second declaration", async () => {
    const r = await validateTerraformFile("main.tf", 'resource "a" "b" {\n}\n\nresource "a" "b" {\n}\n');
    expect(r.errors).toEqual([{ line: 4, message: "duplicate resource.a.b" }]);
  });

  it("splits several HCL diagnostics", () => {
    const msg =
      "parse config: [main.tf:1,9-2,1: Invalid multi-line string; Quoted strings may not be split. " +
      "main.tf:1,9-2,1: Unterminated template string; No closing marker.]";
    expect(diagnosticsOf("main.tf", msg)).toEqual([
      { line: 1, column: 9, message: "Invalid multi-line string; Quoted strings may not be split." },
      { line: 1, column: 9, message: "Unterminated template string; No closing marker." },
    ]);
  });
});

describe("label counts hcl2json cannot convert", () => {
  it("reports blocks of one type with different label counts", async () => {
    const r = await validateTerraformFile("main.tf", 'resource "a" {\n}\nresource "a" "b" {\n}\n');
    expect(r.errors).toEqual([
      { line: 3, message: "'resource' blocks take 2 label(s); 'resource' blocks here have different label counts" },
    ]);
  });
});
