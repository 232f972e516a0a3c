import { auditTrailCsv, type AuditCsvRow } from './evidence-bundle';

const row: AuditCsvRow = {
  when: '2026-02-01T10:00:00.000Z',
  who: 'ana',
  aggregateType: 'KeyResult',
  aggregateId: '8a6b1d55-7a0e-4b8e-9d53-1f0c3c2e4b77',
  event: 'KeyResultRedefined',
  position: '00000000000000000764-00000000000000000005',
  field: 'targetValue',
  before: '-5',
  after: '"50, or \\"more\\""',
  reason: 'traffic halved',
  source: 'graphql',
  midCycle: true,
};

describe('auditTrailCsv', () => {
  describe('when rows are written', () => {
    it('writes a header, quotes what needs quoting and ends lines with CRLF', () => {
      expect(
        auditTrailCsv([row, { ...row, before: null, reason: 'line\nbreak', midCycle: false }]),
      ).toBe(
        'when,who,aggregate type,aggregate id,event,position,field,before,after,reason,source,mid-cycle\r\n' +
          `2026-02-01T10:00:00.000Z,ana,KeyResult,${row.aggregateId},KeyResultRedefined,${row.position},targetValue,-5,"""50, or \\""more\\""""",traffic halved,graphql,yes\r\n` +
          `2026-02-01T10:00:00.000Z,ana,KeyResult,${row.aggregateId},KeyResultRedefined,${row.position},targetValue,,"""50, or \\""more\\""""","line\nbreak",graphql,no\r\n`,
      );
    });
    it('keeps a spreadsheet from running free text as a formula', () => {
      const csv = auditTrailCsv([
        { ...row, reason: '=HYPERLINK("http://x")', who: '@admin', source: '-cmd' },
      ]);
      expect(csv).toContain(`,"'=HYPERLINK(""http://x"")",'-cmd,`);
      expect(csv).toContain(`,'@admin,`);
      expect(auditTrailCsv([{ ...row, reason: '-5 points' }])).toContain(',-5 points,');
    });
  });
});
