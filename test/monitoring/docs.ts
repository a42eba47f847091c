// What docs/monitoring.md says, as the tests read it: its headings' anchors (as GitHub renders them, which the
// alerts' runbook_url point at) and the metrics its tables list.

/** GitHub's anchor of a heading: lower case, punctuation dropped (but - and _), spaces become hyphens. */
export function githubAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** The anchors of every heading of a Markdown text (outside fenced code). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m !== null) anchors.add(githubAnchor(m[1] ?? ''));
  }
  return anchors;
}

/** A metric row of the docs' tables: `| \`name\` | type | labels | meaning |`. */
export interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
}

/** Every row of a table whose first cell is a metric name in backquotes; labels are the backquoted names of the third cell. */
export function documentedMetrics(markdown: string): DocumentedMetric[] {
  return markdown.split('\n').flatMap((line) => {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(cells[1] ?? '')?.[1];
    if (name === undefined || cells.length < 5) return [];
    const labels = [...(cells[3] ?? '').matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`(?!\s*\))/g)].map((m) => m[1] ?? '');
    return [{ name, type: cells[2] ?? '', labels }];
  });
}
