import type { MouseEvent } from "react";
import { isSaas } from "../auth/session";
import { ApiError, apiFetch, errorFromResponse } from "./http";

/**
 * In SaaS mode a plain link cannot carry the bearer token, so downloads are fetched with it and
 * handed to the browser as a blob. Local mode keeps the plain link (returns false: not handled).
 */
export async function downloadWithAuth(url: string, filename: string): Promise<boolean> {
  if (!isSaas()) return false;
  const res = await apiFetch(url);
  if (!res.ok) throw await errorFromResponse(res);
  const href = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has started the download; give the browser a moment before the blob goes away.
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  }
  return true;
}

/** onClick for a download link: lets the browser follow it in local mode, fetches with the token in SaaS mode. */
export function downloadClick(url: string, filename: string, onError: (message: string) => void) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (!isSaas()) return;
    e.preventDefault();
    downloadWithAuth(url, filename).catch((err: unknown) => onError(err instanceof ApiError ? err.userMessage : "Download failed"));
  };
}
