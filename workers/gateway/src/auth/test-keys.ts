import { exportJWK, generateKeyPair } from "jose";

/** A fresh RS256 private JWK as the JWT_PRIVATE_JWK secret would hold it (tests only). */
export async function generatePrivateJwk(kid = `test-${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "RS256" });
}
