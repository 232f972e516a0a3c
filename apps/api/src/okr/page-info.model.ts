import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Page, PageRequest } from '@okr-ledger/read-models';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType('PageInfo', { description: 'Relay page information of a connection.' })
export class PageInfoModel {
  @Field(() => Boolean, { description: 'Whether more items follow `endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Whether items precede `startCursor`.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of this page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page.' })
  endCursor!: string | null;

  static from(page: Page<unknown>): PageInfoModel {
    return Object.assign(new PageInfoModel(), {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.startCursor,
      endCursor: page.endCursor,
    });
  }
}

/** `first` and `after` of every connection; validated so `first: 500` is BAD_USER_INPUT. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many items to return: 1 to ${MAX_PAGE_SIZE}, ${DEFAULT_PAGE_SIZE} by default.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Return the items after this cursor (an `endCursor` of this connection). At most 500 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string | null;
}

export function pageRequest(args: PageArgs | undefined): PageRequest {
  return { first: args?.first ?? DEFAULT_PAGE_SIZE, after: args?.after ?? null };
}
