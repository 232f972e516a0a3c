import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { BadUserInputError, type FieldError, joinPath } from './api.errors';
import { malformedText } from './text-input';

/** class-validator's nested errors as one flat list, one entry per failed constraint. */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parent = '',
): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = parent === '' ? segment : joinPath(parent, segment);
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      flat.push({ path, constraint, message });
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, path));
  }
  return flat;
}

/**
 * The global pipe: strips undecorated properties, refuses unknown objects, builds class
 * instances, and reports every invalid field with its path under the argument name, which
 * only `transform` knows (hence the subclass rather than a bare exceptionFactory).
 */
export class GraphqlValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: (errors) => new BadUserInputError(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // GraphQL arguments arrive as 'body'; context, parent and identity as 'custom'.
    const textErrors = metadata.type === 'body' ? malformedText(value) : [];
    let result: unknown;
    try {
      result = await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
      throw named(new BadUserInputError(merge(textErrors, error.fieldErrors)), metadata);
    }
    // Text the decorators let through (NUL, lone surrogates) is refused all the same.
    if (textErrors.length > 0) throw named(new BadUserInputError(textErrors), metadata);
    return result;
  }
}

function named(error: BadUserInputError, metadata: ArgumentMetadata): BadUserInputError {
  return metadata.data ? error.under(metadata.data) : error;
}

/** Both lists, without a second entry for the same path and constraint. */
function merge(first: readonly FieldError[], second: readonly FieldError[]): FieldError[] {
  const seen = new Set(first.map((e) => `${e.path}\u0000${e.constraint}`));
  return [...first, ...second.filter((e) => !seen.has(`${e.path}\u0000${e.constraint}`))];
}
