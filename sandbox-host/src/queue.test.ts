import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts/errors";
import { Limiter } from "./queue";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("Limiter", () => {
  it("runs up to the limit, queues the next ones in order and rejects past the queue with rate_limited", async () => {
    const l = new Limiter(1, 1);
    const order: string[] = [];
    const a = deferred();
    const first = l.run(async () => {
      order.push("a");
      await a.promise;
    });
    const second = l.run(async () => {
      order.push("b");
    });
    expect(l.running).toBe(1);
    expect(l.queued).toBe(1);
    const third = l.run(async () => order.push("c"));
    await expect(third).rejects.toBeInstanceOf(AppError);
    await expect(third).rejects.toMatchObject({ code: "rate_limited", status: 429 });
    a.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(["a", "b"]);
    expect(l.running).toBe(0);
    expect(l.queued).toBe(0);
  });

  it("frees the slot when a task throws", async () => {
    const l = new Limiter(1, 0);
    await expect(l.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(l.run(async () => 42)).resolves.toBe(42);
  });
});
