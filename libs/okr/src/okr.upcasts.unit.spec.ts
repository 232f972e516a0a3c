import { OKR_UPCASTS } from './okr.upcasts';

describe('OKR_UPCASTS', () => {
  describe('when an ObjectiveSet of release 1 is read', () => {
    it('is PUBLIC: everything was visible to the organisation then', () => {
      const step = OKR_UPCASTS.ObjectiveSet?.[1];
      const data = { objectiveId: 'o', teamId: null, ownerId: null };
      expect(step?.(data, { recordedAt: '2026-01-01T00:00:00Z' })).toEqual({
        ...data,
        visibility: 'PUBLIC',
      });
    });
  });
});
