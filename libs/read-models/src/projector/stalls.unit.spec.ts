import { isPoisonError } from './stalls';

describe('isPoisonError', () => {
  describe('when PostgreSQL refused the event’s data', () => {
    it.each([
      ['22008', 'date/time field value out of range'],
      ['23505', 'duplicate key value violates unique constraint'],
      ['54000', 'index row size exceeds maximum'],
      ['P0001', 'raised by a trigger'],
    ])('is the event’s fault (%s)', (code, message) => {
      expect(isPoisonError(Object.assign(new Error(message), { code }))).toBe(true);
    });
  });

  describe('when the failure would hit any event', () => {
    it.each([
      ['40001', 'could not serialize access'],
      ['40P01', 'deadlock detected'],
      ['57P01', 'terminating connection due to administrator command'],
      ['42P01', 'relation does not exist'],
      ['53300', 'too many connections'],
      ['ECONNRESET', 'read ECONNRESET'],
    ])('is not the event’s fault (%s)', (code, message) => {
      expect(isPoisonError(Object.assign(new Error(message), { code }))).toBe(false);
    });

    it('is not the event’s fault when the connection ended', () => {
      expect(isPoisonError(new Error('Connection terminated unexpectedly'))).toBe(false);
      expect(
        isPoisonError(new Error('Client has encountered a connection error and is not queryable')),
      ).toBe(false);
    });
  });

  describe('when the projection’s own code threw', () => {
    it('is the event’s fault', () => {
      expect(
        isPoisonError(new TypeError("Cannot read properties of undefined (reading 'id')")),
      ).toBe(true);
    });
  });
});
