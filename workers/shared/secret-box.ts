/**
 * AES-256-GCM for secrets at rest (users' provider keys in D1). The key is derived with HKDF
 * from a Worker secret, so rotating that secret makes old ciphertexts unreadable, not wrong.
 * `context` (e.g. "user:provider") is bound as associated data: a ciphertext copied to
 * another row does not decrypt.
 */
const enc = new TextEncoder();
const dec = new TextDecoder();

async function keyFrom(secret: string): Promise<CryptoKey> {
  if (secret.length < 16) throw new Error("encryption secret must be at least 16 characters");
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode("proximus/secret-box/v1"), info: enc.encode("provider-keys") },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export async function seal(secret: string, plaintext: string, context: string): Promise<{ ciphertext: string; iv: string }> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(context) },
    await keyFrom(secret),
    enc.encode(plaintext),
  );
  return { ciphertext: b64(new Uint8Array(ct)), iv: b64(iv) };
}

export async function open(secret: string, box: { ciphertext: string; iv: string }, context: string): Promise<string> {
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(box.iv), additionalData: enc.encode(context) },
    await keyFrom(secret),
    unb64(box.ciphertext),
  );
  return dec.decode(pt);
}
