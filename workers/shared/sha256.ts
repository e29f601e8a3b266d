/** SHA-256 via WebCrypto, so the same code runs in Workers and in Node. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return Array.from(await sha256(data), (b) => b.toString(16).padStart(2, "0")).join("");
}
