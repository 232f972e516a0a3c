import type { VisibilityScope } from '@okr-ledger/okr';

/**
 * `canSee` of libs/okr as a SQL condition on a row of read_models.objectives, for the reads
 * that must filter in the database (a page and its count, the alignment tree): the rule stays
 * stated once, in libs/okr, and a parity test checks this translation against it over
 * generated objectives and scopes.
 *
 * The scope's values are appended to `values` (numbered parameters); `row` is the alias of the
 * objectives row, or '' for none. The condition is never NULL (so it can be negated or
 * selected as a boolean): a NULL owner or team compares as "not the viewer's".
 */
export function visibleObjectiveSql(scope: VisibilityScope, values: unknown[], row = ''): string {
  if (scope.everything) return 'TRUE';
  const c = (column: string): string => (row ? `${row}.${column}` : column);
  values.push(scope.personId);
  const person = `$${values.length}`;
  let team: string;
  if (scope.allTeams) {
    team = 'TRUE';
  } else {
    values.push([...scope.teamIds]);
    team = `coalesce(${c('team_id')} = ANY($${values.length}::text[]), FALSE)`;
  }
  return `(${c('visibility')} = 'PUBLIC'
    OR ${c('owner_id')} IS NOT DISTINCT FROM ${person}::text
    OR ${person}::text = ANY(${c('shared_with')})
    OR (${c('visibility')} = 'TEAM' AND ${team}))`;
}
