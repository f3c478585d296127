/**
 * A transcript's summary (issue 19, "📋 Кратко"): what the LLM answers
 * (Structured Outputs, the purpose `transcript_summary`: activities/summary.ts),
 * what `transcript_summaries` keeps and what the user reads. Pure and free of
 * dependencies: the workflow, the activity and the bot share it.
 */
export interface TranscriptSummaryAnswer {
  title: string;
  key_points: string[];
  action_items: string[];
  /** ISO 639-1 code of the language the summary is written in (the transcript's). */
  language: string;
}

export interface TranscriptSummary {
  title: string;
  keyPoints: string[];
  actionItems: string[];
  language: string;
}

/** What a summary may hold: 3–7 key points (fewer only when the model found fewer), at most 8 action items, each one short line: the message stays under Telegram's 4096 characters. */
export const SUMMARY_LIMITS = { titleChars: 120, points: 7, actions: 8, itemChars: 240 } as const;

/** One line, at most `max` characters, cut at a word when it has to be cut. */
export function clipLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line); // code points: an emoji is never cut in half
  if (chars.length <= max) return line;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:–—-]+$/u, '')}…`;
}

/** The model's answer within SUMMARY_LIMITS, empty items dropped; null when nothing usable is left. */
export function normalizeSummary(answer: TranscriptSummaryAnswer): TranscriptSummary | null {
  const items = (list: string[], n: number) =>
    list
      .map((s) => clipLine(s.replace(/^[-•*\d.)\s]+/u, ''), SUMMARY_LIMITS.itemChars))
      .filter(Boolean)
      .slice(0, n);
  const keyPoints = items(answer.key_points, SUMMARY_LIMITS.points);
  const title = clipLine(answer.title, SUMMARY_LIMITS.titleChars);
  if (!title || keyPoints.length === 0) return null;
  return { title, keyPoints, actionItems: items(answer.action_items, SUMMARY_LIMITS.actions), language: answer.language.trim().slice(0, 8).toLowerCase() || 'und' };
}

/**
 * Parts of a transcript for the model, each at most `maxChars`, cut at a
 * paragraph, else a sentence, else a space. A transcript that fits is one part
 * (the usual case: an hour of speech is ~60 000 characters).
 */
export function splitTranscript(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    const at = [/\n\s*\n/g, /[.!?…]\s/g, /\s/g]
      .map((re) => Math.max(...[...window.matchAll(re)].map((m) => m.index + m[0].length), -1))
      .find((i) => i > maxChars / 2);
    const cut = at ?? maxChars;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** The summary as the user reads it: `sum-result`, and `sum-result-actions` when there are any (parts of one message, joined by a blank line). */
export function summaryMessages(summary: TranscriptSummary): { key: string; params: Record<string, string> }[] {
  const bullets = (list: string[]) => list.map((s) => `• ${s}`).join('\n');
  return [
    { key: 'sum-result', params: { title: summary.title, points: bullets(summary.keyPoints) } },
    ...(summary.actionItems.length ? [{ key: 'sum-result-actions', params: { actions: bullets(summary.actionItems) } }] : []),
  ];
}
