// The report renderer: deterministic rows, a timestamp-only tolerance, and no vector passing unseen.
import { collectRows, renderReport, sameReport, type VectorRow } from '../../scripts/security-report';

const row = (id: string, result: 'PASS' | 'FAIL' = 'PASS'): VectorRow => ({
  id,
  vector: `vector ${id}`,
  route: 'POST /api/v1/x',
  payload: '{"a":"b|c"}',
  expected: '400',
  observed: '400 FORBIDDEN_KEY',
  result,
});

describe('security report rendering', () => {
  it('when rendered twice at different times, then the reports differ only in the timestamp line', () => {
    const a = renderReport([row('NOSQL-01')], new Date('2026-01-01T00:00:00Z'));
    const b = renderReport([row('NOSQL-01')], new Date('2026-06-01T00:00:00Z'));
    expect(a).not.toBe(b);
    expect(sameReport(a, b)).toBe(true);
  });

  it('when an observation changes, then the reports are not the same', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(sameReport(renderReport([row('NOSQL-01')], at), renderReport([{ ...row('NOSQL-01'), observed: '200' }], at))).toBe(false);
  });

  it('when rows arrive in any order, then they are listed by threat category then id, with the tally', () => {
    const report = renderReport([row('ERR-01'), row('NOSQL-02', 'FAIL'), row('NOSQL-01')], new Date(0));
    const ids = report.split('\n').filter((l) => /^\| [A-Z]+-\d+/.test(l)).map((l) => l.split(' ')[1]);
    expect(ids).toEqual(['NOSQL-01', 'NOSQL-02', 'ERR-01']);
    expect(report).toContain('**3 vectors: 2 PASS, 1 FAIL.**');
    // A pipe inside a payload must not split the table cell.
    expect(report).toContain('b\\|c');
  });

  it('when a test ran but recorded nothing (its setup failed), then its row is a FAIL', () => {
    const rows = collectRows([{ title: 'JWT-01 alg none: when …', status: 'failed' }, { title: 'NOSQL-01 x', status: 'passed' }], [row('NOSQL-01')]);
    expect(rows.map((r) => [r.id, r.result])).toEqual([['JWT-01', 'FAIL'], ['NOSQL-01', 'PASS']]);
  });
});
