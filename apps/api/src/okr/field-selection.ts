import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects `name` on its value (on each item of a list),
 * directly or through fragments. Over-inclusive: `@skip`/`@include` and type conditions are
 * not read, so it only decides what to load ahead, never what to answer.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const spread = new Set<string>();
  const selects = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return selects(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = selection.name.value;
          if (spread.has(fragment)) return false;
          spread.add(fragment);
          return selects(info.fragments[fragment]?.selectionSet);
        }
      }
    }) ?? false;
  return info.fieldNodes.some((node) => selects(node.selectionSet));
}
