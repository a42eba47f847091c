// The failover demo's picture: every request the client sent around the fault, as a tick on a time axis, coloured by
// the node that answered it (grey: no answer), with the fault and the first answer after it marked. Pure: samples in,
// SVG text out, so a test can check what it draws.
import type { Sample } from './probe.js';

export interface TimelineInput {
  samples: readonly Sample[];
  /** Monotonic ms of the fault, and what it was ("n1 killed: SIGKILL + link down"). */
  faultMs: number;
  fault: string;
  /** The first answer from another node after the fault. */
  recovered: Sample;
  /** The nodes, in the order of their colours. */
  nodes: readonly string[];
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
const FAILED = '#b0b0b0';
const WIDTH = 900;
const HEIGHT = 260;
const LEFT = 60;
const RIGHT = 20;
const BEFORE_MS = 1000;
const AFTER_MS = 1000;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function timelineSvg(input: TimelineInput): string {
  const start = input.faultMs - BEFORE_MS;
  const end = input.recovered.done + AFTER_MS;
  const x = (ms: number): number => LEFT + ((ms - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const colourOf = (node: string | undefined): string => {
    const i = node === undefined ? -1 : input.nodes.indexOf(node);
    return i < 0 ? FAILED : COLOURS[i % COLOURS.length] ?? FAILED;
  };
  const rowOk = 70;
  const rowFailed = 150;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  const cut = Math.round(input.recovered.done - input.faultMs);
  parts.push(`<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(`Client requests every 10 ms: cut off for ${cut} ms`)}</text>`);
  parts.push(`<text x="8" y="${rowOk + 4}">answered</text><text x="8" y="${rowFailed + 4}">failed</text>`);
  for (const s of input.samples) {
    if (s.sent < start || s.sent > end) continue;
    const y = s.ok ? rowOk : rowFailed;
    parts.push(`<line x1="${x(s.sent).toFixed(1)}" y1="${y - 12}" x2="${x(s.sent).toFixed(1)}" y2="${y + 12}" stroke="${s.ok ? colourOf(s.body) : FAILED}" stroke-width="2"/>`);
  }
  // The axis: ms relative to the fault, a tick every 250 ms.
  const axisY = HEIGHT - 50;
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="black"/>`);
  for (let t = Math.ceil(-BEFORE_MS / 250) * 250; input.faultMs + t <= end; t += 250) {
    const tx = x(input.faultMs + t).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="black"/><text x="${tx}" y="${axisY + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<text x="${WIDTH - RIGHT}" y="${axisY + 34}" text-anchor="end">ms after the fault</text>`);
  const fx = x(input.faultMs).toFixed(1);
  parts.push(`<line x1="${fx}" y1="35" x2="${fx}" y2="${axisY}" stroke="#d62728" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${fx}" y="${rowFailed + 32}" fill="#d62728" text-anchor="middle">${escapeXml(input.fault)}</text>`);
  const rx = x(input.recovered.done).toFixed(1);
  parts.push(`<line x1="${rx}" y1="35" x2="${rx}" y2="${axisY}" stroke="${colourOf(input.recovered.body)}" stroke-dasharray="2 2"/>`);
  parts.push(`<text x="${rx}" y="48" fill="${colourOf(input.recovered.body)}">${escapeXml(`${input.recovered.body ?? '?'} answers (+${cut} ms)`)}</text>`);
  // Legend.
  input.nodes.forEach((node, i) => {
    const lx = WIDTH - RIGHT - (input.nodes.length - i) * 70;
    parts.push(`<rect x="${lx}" y="8" width="10" height="10" fill="${colourOf(node)}"/><text x="${lx + 14}" y="17">${escapeXml(node)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
