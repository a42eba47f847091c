// Which metrics and labels a PromQL expression names, read with the Prometheus project's own PromQL grammar
// (@prometheus-io/lezer-promql, the parser behind Prometheus' web UI). A regular expression cannot tell a metric from
// a function, a keyword or a label in `by (...)`, and misses `{__name__="..."}` and `{"quoted.name"}` selectors.
import { parser } from '@prometheus-io/lezer-promql';

/** One vector selector: the metric it names and the label names its matchers use. */
export interface Selector {
  metric: string;
  labels: string[];
}

export interface PromqlReferences {
  selectors: Selector[];
  /** Label names in `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` lists. */
  groupingLabels: string[];
}

type Node = ReturnType<typeof parser.parse>['topNode'];

/** The metrics and labels `expr` names; throws naming the position when it does not parse. */
export function promqlReferences(expr: string): PromqlReferences {
  const tree = parser.parse(expr);
  const refs: PromqlReferences = { selectors: [], groupingLabels: [] };
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        throw new Error(`PromQL syntax error at offset ${ref.from} of "${expr}" (near "${expr.slice(ref.from, ref.from + 20)}")`);
      }
      if (ref.name === 'VectorSelector') refs.selectors.push(selectorOf(ref.node, expr));
      if (ref.name === 'GroupingLabels') refs.groupingLabels.push(...ref.node.getChildren('LabelName').map((n) => text(n, expr)));
    },
  });
  return refs;
}

function selectorOf(node: Node, expr: string): Selector {
  let metric = node.getChild('Identifier') === null ? undefined : text(node.getChild('Identifier') as Node, expr);
  const labels: string[] = [];
  const matchers = node.getChild('LabelMatchers');
  for (const m of matchers === null ? [] : childrenOf(matchers)) {
    if (m.name === 'QuotedLabelName') {
      metric = unquote(text(m, expr)); // {"name"}: the metric, in the UTF-8 form
      continue;
    }
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const nameNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    if (nameNode === null) continue;
    const name = nameNode.name === 'QuotedLabelName' ? unquote(text(nameNode, expr)) : text(nameNode, expr);
    const value = m.getChild('StringLiteral');
    if (name === '__name__' && text(m.getChild('MatchOp') ?? m, expr) === '=' && value !== null) metric = unquote(text(value, expr));
    else labels.push(name);
  }
  if (metric === undefined) {
    throw new Error(`"${text(node, expr)}" in "${expr}" selects no single metric name, so it cannot be checked against what Herald exports`);
  }
  return { metric, labels };
}

function childrenOf(node: Node): Node[] {
  const children: Node[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) children.push(c);
  return children;
}

const text = (node: Node, expr: string): string => expr.slice(node.from, node.to);

/** A PromQL string literal's value ("..." with JSON's escapes, '...' or `...`). */
function unquote(literal: string): string {
  const s = literal.trim();
  if (s.startsWith('"')) return JSON.parse(s) as string;
  return s.slice(1, -1);
}

/**
 * A Grafana panel's expression as Prometheus would receive it: Grafana's interval variables become a duration.
 * Template variables inside label values ("$pool") are left alone: they are strings to the parser.
 */
export function expandGrafanaIntervals(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m');
}

/** A Grafana variable query `label_values(selector, label)`: the selector as PromQL and the label; undefined otherwise. */
export function labelValuesQuery(query: string): { selector: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  return m === null ? undefined : { selector: m[1] ?? '', label: m[2] ?? '' };
}
