import type { TeamMembership, Viewer } from './visibility.policy';
import {
  keyResultWriteRefusal,
  newObjectiveRefusal,
  objectiveRevisionRefusal,
  objectiveWriteRefusal,
  teamMembershipRefusal,
} from './write.policy';

const web: TeamMembership = {
  teamId: 'web',
  parentTeamId: 'product',
  members: [
    { personId: 'lena', lead: true },
    { personId: 'webby', lead: false },
  ],
};
const sales: TeamMembership = {
  teamId: 'sales',
  parentTeamId: null,
  members: [{ personId: 'sam', lead: false }],
};
const teams = [web, sales];
const as = (personId: string, ...roles: string[]): Viewer => ({ personId, roles });
const olgasWebObjective = { ownerId: 'olga', teamId: 'web' };
const olgasOwn = { ownerId: 'olga', teamId: null };

describe('objectiveWriteRefusal', () => {
  describe('when the writer is ADMIN', () => {
    it('allows anything', () => {
      expect(objectiveWriteRefusal(as('adm', 'ADMIN'), olgasOwn, teams)).toBeNull();
    });
  });
  describe('when the writer is a MEMBER', () => {
    it('allows the owner and members of the objective’s team', () => {
      expect(objectiveWriteRefusal(as('olga', 'MEMBER'), olgasOwn, teams)).toBeNull();
      expect(objectiveWriteRefusal(as('webby', 'MEMBER'), olgasWebObjective, teams)).toBeNull();
    });
    it('refuses outsiders with OBJECTIVE_OWNER_OR_TEAM', () => {
      expect(objectiveWriteRefusal(as('sam', 'MEMBER'), olgasWebObjective, teams)).toBe(
        'OBJECTIVE_OWNER_OR_TEAM',
      );
      expect(objectiveWriteRefusal(as('webby', 'MEMBER'), olgasOwn, teams)).toBe(
        'OBJECTIVE_OWNER_OR_TEAM',
      );
    });
  });
  describe('when the writer is an AUDITOR or has no role', () => {
    it('refuses with READ_ONLY_ROLE, even their own objective', () => {
      expect(objectiveWriteRefusal(as('olga', 'AUDITOR'), olgasOwn, teams)).toBe('READ_ONLY_ROLE');
      expect(objectiveWriteRefusal(as('olga'), olgasOwn, teams)).toBe('READ_ONLY_ROLE');
    });
  });
});

describe('newObjectiveRefusal', () => {
  describe('when a MEMBER sets an objective in a team', () => {
    it('allows it in a team they belong to, for any owner; refuses it in another team', () => {
      expect(newObjectiveRefusal(as('webby', 'MEMBER'), olgasWebObjective, teams)).toBeNull();
      expect(
        newObjectiveRefusal(as('sam', 'MEMBER'), { ownerId: 'sam', teamId: 'web' }, teams),
      ).toBe('OBJECTIVE_OWNER_OR_TEAM');
    });
  });
  describe('when a MEMBER sets an objective without a team', () => {
    it('allows it for themselves only', () => {
      expect(newObjectiveRefusal(as('olga', 'MEMBER'), olgasOwn, teams)).toBeNull();
      expect(newObjectiveRefusal(as('sam', 'MEMBER'), olgasOwn, teams)).toBe(
        'OBJECTIVE_OWNER_OR_TEAM',
      );
    });
  });
  describe('when the writer is ADMIN or AUDITOR', () => {
    it('allows ADMIN anything and refuses AUDITOR', () => {
      expect(newObjectiveRefusal(as('adm', 'ADMIN'), olgasWebObjective, teams)).toBeNull();
      expect(newObjectiveRefusal(as('aud', 'AUDITOR'), olgasOwn, teams)).toBe('READ_ONLY_ROLE');
    });
  });
});

describe('objectiveRevisionRefusal', () => {
  describe('when a MEMBER moves an objective to another team', () => {
    it('allows it into a team they belong to, refuses it into one they do not', () => {
      expect(
        objectiveRevisionRefusal(
          as('sam', 'MEMBER'),
          { ownerId: 'sam', teamId: null },
          'sales',
          teams,
        ),
      ).toBeNull();
      expect(
        objectiveRevisionRefusal(
          as('sam', 'MEMBER'),
          { ownerId: 'sam', teamId: null },
          'web',
          teams,
        ),
      ).toBe('OBJECTIVE_OWNER_OR_TEAM');
    });
    it('allows taking it out of any team, and ADMIN to move it anywhere', () => {
      expect(
        objectiveRevisionRefusal(as('webby', 'MEMBER'), olgasWebObjective, null, teams),
      ).toBeNull();
      expect(objectiveRevisionRefusal(as('adm', 'ADMIN'), olgasOwn, 'web', teams)).toBeNull();
    });
  });
});

describe('keyResultWriteRefusal', () => {
  describe('when the writer is a MEMBER', () => {
    it("allows the key result's owner, the objective's owner and its team's members", () => {
      const kr = { ownerId: 'sam' };
      expect(keyResultWriteRefusal(as('sam', 'MEMBER'), kr, olgasWebObjective, teams)).toBeNull();
      expect(keyResultWriteRefusal(as('olga', 'MEMBER'), kr, olgasWebObjective, teams)).toBeNull();
      expect(keyResultWriteRefusal(as('webby', 'MEMBER'), kr, olgasWebObjective, teams)).toBeNull();
    });
    it('refuses anyone else with KEY_RESULT_OWNER_OR_TEAM', () => {
      expect(keyResultWriteRefusal(as('webby', 'MEMBER'), { ownerId: null }, olgasOwn, teams)).toBe(
        'KEY_RESULT_OWNER_OR_TEAM',
      );
    });
  });
  describe('when the writer is an AUDITOR', () => {
    it('refuses with READ_ONLY_ROLE', () => {
      expect(keyResultWriteRefusal(as('sam', 'AUDITOR'), { ownerId: 'sam' }, olgasOwn, teams)).toBe(
        'READ_ONLY_ROLE',
      );
    });
  });
});

describe('teamMembershipRefusal', () => {
  describe('when the writer leads the team or is ADMIN', () => {
    it('allows it', () => {
      expect(teamMembershipRefusal(as('lena', 'MEMBER'), web)).toBeNull();
      expect(teamMembershipRefusal(as('adm', 'ADMIN'), web)).toBeNull();
    });
  });
  describe('when the writer is a plain member or an outsider', () => {
    it('refuses with TEAM_LEAD', () => {
      expect(teamMembershipRefusal(as('webby', 'MEMBER'), web)).toBe('TEAM_LEAD');
      expect(teamMembershipRefusal(as('lena', 'MEMBER'), sales)).toBe('TEAM_LEAD');
      expect(teamMembershipRefusal(as('lena', 'AUDITOR'), web)).toBe('READ_ONLY_ROLE');
    });
  });
});
