import { useEffect, useRef, useState } from "react";

/**
 * A short machine value (a trace id) in small monospace with a copy button. The value is also
 * selectable text, because the Clipboard API is missing on plain-http origins other than localhost.
 */
export function CopyText({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(null), 1500);
  };

  return (
    <span className="copy-text">
      <code data-testid="trace-id">{value}</code>
      <button type="button" className="ghost small" onClick={() => void copy()} aria-label={`Copy ${label}`}>
        {copied === "yes" ? "Copied" : copied === "failed" ? "Select to copy" : "Copy"}
      </button>
    </span>
  );
}
