/**
 * Head + tail of a long text with a marker saying how much was cut: tool outputs stay small in
 * the conversation, and the ends (the command, the summary, the first error) are what matter.
 */
export function headTail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const keep = Math.max(0, maxChars - 60);
  const head = Math.ceil(keep * 0.4);
  const tail = keep - head;
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${cut} characters truncated …]\n${text.slice(text.length - tail)}`;
}
