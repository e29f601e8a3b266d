/**
 * `--provider <name>`: the fixed list of ideas to run against a real model, in the spirit of
 * MetaGPT's SoftwareDev and ChatDev's executability figures. It needs that provider's key, which
 * this machine does not have; running the ideas through the whole pipeline also needs the loop
 * wired into the runtime (the lead's integration). Until then it says exactly what is missing.
 */
export const IDEAS: readonly string[] = [
  "a booking app for dog groomers",
  "a todo list with due dates and tags",
  "an inventory tracker for a small bakery",
  "a URL shortener with click counts",
  "a recipe box with ingredient search",
  "a habit tracker with streaks",
  "an event RSVP page with a guest limit",
  "a library lending log for a school",
  "a simple invoicing tool for freelancers",
  "a bug tracker with priorities and assignees",
];

const KEYS: Record<string, string[]> = {
  openai: ["OPENAI_API_KEY", "OPENAI_BASE_URL"],
  anthropic: ["ANTHROPIC_API_KEY"],
  bedrock: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  gemini: ["GEMINI_API_KEY"],
};

/** Returns the process exit code. */
export function providerMode(provider: string, ideas: readonly string[]): number {
  const keys = KEYS[provider];
  if (!keys) {
    console.error(`unknown provider "${provider}"; one of: ${Object.keys(KEYS).join(", ")}`);
    return 2;
  }
  const present = keys.filter((k) => process.env[k]);
  const needed = provider === "openai" ? "OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)" : keys.join(" + ");
  if (provider === "openai" ? present.length === 0 : present.length < keys.length) {
    console.error(`--provider ${provider} runs ${ideas.length} ideas against a real model and needs ${needed}; none is set here.`);
    console.error("Set it and run: npm run bench:agents -- --provider " + provider);
    return 2;
  }
  console.error(
    `--provider ${provider}: the key is set, but the executability run ` +
      `(${ideas.length} ideas → tests passed, typecheck, steps, cost, wall time per idea) ` +
      "needs the agent loop wired into the runtime's Engineer tasks, which is not done yet. Ideas: " +
      ideas.join("; "),
  );
  return 3;
}
