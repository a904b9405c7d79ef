/**
 * The README's backend assurance table, rendered from each backend's declared guarantees so the
 * documentation cannot claim more than the code ships. `npm run docs:assurance` rewrites the README
 * section; a test fails when they differ.
 */
import { GUARANTEE_IDS, GUARANTEE_TITLES, type BackendDescription } from './backend';
import { WORKER_THREADS } from './worker-threads/guarantees';
import { PROCESS } from './process/guarantees';
import { REMOTE } from './remote/guarantees';

/** Every backend this build ships, in the order the README lists them. */
export const SHIPPED_BACKENDS: readonly BackendDescription[] = [WORKER_THREADS, PROCESS, REMOTE];

export const ASSURANCE_BEGIN = '<!-- assurance-table:begin (generated from server/core/sandbox/*/guarantees.ts; npm run docs:assurance) -->';
export const ASSURANCE_END = '<!-- assurance-table:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderAssurance(backends: readonly BackendDescription[] = SHIPPED_BACKENDS): string {
  const sections = backends.map((b) => {
    const rows = GUARANTEE_IDS.map((id) => {
      const g = b.guarantees.find((x) => x.id === id);
      if (!g) throw new Error(`backend ${b.kind} does not declare guarantee ${id}`);
      return `| ${GUARANTEE_TITLES[id]} | ${cell(g.how)} | ${cell(g.limits)} |`;
    });
    return [`### ${b.title}: \`${b.kind}\``, '', `| guarantee | how it is enforced | limits |`, '|---|---|---|', ...rows].join('\n');
  });
  return [ASSURANCE_BEGIN, ...sections, ASSURANCE_END].join('\n\n');
}

/** Replaces the generated section of a README text; throws when the markers are missing. */
export function withAssurance(readme: string, rendered: string = renderAssurance()): string {
  const start = readme.indexOf(ASSURANCE_BEGIN);
  const end = readme.indexOf(ASSURANCE_END);
  if (start < 0 || end < start) throw new Error('README has no assurance-table markers');
  return readme.slice(0, start) + rendered + readme.slice(end + ASSURANCE_END.length);
}
